// Runs the collector's own `validate` on a rendered config, with placeholder
// values for the environment variables it references (an unset variable would
// become empty and fail required fields), and maps the collector's error back
// to the destination whose component it names.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { collectorBuildBinary, isExecutable } from '../tools/cache.js';
import { ToolUnavailableError } from '../tools/errors.js';
import { run } from '../tools/run.js';
import { buildCollectorConfig, type BuiltConfig } from './render.js';
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
  /** The component id the error names, if any. */
  component?: string;
  /** Everything the collector printed. */
  output: string;
  binary: string;
}

/** Finds the first component id of `owners` in the collector's message. */
export function blameDestination(message: string, owners: ReadonlyMap<string, string>): { component?: string; destination?: string } {
  let best: { component: string; index: number } | undefined;
  for (const component of owners.keys()) {
    // Component ids appear as `exporters::splunk_hec/x:` or `"splunk_hec/x"`; match whole ids only.
    const pattern = new RegExp(`(?:^|[\\s:"'\`\\[])${component.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[\\s:"'\`,\\]])`);
    const match = pattern.exec(message);
    if (match && (!best || match.index < best.index || (match.index === best.index && component.length > best.component.length))) best = { component, index: match.index };
  }
  return best ? { component: best.component, destination: owners.get(best.component) } : {};
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
    writeFileSync(file, stringify(config, { lineWidth: 0, aliasDuplicateObjects: false }));
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
