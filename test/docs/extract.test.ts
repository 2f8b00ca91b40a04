// The docs test's own parts: block extraction with markers and positions, and
// the command-tree check of CLI lines, on small inputs with known answers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { cliLines, isSynopsis, resolveCommand, shellWords } from './cli-lines.js';
import { codeBlocks } from './markdown.js';

const dir = mkdtempSync(join(tmpdir(), 'otel-audit-docs-extract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const page = [
  '# Page', // 1
  '', // 2
  '```ts', // 3
  "import { loadCatalog } from 'otel-audit';", // 4
  '```', // 5
  '', // 6
  '<!-- not-tested: needs a running SIEM -->', // 7
  '```yaml', // 8
  'a: 1', // 9
  '```', // 10
  '1. A step:', // 11
  '', // 12
  '   ```sh', // 13
  '   npx otel-audit sigma test   # the pack tests', // 14
  '   otel-audit collector render \\', // 15
  '     -f x.yaml --bogus && npm test', // 16
  '   ```', // 17
  '', // 18
  '<!-- run -->', // 19
  '````ts', // 20
  'const fence = "```";', // 21
  '````', // 22
].join('\n');

describe('codeBlocks', () => {
  writeFileSync(join(dir, 'page.md'), page);
  const blocks = codeBlocks(dir, 'page.md');

  it('finds each fenced block with its language and first code line', () => {
    expect(blocks.map((b) => [b.lang, b.line])).toEqual([['ts', 4], ['yaml', 9], ['sh', 14], ['ts', 21]]);
    expect(blocks[0]!.code).toBe("import { loadCatalog } from 'otel-audit';\n");
  });

  it('reads the not-tested and run markers on the line before a block', () => {
    expect(blocks.map((b) => b.notTested)).toEqual([undefined, 'needs a running SIEM', undefined, undefined]);
    expect(blocks.map((b) => b.run ?? false)).toEqual([false, false, false, true]);
  });

  it('removes the indentation of blocks in list items and keeps longer fences whole', () => {
    expect(blocks[2]!.code.startsWith('npx otel-audit')).toBe(true);
    expect(blocks[3]!.code).toBe('const fence = "```";\n');
  });

  it('turns shell blocks into otel-audit invocations at their lines', () => {
    const lines = cliLines(blocks[2]!);
    expect(lines.map((l) => [l.where, l.args])).toEqual([
      ['page.md:14', ['sigma', 'test']],
      ['page.md:15', ['collector', 'render', '-f', 'x.yaml', '--bogus']],
    ]);
  });
});

describe('resolveCommand', () => {
  const program = buildProgram();

  it('accepts commands and options that exist', () => {
    expect(resolveCommand(program, ['collector', 'render', '-f', 'a.yaml', '--format', 'helm', '-o', 'x']).problems).toEqual([]);
    expect(resolveCommand(program, ['sigma', 'convert', '-t', 'splunk', '--domain', 'acme.audit', 'rules/']).path).toEqual(['sigma', 'convert']);
  });

  it('reports an unknown command or option', () => {
    expect(resolveCommand(program, ['collector', 'render', '--bogus']).problems).toEqual(['"collector render" has no option --bogus']);
    expect(resolveCommand(program, ['sigma', 'lint']).problems).toEqual(['"otel-audit sigma" has no command "lint"']);
  });

  it('treats lines with [optional] or <placeholder> parts as synopses', () => {
    expect(isSynopsis({ where: '', text: 'otel-audit sigma match -r sigma/rules -i out.jsonl [--format json]', args: [] })).toBe(true);
    expect(isSynopsis({ where: '', text: 'otel-audit sigma test', args: [] })).toBe(false);
    expect(shellWords(`a "b c" 'd e' f`)).toEqual(['a', 'b c', 'd e', 'f']);
  });
});
