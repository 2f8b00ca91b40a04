// Runs the collector's own `validate` on a rendered config, with placeholder
// values for the environment variables it references (an unset variable would
// become empty and fail required fields), and maps the collector's error back
// to the destination whose component it names.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { collectorBuildBinary, isExecutable } from '../tools/cache.js';
import { ToolUnavailableError } from '../tools/errors.js';
import { run } from '../tools/run.js';
import { buildCollectorConfig, IDS, toYaml, type BuiltConfig } from './render.js';
import { envReferences } from './secrets.js';
import type { DestinationsSpec } from './spec.js';


/** OTELCOL_BIN, else otelcol-contrib or otelcol on PATH, else the project's cached build. */
export function findCollectorBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OTELCOL_BIN) {
    if (isExecutable(env.OTELCOL_BIN)) return env.OTELCOL_BIN;
    throw new ToolUnavailableError('The OpenTelemetry Collector', `OTELCOL_BIN=${env.OTELCOL_BIN} is not an executable file`, 'point OTELCOL_BIN at an otelcol-contrib binary, or unset it');
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of ['otelcol-contrib', 'otelcol']) {
      if (isExecutable(join(dir, name))) return join(dir, name);
    }
  }
  const built = collectorBuildBinary(env);
  if (isExecutable(built)) return built;
  throw new ToolUnavailableError(
    'The OpenTelemetry Collector',
    `OTELCOL_BIN is unset, no otelcol-contrib or otelcol is on PATH, and there is no build at ${built}`,
    'run `otel-audit collector build` (or `npm run collector:build`; needs Go), install otelcol-contrib, or set OTELCOL_BIN',
  );
}

/** A value for each referenced env var that passes the exporters' checks (URLs for URL-ish names). */
export function placeholderEnv(config: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of envReferences(config)) {
    env[name] = /URL|ENDPOINT|URI/i.test(name) ? `https://${name.toLowerCase().replace(/_/g, '-')}.placeholder.invalid/` : `placeholder-${name.toLowerCase()}`;
  }
  return env;
}

export interface CollectorValidation {
  ok: boolean;
  /** The collector's own message (its `Error:` line), empty when ok. */
  error: string;
  /** The destination whose component the error names, if any. */
  destination?: string;
  /**
   * The setting of the destinations file the error is about when it is not a
   * destination's own (`collector.batch`, `collector.memoryLimiter`, `domain`, …);
   * `destination` is then unset even if the component belongs to one.
   */
  setting?: string;
  /** The component id the error names, if any. */
  component?: string;
  /** Everything the collector printed. */
  output: string;
  binary: string;
}

/** The shared components and the setting of the destinations file each is made from. */
const SETTING_OF_COMPONENT: Record<string, string> = {
  [`receivers::${IDS.receiver}`]: 'collector.receiver',
  [`receivers::${IDS.kafkaReceiver}`]: 'collector.kafka',
  [`processors::${IDS.memoryLimiter}`]: 'collector.memoryLimiter',
  [`processors::${IDS.domainFilter}`]: 'domain',
  [`processors::${IDS.redaction}`]: 'collector.redaction',
  [`extensions::${IDS.health}`]: 'collector.healthCheck',
  [`extensions::${IDS.storage}`]: 'collector.queue.directory',
  'service::telemetry': 'collector.telemetry',
};

/** Keys every exporter gets from a collector setting, not from its destination (render.ts queueAndRetry). */
const SETTING_OF_EXPORTER_KEY: [string, string][] = [
  ['sending_queue::batch', 'collector.batch'],
  ['sending_queue', 'collector.queue'],
  ['retry_on_failure', 'collector.retry'],
];

const escapeForRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Who the collector's message is about: the first component id of `owners`
 * (a destination's) or of the shared components it names. A shared
 * component, or the sending queue or retry settings of an exporter, is
 * attributed to the collector setting it comes from, not to a destination.
 */
export function blameDestination(message: string, owners: ReadonlyMap<string, string>): { component?: string; destination?: string; setting?: string } {
  let best: { component: string; index: number; end: number; setting?: string } | undefined;
  const consider = (component: string, pattern: RegExp, setting?: string) => {
    const match = pattern.exec(message);
    if (!match) return;
    const index = match.index;
    if (!best || index < best.index || (index === best.index && component.length > best.component.length)) best = { component, index, end: index + match[0].length, setting };
  };
  for (const component of owners.keys()) {
    // Component ids appear as `exporters::splunk_hec/x:` or `"splunk_hec/x"`; match whole ids only.
    consider(component, new RegExp(`(?:^|[\\s:"'\`\\[])${escapeForRegex(component)}(?=$|[\\s:"'\`,\\]])`));
  }
  for (const [qualified, setting] of Object.entries(SETTING_OF_COMPONENT)) {
    consider(qualified.slice(qualified.indexOf('::') + 2), new RegExp(`(?:^|[\\s"'\`\\[])${escapeForRegex(qualified)}(?=$|[\\s:"'\`,\\]])`), setting);
  }
  if (!best) return {};
  if (best.setting) return { component: best.component, setting: best.setting };
  // `exporters::splunk_hec/x::sending_queue::batch: …` is about collector.batch.
  const below = /^((?:::[A-Za-z0-9_./-]+)*)/.exec(message.slice(best.end))![1]!.slice(2);
  const exporterSetting = SETTING_OF_EXPORTER_KEY.find(([key]) => below === key || below.startsWith(`${key}::`));
  if (exporterSetting) return { component: best.component, setting: exporterSetting[1] };
  return { component: best.component, destination: owners.get(best.component) };
}

export interface ValidateOptions {
  binary?: string;
  env?: NodeJS.ProcessEnv;
}

/** Validates a collector config object with the real collector. */
export async function validateConfigWithCollector(config: unknown, owners: ReadonlyMap<string, string> = new Map(), options: ValidateOptions = {}): Promise<CollectorValidation> {
  const env = options.env ?? process.env;
  const binary = options.binary ?? findCollectorBinary(env);
  const dir = mkdtempSync(join(tmpdir(), 'otel-audit-validate-'));
  try {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, toYaml(config));
    const result = await run(binary, ['validate', `--config=${file}`], { env: { ...env, ...placeholderEnv(config) } });
    const output = result.stdout + result.stderr;
    if (result.code === 0) return { ok: true, error: '', output, binary };
    const exit = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
    // A binary that is not a collector (OTELCOL_BIN=/bin/false) prints nothing: say how it ended.
    const errorLine = output.split('\n').find((line) => line.startsWith('Error:')) ?? (output.trim() ? `${output.trim().split('\n').pop()!} (${binary} validate ${exit})` : `${binary} validate ${exit} and printed nothing; is it an OpenTelemetry Collector?`);
    return { ok: false, error: errorLine.replace(/^Error:\s*/, ''), output, binary, ...blameDestination(errorLine, owners) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders a destinations spec and validates it with the real collector. */
export async function validateWithCollector(spec: DestinationsSpec | BuiltConfig, options: ValidateOptions = {}): Promise<CollectorValidation> {
  const built = 'owners' in spec ? spec : buildCollectorConfig(spec);
  return validateConfigWithCollector(built.config, built.owners, options);
}
