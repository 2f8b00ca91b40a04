// Makes the Python virtual environment with sigma-cli and the pySigma backends
// pinned in sigma/requirements.txt, cached outside git.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sigmaCliBinary, sigmaRequirementsPath, sigmaVenvDir } from './cache.js';
import type { ProvisionOptions } from './collector-build.js';
import { ToolUnavailableError } from './errors.js';
import { heartbeat, run } from './run.js';

const COMPLETE_MARKER = '.otel-audit-complete';

/** Returns the path of `sigma` (sigma-cli), making the virtual environment if needed. */
export async function provisionSigmaCli(options: ProvisionOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const requirements = sigmaRequirementsPath();
  const venv = sigmaVenvDir(env, requirements);
  const sigma = sigmaCliBinary(env, requirements);

  if (existsSync(join(venv, COMPLETE_MARKER)) && existsSync(sigma)) {
    log(`[sigma-cli] reusing cached virtual environment ${venv}`);
    return sigma;
  }

  const python = env.PYTHON ?? 'python3';
  const started = Date.now();
  // A virtual environment cannot be moved, so it is made in place and marked complete last.
  rmSync(venv, { recursive: true, force: true });
  log(`[sigma-cli] making a virtual environment in ${venv}`);
  const made = await run(python, ['-m', 'venv', venv], { env }).catch((error: Error) => ({ code: -1, stderr: error.message, stdout: '', signal: null }));
  if (made.code !== 0) {
    throw new ToolUnavailableError('sigma-cli', `\`${python} -m venv\` failed: ${made.stderr.trim()}`, 'install Python 3.9 or newer with its venv module (Debian: `apt-get install python3-venv`), or set PYTHON to such an interpreter, then run `npm run provision`');
  }
  log(`[sigma-cli] installing ${requirements}`);
  const stop = heartbeat('[sigma-cli] pip install', log);
  const pip = join(venv, 'bin', 'pip');
  const installed = await run(pip, ['install', '--disable-pip-version-check', '--no-input', '-r', requirements], { env, onLine: (l) => log(`[sigma-cli] ${l}`) }).finally(stop);
  if (installed.code !== 0) {
    throw new ToolUnavailableError('sigma-cli', `pip could not install ${requirements}:\n${installed.stderr.slice(-2000)}`, 'check that PyPI is reachable (pip config, PIP_INDEX_URL), then run `npm run provision` again');
  }
  const check = await run(pip, ['check', '--disable-pip-version-check'], { env });
  if (check.code !== 0) {
    throw new ToolUnavailableError('sigma-cli', `the pinned packages do not fit together:\n${check.stdout}`, `correct the pins in ${requirements}`);
  }
  const version = await run(sigma, ['version'], { env });
  if (version.code !== 0) {
    throw new ToolUnavailableError('sigma-cli', `\`sigma version\` failed: ${version.stderr}`, `remove ${venv} and run \`npm run provision\` again`);
  }
  writeFileSync(join(venv, COMPLETE_MARKER), new Date().toISOString());
  log(`[sigma-cli] sigma-cli ${version.stdout.trim()} ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return sigma;
}
