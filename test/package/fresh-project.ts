// The package as a user gets it: `npm pack`, then in an empty folder
// `npm init -y` and `npm install` of the tarball (docs/getting-started.md's
// first steps, with the tarball standing in for the registry). Made once per
// test run and shared by the suites that need it (test/package,
// test/docs/getting-started): the first to ask packs and installs, the others
// wait for it and reuse the project.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '../../src/package-root.js';

const INSTALL_TIMEOUT_MS = 240_000;

/** The environment for commands run in the fresh project: this Node first on PATH, so `npx otel-audit` runs on it (not on an older system Node). */
export function freshProjectEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false', ...extra };
}

function install(project: string): void {
  const env = freshProjectEnv();
  mkdirSync(project, { recursive: true });
  // dist/ was built by `npm test`; --ignore-scripts keeps pack from building again.
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', project], { cwd: packageRoot(), stdio: 'pipe', env });
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'))!;
  execFileSync('npm', ['init', '-y'], { cwd: project, stdio: 'pipe', env });
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', `./${tarball}`], { cwd: project, stdio: 'pipe', env });
}

/**
 * The folder of the fresh project, installed on first use. The test run's
 * temp folder (test/harness/global-setup.ts) holds it, so each run packs the
 * current build once; the vitest process id keeps runs apart if TMPDIR is shared.
 */
export async function freshProject(): Promise<string> {
  const base = join(tmpdir(), `otel-audit-fresh-project-${process.ppid}`);
  const project = join(base, 'project');
  const ready = join(base, 'ready');
  const failed = join(base, 'failed');
  let owner = false;
  try {
    mkdirSync(base); // atomic: exactly one suite installs
    owner = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (owner) {
    try {
      install(project);
      writeFileSync(ready, project);
    } catch (error) {
      const e = error as Error & { stderr?: Buffer };
      writeFileSync(failed, `${e.message}\n${e.stderr?.toString() ?? ''}`);
      throw error;
    }
    return project;
  }
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  while (!existsSync(ready)) {
    if (existsSync(failed)) throw new Error(`installing the packed package failed in another suite:\n${readFileSync(failed, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`the packed package was not installed in ${base} within ${INSTALL_TIMEOUT_MS / 1000}s`);
    await sleep(250);
  }
  return project;
}
