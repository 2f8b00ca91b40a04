// A Docker Compose file for the user's own destinations file: the collector
// (the pinned contrib image), the rendered config mounted read-only, the env
// vars the config references passed through by name, the persistent queue
// (and each file destination's folder) on a named volume, the ports published
// on 127.0.0.1.
import { posix } from 'node:path';
import { Scalar } from 'yaml';
import { buildCollectorConfig, commentText, toYaml, type BuiltConfig } from './render.js';
import type { DestinationsSpec } from './spec.js';
import { envReferences } from './secrets.js';
import { containerMemoryMiB, goMemLimitMiB } from './sizing.js';

/** Where the image reads its config (the contrib image's default command). */
const CONFIG_IN_CONTAINER = '/etc/otelcol-contrib/config.yaml';
export const COMPOSE_SERVICE = 'otel-audit-collector';

/** Options of the compose file: which rendered config it mounts, where it publishes the ports. */
export interface ComposeOptions {
  /** The rendered collector config, relative to the compose file (default ./collector-config.yaml). */
  configFile?: string;
  /** The host address the ports are published on (default 127.0.0.1: this machine only). */
  publish?: string;
}

/** A double-quoted string: compose's docs ask for quoted ports (a YAML 1.1 reader takes 0:0 or 22:22 for a base-60 number). */
function quoted(value: string): Scalar {
  const node = new Scalar(value);
  node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

/** A compose volume name for a destination's folder. */
const volumeName = (name: string) => `audit-${name.replace(/[^a-z0-9_-]/g, '-')}`;

/** Folders the file destinations write to (absolute, no `${…}`), by volume name. */
function fileFolders(built: BuiltConfig): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of built.spec.destinations) {
    const path = (d as { path?: unknown }).path;
    if (d.enabled === false || d.type !== 'file' || typeof path !== 'string' || path.includes('$') || !path.startsWith('/')) continue;
    const folder = posix.dirname(path);
    if (folder !== '/' && folder !== built.spec.collector.queue.directory) out.set(volumeName(d.name), folder);
  }
  return out;
}

/** The compose file as an object (renderCompose writes it as YAML with its explaining comment). */
export function packageCompose(built: BuiltConfig, options: ComposeOptions = {}): Record<string, unknown> {
  const c = built.spec.collector;
  const configFile = options.configFile ?? './collector-config.yaml';
  const host = options.publish ?? '127.0.0.1';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const environment: Record<string, string> = {};
  // Names only: compose takes each value from the environment or from .env beside the compose file.
  for (const name of [...envReferences(built.config)].sort()) environment[name] = `\${${name}:?set ${name} in the environment or in .env}`;
  environment.GOMEMLIMIT = `${goMemLimitMiB(c)}MiB`;
  const folders = fileFolders(built);
  const volumes: Record<string, Record<string, never>> = { 'audit-queue': {} };
  for (const name of folders.keys()) volumes[name] = {};
  return {
    services: {
      [COMPOSE_SERVICE]: {
        image: c.image,
        command: [`--config=${CONFIG_IN_CONTAINER}`],
        restart: 'unless-stopped',
        user: quoted('0:0'),
        environment,
        // A gateway tier (intake: kafka) reads Kafka: only the health port is published.
        ports: [...(c.intake === 'kafka' ? [] : [c.receiver.grpcPort, c.receiver.httpPort]), c.healthCheck.port].map((port) => quoted(`${hostPart}:${port}:${port}`)),
        volumes: [
          `${configFile}:${CONFIG_IN_CONTAINER}:ro`,
          `audit-queue:${c.queue.directory}`,
          ...[...folders].map(([name, folder]) => `${name}:${folder}`),
        ],
        deploy: { resources: { limits: { memory: `${containerMemoryMiB(c)}M` } } },
      },
    },
    volumes,
  };
}

const isLoopback = (bind: string) => bind === 'localhost' || bind === '::1' || bind.startsWith('127.');

/** A receiver or health check bound to loopback inside the container cannot be reached through the published ports. */
export function composeWarnings(built: BuiltConfig): string[] {
  const c = built.spec.collector;
  const file = built.spec.file;
  const out: string[] = [];
  if (c.intake !== 'kafka' && isLoopback(c.receiver.bind)) out.push(`${file}: collector.receiver.bind: "${c.receiver.bind}" is a loopback address inside the container; the published OTLP ports cannot reach it (use 0.0.0.0; --publish decides who can connect)`);
  if (isLoopback(c.healthCheck.bind)) out.push(`${file}: collector.healthCheck.bind: "${c.healthCheck.bind}" is a loopback address inside the container; the published health port cannot reach it (use 0.0.0.0)`);
  return out;
}

/** The comment at the top of a compose file: how to run it, and why it has no in-container healthcheck. */
export function composeComment(built: BuiltConfig, configFile = './collector-config.yaml', publish = '127.0.0.1'): string {
  const names = [...envReferences(built.config)].sort();
  const file = commentText(built.spec.file);
  return [
    ` Runs the collector for ${file}. Render its config beside this file first:`,
    `   otel-audit collector render -f ${file} -o ${configFile}`,
    names.length > 0
      ? ` then set ${names.join(', ')} (in the environment or in .env beside this file; values never go into this file) and run \`docker compose up -d\`.`
      : ' then run `docker compose up -d`.',
    publish === '127.0.0.1' ? ' Ports are published on 127.0.0.1 (this machine only); render with --publish 0.0.0.0 to accept other hosts.' : ` Ports are published on ${commentText(publish)}.`,
    ` Health: GET http://127.0.0.1:${built.spec.collector.healthCheck.port}/ (the health_check extension). There is no compose healthcheck:`,
    ' the official image is FROM scratch (the binary and CA certificates only), so there is no shell, wget or curl to run one.',
    ' user 0:0: a fresh named volume is owned by root and the image (uid 10001) cannot chown it; file_storage must create its queue files.',
    ` Memory: the container limit is memoryLimiter.limitMiB + 25% (docs/collector.md, "Sizing"); GOMEMLIMIT is 80% of that limit.`,
  ].join('\n');
}

/** The compose file for a destinations file, as YAML text (the CLI's `--format compose`). */
export function renderCompose(spec: DestinationsSpec, options: ComposeOptions = {}): string {
  const built = buildCollectorConfig(spec);
  return toYaml(packageCompose(built, options), composeComment(built, commentText(options.configFile ?? './collector-config.yaml'), options.publish));
}
