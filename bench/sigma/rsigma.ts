// The Rust peer of bench/sigma: rsigma-eval (crates.io) in a small harness
// (bench/sigma/peers/rsigma), built at run time in a temporary folder and cached
// under <cache>/rsigma/<key>, the key a hash of Cargo.toml, Cargo.lock, main.rs
// and the rustc version, so later runs reuse the binary. Benchmarks are not
// tests: without cargo, or when the build fails, buildRsigma logs why and
// returns undefined, and the caller leaves the row out with that reason.
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheRoot } from '../../src/tools/cache.js';
import { packageRoot } from '../../src/package-root.js';
import { heartbeat, run } from '../../src/tools/run.js';

export type RsigmaMode = 'eval' | 'e2e';

/** What the harness prints (one JSON line). Seconds and CPU cover the timed part only. */
export interface RsigmaResult {
  mode: RsigmaMode;
  events: number;
  /** Detection rules loaded (named rules of correlation files included; correlations are not loaded). */
  rules: number;
  /** Documents rsigma could not parse; should be empty. */
  rule_errors: string[];
  matches: number;
  /** Rule id (title when a rule has none) → matches; every loaded rule is listed, 0 included. */
  per_rule: Record<string, number>;
  wall_seconds: number;
  /** getrusage(RUSAGE_SELF) user + system over the timed part. */
  cpu_seconds: number;
  /**
   * Peak RSS of the harness at the end of the timed part (before pairs are sorted and written), KiB:
   * VmHWM from /proc/self/status. ru_maxrss would also count the pre-exec peak of the forked
   * parent (this Node process), so it is only the fallback where /proc is missing.
   */
  peak_rss_kib: number;
  peak_rss_source: 'VmHWM' | 'ru_maxrss';
  /** getrusage ru_maxrss at the same point, KiB (for reference; see peak_rss_kib). */
  ru_maxrss_kib: number;
  /** Parsing and compiling the rules (not timed). */
  load_seconds: number;
  /** eval only: reading and decoding the whole file into memory before the timed part. */
  decode_seconds: number | null;
  rsigma_eval: string;
}

const crateDir = () => join(packageRoot(), 'bench', 'sigma', 'peers', 'rsigma');
const CRATE_FILES = ['Cargo.toml', 'Cargo.lock', join('src', 'main.rs')];
const BINARY = 'rsigma-bench';

async function commandWorks(command: string, args: string[]): Promise<string | undefined> {
  try {
    const result = await run(command, args);
    return result.code === 0 ? result.stdout.trim() : undefined;
  } catch {
    return undefined; // ENOENT
  }
}

/** cargo from PATH, else rustup's default location (PATH often lacks it in non-login shells). */
async function findCargo(): Promise<{ cargo: string; version: string } | undefined> {
  for (const cargo of ['cargo', join(homedir(), '.cargo', 'bin', 'cargo')]) {
    const version = await commandWorks(cargo, ['--version']);
    if (version) return { cargo, version };
  }
  return undefined;
}

/**
 * Builds the harness (or reuses the cached build) and returns the binary's path,
 * or undefined, after logging why, when there is no Rust toolchain or the build fails.
 * The build runs under `nice -n 10` with CARGO_BUILD_JOBS=1 (unless set): the
 * machine is shared. Offline first (the crates may already be in ~/.cargo), else online.
 */
export async function buildRsigma(log: (line: string) => void = console.log): Promise<string | undefined> {
  const found = await findCargo();
  if (!found) {
    log('rsigma: skipped, no Rust toolchain (`cargo` is neither on PATH nor in ~/.cargo/bin); install one with https://rustup.rs to add the rsigma row');
    return undefined;
  }
  const rustc = (await commandWorks(join(found.cargo, '..', 'rustc'), ['--version'])) ?? (await commandWorks('rustc', ['--version'])) ?? 'rustc unknown';
  const hash = createHash('sha256');
  for (const file of CRATE_FILES) hash.update(file).update('\0').update(readFileSync(join(crateDir(), file))).update('\0');
  hash.update(rustc);
  const cacheDir = join(cacheRoot(), 'rsigma', hash.digest('hex').slice(0, 16));
  const binary = join(cacheDir, BINARY);
  if (existsSync(binary)) {
    log(`rsigma: using the cached build ${binary}`);
    return binary;
  }

  const work = mkdtempSync(join(tmpdir(), 'rsigma-build-'));
  try {
    for (const file of CRATE_FILES) {
      mkdirSync(join(work, file, '..'), { recursive: true });
      cpSync(join(crateDir(), file), join(work, file));
    }
    const nice = (await commandWorks('nice', ['--version'])) !== undefined;
    const env = { ...process.env, CARGO_BUILD_JOBS: process.env.CARGO_BUILD_JOBS ?? '1', CARGO_TARGET_DIR: join(work, 'target'), CARGO_TERM_COLOR: 'never' };
    const build = async (online: boolean) => {
      const args = ['build', '--release', '--locked', ...(online ? [] : ['--offline'])];
      const [command, commandArgs] = nice ? ['nice', ['-n', '10', found.cargo, ...args]] : [found.cargo, args];
      log(`rsigma: building with ${found.version}, ${rustc} (${online ? 'online' : 'offline'}; ${env.CARGO_BUILD_JOBS} job${env.CARGO_BUILD_JOBS === '1' ? '' : 's'}; several minutes on a busy machine)`);
      const stop = heartbeat('rsigma: cargo build', log);
      const started = performance.now();
      try {
        const result = await run(command, commandArgs, { cwd: work, env, onLine: (line) => /^\s*(Compiling|Finished|Downloaded|error|warning)/.test(line) && log(`rsigma: ${line.trim()}`) });
        return { ...result, seconds: (performance.now() - started) / 1000 };
      } finally {
        stop();
      }
    };
    let result = await build(false);
    if (result.code !== 0) {
      log('rsigma: the offline build failed (crates not downloaded yet?); trying online');
      result = await build(true);
    }
    if (result.code !== 0) {
      log(`rsigma: skipped, cargo build failed:\n${result.stderr.slice(-2000)}`);
      return undefined;
    }
    log(`rsigma: built in ${result.seconds.toFixed(0)} s`);
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${binary}.${process.pid}.partial`;
    copyFileSync(join(work, 'target', 'release', BINARY), partial);
    renameSync(partial, binary); // atomic: a concurrent run never sees half a binary
    return binary;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Runs the harness over `eventsFile` (JSON lines, one flat object of OTLP attribute
 * names per line, the event id in log.record.uid) with the detection rules under
 * `rulesPaths` (files or folders). With `pairsFile`, the harness also writes the
 * sorted `event id<TAB>rule id` pairs of every match there (held in memory until
 * the end: leave it off for the memory figure). Throws when the harness fails.
 */
export async function runRsigma(binary: string, rulesPaths: readonly string[], eventsFile: string, mode: RsigmaMode, pairsFile?: string): Promise<RsigmaResult> {
  const args = [mode, '--events', eventsFile, ...(pairsFile ? ['--pairs', pairsFile] : []), ...rulesPaths];
  const result = await run(binary, args);
  if (result.code !== 0) throw new Error(`rsigma ${mode} failed (exit ${result.code ?? result.signal}): ${result.stderr.slice(-2000)}`);
  const parsed = JSON.parse(result.stdout.trim().split('\n').pop()!) as RsigmaResult;
  if (parsed.rule_errors.length > 0) throw new Error(`rsigma could not parse some rules: ${parsed.rule_errors.join('; ')}`);
  return parsed;
}

/** The pairs file as `event id<TAB>rule id` strings, in the file's (sorted) order. */
export function readRsigmaPairs(pairsFile: string): string[] {
  return readFileSync(pairsFile, 'utf8').split('\n').filter((line) => line.length > 0);
}
