// A real OpenSearch for the tests: the integration-test distribution that
// Maven Central publishes (Apache-2.0, about 50 MB, no plugins), fetched with
// Maven, unpacked into the cache, and run as a single node on loopback with
// the machine's Java. OpenSearch refuses to run as root, so as root it runs as
// an unprivileged user (uid 65534) from a copy that user owns.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from './cache.js';
import type { ProvisionOptions } from './collector-build.js';
import { ToolUnavailableError } from './errors.js';
import { superviseServer } from './server-process.js';
import { freeLoopbackPort } from './collector-process.js';
import { heartbeat, run } from './run.js';

export const OPENSEARCH_VERSION = '2.19.3';
const ARTIFACT = `org.opensearch.distribution.integ-test-zip:opensearch:${OPENSEARCH_VERSION}:zip`;
const COMPLETE_MARKER = '.otel-audit-complete';
/** The user OpenSearch runs as when we are root ("nobody" on Debian). */
const UNPRIVILEGED_UID = 65534;

export function openSearchHome(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'opensearch', OPENSEARCH_VERSION, `opensearch-${OPENSEARCH_VERSION}`);
}

/** JAVA_HOME, else the JDK that `java` on PATH belongs to. */
export async function findJavaHome(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.JAVA_HOME && existsSync(join(env.JAVA_HOME, 'bin', 'java'))) return env.JAVA_HOME;
  const which = await run('sh', ['-c', 'command -v java'], { env }).catch(() => undefined);
  const java = which?.code === 0 ? which.stdout.trim() : '';
  if (!java) throw new ToolUnavailableError('Java', 'no JAVA_HOME and no `java` on PATH', 'install a JDK 17 or newer (Debian: `apt-get install openjdk-17-jdk-headless`) or set JAVA_HOME');
  return join(realpathSync(java), '..', '..');
}

/** Fetches and unpacks the pinned OpenSearch once; returns its home folder. */
export async function provisionOpenSearch(options: ProvisionOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const home = openSearchHome(env);
  if (existsSync(join(home, COMPLETE_MARKER))) {
    log(`[opensearch] reusing ${home}`);
    return home;
  }
  await findJavaHome(env);
  const folder = join(home, '..');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  log(`[opensearch] fetching ${ARTIFACT} with Maven (about 50 MB)`);
  const stop = heartbeat('[opensearch] download', log);
  const fetched = await run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${folder}`], { env }).catch((error: Error) => ({ code: -1, stdout: '', stderr: error.message, signal: null })).finally(stop);
  const zip = join(folder, `opensearch-${OPENSEARCH_VERSION}.zip`);
  if (fetched.code !== 0 || !existsSync(zip)) {
    throw new ToolUnavailableError('OpenSearch', `Maven could not fetch ${ARTIFACT}:\n${(fetched.stdout + fetched.stderr).slice(-2000)}`, 'install Maven (Debian: `apt-get install maven`) and check that Maven Central is reachable, then run `npm run provision` again');
  }
  const unzipped = await run('python3', ['-m', 'zipfile', '-e', zip, folder], { env });
  if (unzipped.code !== 0) throw new ToolUnavailableError('OpenSearch', `could not unpack ${zip}: ${unzipped.stderr}`, 'install Python 3 (its zipfile module unpacks the archive), then run `npm run provision` again');
  rmSync(zip, { force: true });
  // Python's zipfile does not keep the executable bits of the scripts.
  for (const script of readdirSync(join(home, 'bin'))) chmodSync(join(home, 'bin', script), 0o755);
  writeFileSync(join(home, COMPLETE_MARKER), new Date().toISOString());
  log(`[opensearch] OpenSearch ${OPENSEARCH_VERSION} ready in ${home}`);
  return home;
}

export interface RunningOpenSearch {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts a single-node OpenSearch on free loopback ports and waits until it
 * answers. Its data lives in a scratch folder removed by stop().
 */
export async function startOpenSearch(options: ProvisionOptions & { heapMb?: number } = {}): Promise<RunningOpenSearch> {
  const env = options.env ?? process.env;
  const home = await provisionOpenSearch(options);
  const javaHome = await findJavaHome(env);
  const asRoot = process.getuid?.() === 0;
  // The unprivileged user must be able to enter every folder up to the copy, so it lives in /tmp itself.
  const scratch = mkdtempSync(join(asRoot ? '/tmp' : (env.TMPDIR ?? '/tmp'), 'otel-audit-opensearch-'));
  const copy = join(scratch, 'home');
  cpSync(home, copy, { recursive: true });
  for (const folder of ['data', 'logs']) mkdirSync(join(scratch, folder));
  if (asRoot) chownTree(scratch, UNPRIVILEGED_UID);
  const [port, transport] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const args = [
    '-Ediscovery.type=single-node',
    '-Enetwork.host=127.0.0.1',
    `-Ehttp.port=${port}`,
    `-Etransport.port=${transport}`,
    `-Epath.data=${join(scratch, 'data')}`,
    `-Epath.logs=${join(scratch, 'logs')}`,
    // A nearly full test disk must not turn the indices read-only mid-test.
    '-Ecluster.routing.allocation.disk.threshold_enabled=false',
  ];
  const command = join(copy, 'bin', 'opensearch');
  const childEnv = { ...env, OPENSEARCH_JAVA_HOME: javaHome, OPENSEARCH_JAVA_OPTS: `-Xms${options.heapMb ?? 512}m -Xmx${options.heapMb ?? 512}m`, OPENSEARCH_PATH_CONF: join(copy, 'config') };
  const child: ChildProcess = asRoot
    ? spawn('setpriv', [`--reuid=${UNPRIVILEGED_UID}`, `--regid=${UNPRIVILEGED_UID}`, '--clear-groups', command, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(command, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const { output, stop } = superviseServer(child, scratch, 15_000);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new ToolUnavailableError('OpenSearch', `it exited (${child.exitCode}) before answering; its output:\n${output().slice(-3000)}`, 'read the output above (Java version, memory, permissions)');
    }
    const ready = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`).then((r) => r.ok, () => false);
    if (ready) return { url, port, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new ToolUnavailableError('OpenSearch', `it did not answer on ${url} within 180 s; its output:\n${output().slice(-3000)}`, 'the machine may be overloaded; run the tests again');
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function chownTree(path: string, uid: number): void {
  chownSync(path, uid, uid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, uid);
    else chownSync(child, uid, uid);
  }
}
