// A cached Python virtual environment made from a pinned requirements file:
// made in place (a venv cannot be moved), marked complete last, and reused
// while the requirements file is unchanged (its folder is keyed by its content).
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, contentKey } from './cache.js';
import type { ProvisionOptions } from './collector-build.js';
import { ToolUnavailableError } from './errors.js';
import { heartbeat, run } from './run.js';

const COMPLETE_MARKER = '.otel-audit-complete';

export interface VenvSpec {
  /** The tool's name in messages, e.g. "moto". */
  tool: string;
  /** The folder under the cache root, e.g. "moto-venv". */
  folder: string;
  requirements: string;
}

/** Where the virtual environment for `spec` lives (it may not exist yet). */
export function venvDir(spec: VenvSpec, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), spec.folder, contentKey(spec.requirements));
}

/** True when the virtual environment was made completely. */
export function venvReady(spec: VenvSpec, env: NodeJS.ProcessEnv = process.env): boolean {
  return existsSync(join(venvDir(spec, env), COMPLETE_MARKER));
}

/** Makes the virtual environment unless a complete one exists; returns its folder. */
export async function provisionVenv(spec: VenvSpec, options: ProvisionOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const label = `[${spec.tool}]`;
  const venv = venvDir(spec, env);
  if (venvReady(spec, env)) {
    log(`${label} reusing cached virtual environment ${venv}`);
    return venv;
  }
  const python = env.PYTHON ?? 'python3';
  const started = Date.now();
  rmSync(venv, { recursive: true, force: true });
  log(`${label} making a virtual environment in ${venv}`);
  const made = await run(python, ['-m', 'venv', venv], { env }).catch((error: Error) => ({ code: -1, stderr: error.message, stdout: '', signal: null }));
  if (made.code !== 0) {
    throw new ToolUnavailableError(spec.tool, `\`${python} -m venv\` failed: ${made.stderr.trim()}`, 'install Python 3.9 or newer with its venv module (Debian: `apt-get install python3-venv`), or set PYTHON to such an interpreter, then run `npm run provision`');
  }
  log(`${label} installing ${spec.requirements}`);
  const stop = heartbeat(`${label} pip install`, log);
  const pip = join(venv, 'bin', 'pip');
  const installed = await run(pip, ['install', '--disable-pip-version-check', '--no-input', '-r', spec.requirements], { env, onLine: (l) => log(`${label} ${l}`) }).finally(stop);
  if (installed.code !== 0) {
    throw new ToolUnavailableError(spec.tool, `pip could not install ${spec.requirements}:\n${installed.stderr.slice(-2000)}`, 'check that PyPI is reachable (pip config, PIP_INDEX_URL), then run `npm run provision` again');
  }
  const check = await run(pip, ['check', '--disable-pip-version-check'], { env });
  if (check.code !== 0) {
    throw new ToolUnavailableError(spec.tool, `the pinned packages do not fit together:\n${check.stdout}`, `correct the pins in ${spec.requirements}`);
  }
  writeFileSync(join(venv, COMPLETE_MARKER), new Date().toISOString());
  log(`${label} ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return venv;
}
