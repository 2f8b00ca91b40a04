// Runs a collector binary on a config file: waits until its health_check
// extension answers, keeps its output, and stops it (SIGTERM, then SIGKILL) or
// kills it outright. Shared by the demo and the test harness.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { OtelAuditError } from '../errors.js';

/** A TCP port that is free on the loopback interface right now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface CollectorProcess {
  pid: number;
  /** Everything the collector has written so far. */
  logs(): string;
  /** SIGTERM, then SIGKILL after `graceMillis`; resolves when the process is gone. */
  stop(graceMillis?: number): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

export interface StartCollectorProcessOptions {
  binary: string;
  configFile: string;
  /** The port of the config's health_check extension on 127.0.0.1. */
  healthPort: number;
  env?: Record<string, string>;
  timeoutMillis?: number;
}

async function healthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Starts the collector and resolves once it is healthy; rejects with its output if it exits or times out first. */
export async function startCollectorProcess(options: StartCollectorProcessOptions): Promise<CollectorProcess> {
  const timeoutMillis = options.timeoutMillis ?? 30_000;
  const child = spawn(options.binary, [`--config=${options.configFile}`], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async (graceMillis = 10_000) => {
    if (!running()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMillis);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMillis;
  while (!(await healthy(options.healthPort))) {
    if (!running()) throw new OtelAuditError('TOOL_FAILED', `the collector exited (${child.exitCode ?? child.signalCode}) before it was healthy; its output:\n${output.slice(-4000)}`);
    if (Date.now() > deadline) {
      await stop(1000);
      throw new OtelAuditError('TOOL_FAILED', `the collector did not answer on its health port ${options.healthPort} within ${timeoutMillis / 1000} s; its output:\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid ?? -1,
    logs: () => output,
    stop,
    kill: async () => {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
}
