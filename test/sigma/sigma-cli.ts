// `otel-audit sigma …` run in-process, with what it printed (console.log and
// console.error) and its exit code; shared by the sigma CLI suites.
import { vi } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

export async function sigmaCli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  process.exitCode = 0;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'otel-audit', 'sigma', ...args]);
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out: out.join('\n'), err: err.join('\n'), code };
}
