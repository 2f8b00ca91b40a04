// Runs the real sigma-cli from the virtual environment `npm run provision` made.
import { existsSync } from 'node:fs';
import { sigmaCliBinary } from '../../src/tools/cache.js';
import { ToolUnavailableError } from '../../src/tools/errors.js';
import { run, type RunResult } from '../../src/tools/run.js';

export function sigmaBinary(env: NodeJS.ProcessEnv = process.env): string {
  const binary = sigmaCliBinary(env);
  if (!existsSync(binary)) {
    throw new ToolUnavailableError('sigma-cli', `no executable at ${binary}`, 'run `npm run provision` (needs Python 3.9+ with venv and PyPI) to install sigma/requirements.txt');
  }
  return binary;
}

/** Runs `sigma <args>`; the caller checks the exit code. */
export function sigma(args: readonly string[]): Promise<RunResult> {
  return run(sigmaBinary(), args, { env: { ...process.env, NO_COLOR: '1' } });
}

/** `sigma convert -t <target> [-p pipeline]... <rules>`; throws with sigma-cli's output on failure. */
export async function sigmaConvert(target: string, rules: readonly string[], pipelines: readonly string[] = []): Promise<string> {
  const args = ['convert', '-t', target, ...pipelines.flatMap((p) => ['-p', p]), ...rules];
  const result = await sigma(args);
  if (result.code !== 0) throw new Error(`sigma ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}
