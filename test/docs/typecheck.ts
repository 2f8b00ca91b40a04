// Type-checks ```ts blocks of the docs with the real compiler: each block is a
// module in a scratch folder under node_modules/.cache (so its imports of
// @opentelemetry/* resolve), with 'otel-audit' and each 'otel-audit/…' entry
// point mapped to its source. Errors come back at
// the Markdown file and line of the block.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeBlock } from './markdown.js';

export interface BlockError {
  /** docs/emit.md:42 — the Markdown line of the error. */
  where: string;
  message: string;
}

const ENTRY_POINTS = {
  'otel-audit': 'src/index.ts',
  'otel-audit/delivery': 'src/delivery/index.ts',
  'otel-audit/collector': 'src/collector/index.ts',
  'otel-audit/sigma': 'src/sigma/index.ts',
  'otel-audit/testing': 'src/testing/index.ts',
  'otel-audit/integrity': 'src/integrity/index.ts',
};

function blockFileName(block: CodeBlock, index: number): string {
  return `${String(index).padStart(3, '0')}-${block.file.replace(/[^A-Za-z0-9]+/g, '_')}-L${block.line}.ts`;
}

export function typeCheckBlocks(root: string, blocks: readonly CodeBlock[]): { errors: BlockError[]; output: string } {
  const dir = join(root, 'node_modules', '.cache', `otel-audit-docs-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const byFile = new Map<string, CodeBlock>();
    blocks.forEach((block, index) => {
      const name = blockFileName(block, index);
      byFile.set(name, block);
      // `export {}` keeps each block a module, so blocks never see each other's names.
      writeFileSync(join(dir, name), `${block.code}\nexport {};\n`);
    });
    copyFileSync(join(root, 'test', 'docs', 'placeholders.d.ts.txt'), join(dir, 'placeholders.d.ts'));
    const tsconfig = {
      compilerOptions: {
        target: 'ES2023',
        lib: ['ES2023'],
        module: 'ESNext',
        moduleResolution: 'Bundler',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        esModuleInterop: true,
        resolveJsonModule: true,
        types: ['node'],
        paths: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, file]) => [name, [join(root, file)]])),
      },
      files: ['placeholders.d.ts', ...byFile.keys()],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8' });
    const output = tsc.stdout + tsc.stderr;
    const errors: BlockError[] = [];
    for (const line of output.split('\n')) {
      const match = /^(.*?)\((\d+),(\d+)\): (error .*)$/.exec(line);
      if (!match) continue;
      const block = byFile.get(match[1]!.split('/').pop()!);
      if (block) errors.push({ where: `${block.file}:${block.line + Number(match[2]) - 1}`, message: match[4]! });
      else errors.push({ where: match[1]!, message: match[4]! });
    }
    if (tsc.status !== 0 && errors.length === 0) errors.push({ where: '(tsc)', message: output.trim() || `tsc exited with ${tsc.status}` });
    return { errors, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
