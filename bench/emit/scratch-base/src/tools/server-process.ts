// A test server started as a child process in its own process group (so its
// own children go too): the tail of what it printed, for errors, and a stop
// that sends SIGTERM, then SIGKILL after a grace period, and removes its
// scratch folder.
import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

export interface SupervisedServer {
  /** The last 20,000 characters it printed (stdout and stderr). */
  output: () => string;
  stop: () => Promise<void>;
}

export function superviseServer(child: ChildProcess, scratch: string, graceMillis: number): SupervisedServer {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  return {
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), graceMillis);
        await exited;
        clearTimeout(timer);
      }
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
