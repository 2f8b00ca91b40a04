// moto's server (PyPI, Apache-2.0) as the S3 and CloudWatch Logs the tests
// deliver to: a virtual environment made from test/harness/moto-requirements.txt
// (cached, keyed by its content), and `moto_server` on a free loopback port.
// moto does not check signatures: any access key works, and it routes a
// request to a service by the credential scope of its Authorization header.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { ProvisionOptions } from './collector-build.js';
import { freeLoopbackPort } from './collector-process.js';
import { ToolUnavailableError } from './errors.js';
import { provisionVenv, venvDir, type VenvSpec } from './python-venv.js';

export function motoRequirementsPath(root = packageRoot()): string {
  return join(root, 'test', 'harness', 'moto-requirements.txt');
}

function motoVenv(): VenvSpec {
  return { tool: 'moto', folder: 'moto-venv', requirements: motoRequirementsPath() };
}

/** The `moto_server` of the cached virtual environment (it may not exist yet). */
export function motoServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  return join(venvDir(motoVenv(), env), 'bin', 'moto_server');
}

/** Makes the virtual environment with moto's server once; returns the path of `moto_server`. */
export async function provisionMoto(options: ProvisionOptions = {}): Promise<string> {
  const venv = await provisionVenv(motoVenv(), options);
  return join(venv, 'bin', 'moto_server');
}

export interface RunningMoto {
  /** http://127.0.0.1:<port>: the endpoint of every AWS service moto plays. */
  readonly url: string;
  readonly port: number;
  /** What moto_server has written so far (its request log). */
  logs(): string;
  stop(): Promise<void>;
}

/** Starts `moto_server` on a free loopback port and waits until it answers. */
export async function startMoto(options: ProvisionOptions & { timeoutMillis?: number } = {}): Promise<RunningMoto> {
  const env = options.env ?? process.env;
  const binary = await provisionMoto(options);
  const port = await freeLoopbackPort();
  const child = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-50_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!running()) return;
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, name);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMillis ?? 60_000);
  for (;;) {
    if (!running()) {
      throw new ToolUnavailableError('moto', `moto_server exited (${child.exitCode ?? child.signalCode}) before answering; its output:\n${output.slice(-3000)}`, `remove ${join(binary, '..', '..')} and run \`npm run provision\` again`);
    }
    const ready = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ready) return { url, port, logs: () => output, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new ToolUnavailableError('moto', `moto_server did not answer on ${url} in time; its output:\n${output.slice(-3000)}`, 'the machine may be overloaded; run the tests again');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The moto version pinned in the requirements file. */
export function motoVersion(requirements = motoRequirementsPath()): string {
  const pin = /^moto(?:\[[^\]]*\])?==(\S+)/m.exec(readFileSync(requirements, 'utf8'));
  return pin?.[1] ?? 'unknown';
}
