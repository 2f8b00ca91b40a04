// Finds, validates, starts and stops the real OpenTelemetry Collector built by
// `npm run provision`. OTELCOL_BIN overrides the cached build.
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { collectorBuildBinary } from '../../src/tools/cache.js';
import { decodeOtlpJsonLines, type DecodedLogRecord } from '../../src/event/otlp-json.js';
import { ToolUnavailableError } from '../../src/tools/errors.js';
import { startCollectorProcess, type CollectorProcess } from '../../src/tools/collector-process.js';
import { run } from '../../src/tools/run.js';
import { freePort } from './ports.js';

/** The collector binary the tests run; fails with instructions when there is none. */
export function collectorBinary(env: NodeJS.ProcessEnv = process.env): string {
  const binary = env.OTELCOL_BIN ?? collectorBuildBinary(env);
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new ToolUnavailableError('The OpenTelemetry Collector', `no executable at ${binary}`, 'run `npm run provision` (needs Go 1.24+) to build it from collector/builder-config.yaml, or set OTELCOL_BIN to an otelcol-contrib binary');
  }
  return binary;
}

export interface CollectorPorts {
  otlpGrpc: number;
  otlpHttp: number;
  health: number;
}

export type ConfigSource = string | Record<string, unknown>;

function writeConfig(dir: string, config: ConfigSource): string {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, typeof config === 'string' ? config : stringify(config));
  return file;
}

export interface ValidateResult {
  ok: boolean;
  output: string;
}

/** Runs `otelcol validate --config`; the collector's own check of a config. */
export async function validateConfig(config: ConfigSource, env: Record<string, string> = {}): Promise<ValidateResult> {
  const dir = mkdtempSync(join(tmpdir(), 'otel-audit-validate-'));
  const file = writeConfig(dir, config);
  const result = await run(collectorBinary(), ['validate', `--config=${file}`], { env: { ...process.env, ...env } });
  return { ok: result.code === 0, output: result.stdout + result.stderr };
}

export interface RunningCollector extends CollectorProcess {
  ports: CollectorPorts;
  /** A scratch folder for this collector (file exporter output, queues). */
  workDir: string;
  configFile: string;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Another collector binary than the tests' build (benchmarks compare builds). */
  binary?: string;
  /** A folder to reuse (e.g. a restarted collector keeping its queue). */
  workDir?: string;
  ports?: CollectorPorts;
  readyTimeoutMillis?: number;
}

/**
 * Starts the collector with a config made for its ports and scratch folder,
 * and waits until its health_check extension answers. The config must enable
 * `health_check` on `ports.health` (see `minimalFileConfig`).
 */
export async function startCollector(makeConfig: (ports: CollectorPorts, workDir: string) => ConfigSource, options: StartOptions = {}): Promise<RunningCollector> {
  const binary = options.binary ?? collectorBinary();
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'otel-audit-collector-'));
  for (let attempt = 1; ; attempt++) {
    const ports = options.ports ?? { otlpGrpc: await freePort(), otlpHttp: await freePort(), health: await freePort() };
    const configFile = writeConfig(workDir, makeConfig(ports, workDir));
    try {
      const collector = await startCollectorProcess({ binary, configFile, healthPort: ports.health, env: options.env, timeoutMillis: options.readyTimeoutMillis });
      return Object.assign(collector, { ports, workDir, configFile });
    } catch (error) {
      // A port found free was taken by another test before the collector bound it: choose the ports again.
      if (options.ports || attempt >= 3 || !/address already in use/.test((error as Error).message)) throw error;
    }
  }
}

/**
 * The smallest useful config: OTLP (gRPC + HTTP) on loopback into the file
 * exporter, health_check on, the collector's own metrics off (so several
 * collectors can run side by side).
 */
export function minimalFileConfig(ports: CollectorPorts, outputFile: string): Record<string, unknown> {
  return {
    receivers: {
      otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${ports.otlpGrpc}` }, http: { endpoint: `127.0.0.1:${ports.otlpHttp}` } } },
    },
    exporters: { file: { path: outputFile, flush_interval: '100ms' } },
    extensions: { health_check: { endpoint: `127.0.0.1:${ports.health}` } },
    service: {
      extensions: ['health_check'],
      telemetry: { metrics: { level: 'none' } },
      pipelines: { logs: { receivers: ['otlp'], exporters: ['file'] } },
    },
  };
}

/**
 * The records in a file exporter's output so far. The exporter's buffered
 * writer may have flushed half a line; only complete lines are read, as a
 * tailing reader must.
 */
export function readFileExporterOutput(file: string): DecodedLogRecord[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return decodeOtlpJsonLines(text.slice(0, text.lastIndexOf('\n') + 1), file);
}
