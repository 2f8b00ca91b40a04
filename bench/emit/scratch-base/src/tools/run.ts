// Running external tools (go, the collector builder, pip) with their output
// streamed line by line, so a long build shows progress instead of silence.
import { spawn, type SpawnOptions } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions extends SpawnOptions {
  /** Called with every line the tool writes, stdout and stderr alike. */
  onLine?: (line: string) => void;
}

/** Runs a command to completion; never throws for a non-zero exit (the caller decides). */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { onLine, ...spawnOptions } = options;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const splitter = () => {
      let partial = '';
      return (chunk: Buffer) => {
        if (!onLine) return;
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      };
    };
    const outLines = splitter();
    const errLines = splitter();
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      outLines(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      errLines(chunk);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** A heartbeat for steps that print nothing for minutes (Go's compile step). */
export function heartbeat(label: string, log: (line: string) => void, everyMs = 20_000): () => void {
  const started = Date.now();
  const timer = setInterval(() => log(`${label}: still working (${Math.round((Date.now() - started) / 1000)} s)`), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
