// Runs the real collector for the demo: a rendered config in a scratch folder,
// loopback ports, a wait until its health_check answers, and a clean stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A free TCP port on the loopback interface. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface DemoCollector {
  configFile: string;
  logFile: string;
  logs(): string;
  stop(): Promise<void>;
}

async function healthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

function exitedPromise(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Writes `yaml` to `<dir>/collector.yaml`, starts `binary` on it and waits until healthy. */
export async function startDemoCollector(binary: string, yaml: string, dir: string, healthPort: number, env: Record<string, string>, timeoutMs = 30_000): Promise<DemoCollector> {
  const configFile = join(dir, 'collector.yaml');
  const logFile = join(dir, 'collector.log');
  writeFileSync(configFile, yaml);
  const child = spawn(binary, [`--config=${configFile}`], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = exitedPromise(child);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    writeFileSync(logFile, output);
  };

  const deadline = Date.now() + timeoutMs;
  while (!(await healthy(healthPort))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      writeFileSync(logFile, output);
      throw new Error(`the collector exited (${child.exitCode ?? child.signalCode}) before it was healthy; its output:\n${output.slice(-4000)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the collector did not answer on its health port ${healthPort} within ${timeoutMs / 1000}s; its output:\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { configFile, logFile, logs: () => output, stop };
}
