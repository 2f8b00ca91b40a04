// `-o <file>`: where a command writes instead of stdout. An empty name or a
// file that cannot be written is an error naming the option, not a raw errno.
import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { OtelAuditError } from '../errors.js';

/** Writes `text` to the -o file, or stdout when there is none. */
export function writeOutput(file: string | undefined, text: string): void {
  if (file === undefined) {
    process.stdout.write(text);
    return;
  }
  if (file.trim() === '') throw new OtelAuditError('OPTION_INVALID', '-o needs a file name (it was empty)');
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new OtelAuditError('OPTION_INVALID', `-o ${file}: cannot write there: ${(error as Error).message}`, { file }, { cause: error });
  }
}

/** The real path of a file that may not exist yet (its folder's real path + its name). */
function realPath(file: string): string {
  return existsSync(file) ? realpathSync(file) : resolve(realpathSync(dirname(resolve(file))), resolve(file).slice(dirname(resolve(file)).length + 1));
}

/** `-o` must not overwrite the file the command reads (directly or through a link). */
export function refuseToClobber(output: string | undefined, input: string, what: string): void {
  if (output === undefined || output.trim() === '' || !existsSync(input)) return;
  let same: boolean;
  try {
    same = realPath(output) === realPath(input);
  } catch (error) {
    throw new OtelAuditError('OPTION_INVALID', `-o ${output}: cannot write there: ${(error as Error).message}`, { file: output }, { cause: error });
  }
  if (same) throw new OtelAuditError('OPTION_INVALID', `-o ${output} is ${what} itself (${input}); writing there would destroy it. Choose another output file`, { file: output });
}
