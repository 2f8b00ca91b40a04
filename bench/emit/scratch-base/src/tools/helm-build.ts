// Builds Helm from its Go module (`go install helm.sh/helm/v3/cmd/helm`) and
// caches the binary outside git, keyed by the pinned version, so the tests can
// run the real `helm template` on the `--format helm` values.
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, isExecutable } from './cache.js';
import { ToolUnavailableError } from './errors.js';
import { requireGo } from './go.js';
import { heartbeat, run } from './run.js';
import type { ProvisionOptions } from './collector-build.js';

/** The Helm release the tests run. The Go module proxy this project builds from serves it completely. */
export const HELM_VERSION = 'v3.22.0';
/** The Kubernetes version Helm reports to charts (`.Capabilities.KubeVersion`): its k8s.io modules' (v0.37 → 1.37), as Helm's Makefile sets it. */
const HELM_KUBE_VERSION = { major: '1', minor: '37' };
const HELM_MODULE = 'helm.sh/helm/v3';

/** The folder the pinned Helm is built into. */
export function helmBuildDir(env: NodeJS.ProcessEnv = process.env, version = HELM_VERSION): string {
  return join(cacheRoot(env), 'helm', version);
}

export function helmBuildBinary(env: NodeJS.ProcessEnv = process.env, version = HELM_VERSION): string {
  return join(helmBuildDir(env, version), 'helm');
}


const HOW_TO_GET = 'run `npm run provision` (or `node scripts/provision.mjs helm`; needs Go 1.24+) to build it, or set HELM_BIN to a helm v3 binary';

/** The Helm binary to run, without building: HELM_BIN, else the cached build; fails with instructions when there is none. */
export function findHelmBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HELM_BIN) {
    if (!isExecutable(env.HELM_BIN)) throw new ToolUnavailableError('Helm', `HELM_BIN=${env.HELM_BIN} is not an executable file`, 'point HELM_BIN at a helm v3 binary, or unset it and run `npm run provision` to build one');
    return env.HELM_BIN;
  }
  const binary = helmBuildBinary(env);
  if (!isExecutable(binary)) throw new ToolUnavailableError('Helm', `no executable at ${binary}`, HOW_TO_GET);
  return binary;
}

/**
 * Returns the path of a Helm binary: `HELM_BIN` when set, else the cached
 * build of {@link HELM_VERSION}, building it when the cache has none.
 */
export async function provisionHelm(options: ProvisionOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));

  if (env.HELM_BIN) {
    const binary = findHelmBinary(env);
    log(`[helm] using HELM_BIN=${binary}`);
    return binary;
  }

  const binary = helmBuildBinary(env);
  if (isExecutable(binary)) {
    log(`[helm] reusing cached build ${binary}`);
    return binary;
  }

  const goVersion = await requireGo(env, 'Helm', 'HELM_BIN to a helm v3 binary');

  const buildDir = helmBuildDir(env);
  const workDir = `${buildDir}.work-${process.pid}`;
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const started = Date.now();
  log(`[helm] installing ${HELM_MODULE}/cmd/helm@${HELM_VERSION} with ${goVersion}; the first build takes a few minutes`);

  // GOSUMDB=off: the module mirror this project builds from serves the modules
  // but not the checksum database; Helm's go.sum still pins every dependency.
  // The ldflags are those of Helm's Makefile: the version `helm version` prints
  // and the Kubernetes version charts see.
  const ldflags = [
    '-s',
    '-w',
    `-X ${HELM_MODULE}/internal/version.version=${HELM_VERSION}`,
    `-X ${HELM_MODULE}/pkg/chartutil.k8sVersionMajor=${HELM_KUBE_VERSION.major}`,
    `-X ${HELM_MODULE}/pkg/chartutil.k8sVersionMinor=${HELM_KUBE_VERSION.minor}`,
    `-X ${HELM_MODULE}/pkg/lint/rules.k8sVersionMajor=${HELM_KUBE_VERSION.major}`,
    `-X ${HELM_MODULE}/pkg/lint/rules.k8sVersionMinor=${HELM_KUBE_VERSION.minor}`,
  ].join(' ');
  const goEnv = { ...env, GOSUMDB: 'off', CGO_ENABLED: '0', GOBIN: workDir };
  const stop = heartbeat('[helm] build', log);
  const install = await run('go', ['install', '-trimpath', `-ldflags=${ldflags}`, `${HELM_MODULE}/cmd/helm@${HELM_VERSION}`], { env: goEnv, cwd: workDir, onLine: (l) => log(`[helm] ${l}`) }).finally(stop);
  const built = join(workDir, 'helm');
  if (install.code !== 0 || !isExecutable(built)) {
    throw new ToolUnavailableError('Helm', `\`go install ${HELM_MODULE}/cmd/helm@${HELM_VERSION}\` failed (exit ${install.code}); its last output:\n${install.stderr.slice(-3000)}`, 'check that the Go module proxy is reachable (GOPROXY) and serves every module Helm needs, then run `npm run provision` again, or set HELM_BIN to a helm v3 binary');
  }
  mkdirSync(buildDir, { recursive: true });
  renameSync(built, binary);
  rmSync(workDir, { recursive: true, force: true });
  const seconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(join(buildDir, 'build-info.json'), JSON.stringify({ version: HELM_VERSION, kubeVersion: `v${HELM_KUBE_VERSION.major}.${HELM_KUBE_VERSION.minor}.0`, seconds, bytes: statSync(binary).size, builtAt: new Date().toISOString() }, null, 2));
  log(`[helm] built ${binary} in ${seconds} s`);
  return binary;
}
