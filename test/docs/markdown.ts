// Fenced code blocks of the README and docs/, with where they start, so a
// failing sample is reported at its file and line. A block is left out of the
// checks by an HTML comment on the line before it: <!-- not-tested: reason -->;
// <!-- run --> there asks for a ```ts block to be executed as well. The pages
// run in a fresh project (getting-started.md) also use <!-- file: NAME --> (the
// reader saves the block as NAME) and <!-- setup: … --> (the install steps).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface CodeBlock {
  /** Path from the repository root, e.g. docs/emit.md. */
  file: string;
  /** Line of the first line of code (1-based), so file:line points into the block. */
  line: number;
  lang: string;
  code: string;
  /** The reason given by a not-tested marker, if any. */
  notTested?: string;
  /** A `<!-- run -->` marker: the block is executed too, not only checked. */
  run?: boolean;
  /** A `<!-- file: NAME -->` marker: the reader saves the block as NAME. */
  saveAs?: string;
  /** A `<!-- setup: reason -->` marker: the steps that install the package. */
  setup?: boolean;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/;
const NOT_TESTED = /<!--\s*not-tested:\s*(.*?)\s*-->/;
const RUN = /<!--\s*run\s*-->/;
const FILE = /<!--\s*file:\s*(\S+)\s*-->/;
const SETUP = /<!--\s*setup\b.*-->/;

/** The Markdown files whose samples are checked: README.md and docs/**. */
export function markdownFiles(root: string): string[] {
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
  return [join(root, 'README.md'), ...walk(join(root, 'docs')).sort()].map((file) => relative(root, file));
}

export function codeBlocks(root: string, file: string): CodeBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = FENCE.exec(lines[j]!);
      if (close && close[2]!.startsWith(fence!) && close[3] === '') break;
      // Blocks inside list items are indented; drop the list's indentation.
      body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!);
    }
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const before = k >= 0 ? lines[k]! : '';
    const marker = NOT_TESTED.exec(before);
    const saved = FILE.exec(before);
    blocks.push({
      file, line: i + 2, lang: lang!.toLowerCase(), code: body.join('\n') + '\n',
      ...(marker ? { notTested: marker[1] } : {}),
      ...(RUN.test(before) ? { run: true } : {}),
      ...(saved ? { saveAs: saved[1] } : {}),
      ...(SETUP.test(before) ? { setup: true } : {}),
    });
    i = j;
  }
  return blocks;
}
