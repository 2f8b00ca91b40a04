// `otel-audit …` run in-process, with what it printed and its exit code;
// shared by the sigma CLI suites.
import { vi } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

export interface CliResult {
  /** console.log lines joined with \n (as the suites compare them). */
  out: string;
  /** console.error lines joined with \n. */
  err: string;
  /** What went to process.stdout.write (reports, streamed matches), as written. */
  written: string;
  code: number;
}

/** Runs `otel-audit <args…>`. */
export async function runCli(...args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const written: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  process.exitCode = 0;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'otel-audit', ...args]);
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out: out.join('\n'), err: err.join('\n'), written: written.join(''), code };
}

/** Runs `otel-audit sigma <args…>`. */
export async function sigmaCli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const { out, err, code } = await runCli('sigma', ...args);
  return { out, err, code };
}
