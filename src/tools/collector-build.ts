// Builds the OpenTelemetry Collector from collector/builder-config.yaml with the
// collector builder (ocb) and caches the binary outside git.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { builderManifestPath, cacheRoot, collectorBuildBinary, collectorBuildDir, COLLECTOR_BINARY_NAME, contentKey, isExecutable } from './cache.js';
import { ToolUnavailableError } from './errors.js';
import { requireGo } from './go.js';
import { heartbeat, run } from './run.js';
import { OtelAuditError } from '../errors.js';

export interface ProvisionOptions {
  env?: NodeJS.ProcessEnv;
  /** Another builder manifest than collector/builder-config.yaml (bench/collector builds one); OTELCOL_BIN does not stand in for it. */
  manifest?: string;
  /** Progress lines; defaults to stderr. */
  log?: (line: string) => void;
}

interface BuilderManifest {
  dist?: { output_path?: string; name?: string };
  receivers?: { gomod: string }[];
}

const CORE_MODULE_PREFIX = 'go.opentelemetry.io/collector/';

/** The builder version matches the core modules' version in the manifest. */
export function builderVersion(manifestText: string): string {
  const manifest = parse(manifestText) as BuilderManifest;
  for (const entry of manifest.receivers ?? []) {
    const [module, version] = entry.gomod.split(/\s+/);
    if (module?.startsWith(CORE_MODULE_PREFIX) && version) return version;
  }
  throw new OtelAuditError('INTERNAL', 'collector/builder-config.yaml: no core receiver (go.opentelemetry.io/collector/...) to take the builder version from');
}


/**
 * Returns the path of a collector binary holding the manifest's components,
 * building it when the cache has none for the manifest's current content.
 * `OTELCOL_BIN` overrides the build.
 */
export async function provisionCollector(options: ProvisionOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));

  if (env.OTELCOL_BIN && options.manifest === undefined) {
    if (!isExecutable(env.OTELCOL_BIN)) {
      throw new ToolUnavailableError('The OpenTelemetry Collector', `OTELCOL_BIN=${env.OTELCOL_BIN} is not an executable file`, 'point OTELCOL_BIN at an otelcol-contrib binary, or unset it to build one with `npm run provision`');
    }
    log(`[collector] using OTELCOL_BIN=${env.OTELCOL_BIN}`);
    return env.OTELCOL_BIN;
  }

  const manifestFile = options.manifest ?? builderManifestPath();
  const binary = collectorBuildBinary(env, manifestFile);
  if (isExecutable(binary)) {
    log(`[collector] reusing cached build ${binary}`);
    return binary;
  }

  const goVersion = await requireGo(env, 'The OpenTelemetry Collector', 'OTELCOL_BIN to an otelcol-contrib binary');

  const manifestText = readFileSync(manifestFile, 'utf8');
  const version = builderVersion(manifestText);
  const buildDir = collectorBuildDir(env, manifestFile);
  const workDir = `${buildDir}.work-${process.pid}`;
  const started = Date.now();
  log(`[collector] building from ${manifestFile} (key ${contentKey(manifestFile)}) with ${goVersion}. Expect 10 to 35 minutes on 2 cores with cold Go caches (under a minute when they are warm); OTELCOL_BIN=/path/to/otelcol-contrib skips the build`);

  // GOSUMDB=off: the module mirror this project builds from serves the modules
  // but not the checksum database; go.sum still pins every module's hash.
  const goEnv = { ...env, GOSUMDB: 'off', CGO_ENABLED: '0' };
  const builderDir = join(cacheRoot(env), 'builder', version);
  const builder = join(builderDir, 'builder');
  if (!isExecutable(builder)) {
    log(`[collector] installing the collector builder ${version}`);
    const install = await run('go', ['install', `go.opentelemetry.io/collector/cmd/builder@${version}`], { env: { ...goEnv, GOBIN: builderDir }, onLine: (l) => log(`[collector] ${l}`) });
    if (install.code !== 0) {
      throw new ToolUnavailableError('The collector builder', `\`go install go.opentelemetry.io/collector/cmd/builder@${version}\` failed:\n${install.stderr.slice(-2000)}`, 'check that the Go module proxy is reachable (GOPROXY), then run `npm run provision` again');
    }
  }

  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const manifest = parse(manifestText) as BuilderManifest & { dist: Record<string, unknown> };
  manifest.dist = { ...manifest.dist, output_path: join(workDir, 'src') };
  const workManifest = join(workDir, 'builder-config.yaml');
  writeFileSync(workManifest, stringify(manifest));

  const stop = heartbeat('[collector] build', log);
  const build = await run(builder, ['--config', workManifest], { env: goEnv, cwd: workDir, onLine: (l) => log(`[collector] ${l}`) }).finally(stop);
  const built = join(workDir, 'src', COLLECTOR_BINARY_NAME);
  if (build.code !== 0 || !existsSync(built)) {
    throw new ToolUnavailableError('The OpenTelemetry Collector', `the collector builder failed (exit ${build.code}); its last output:\n${(build.stderr || build.stdout).slice(-3000)}`, `fix the cause above (a component missing from the Go module proxy shows as "not found"); the work folder is ${workDir}`);
  }
  mkdirSync(buildDir, { recursive: true });
  renameSync(built, binary);
  const seconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(join(buildDir, 'build-info.json'), JSON.stringify({ manifestKey: contentKey(manifestFile), builderVersion: version, seconds, builtAt: new Date().toISOString() }, null, 2));
  rmSync(workDir, { recursive: true, force: true });
  log(`[collector] built ${binary} in ${seconds} s`);
  return binary;
}
