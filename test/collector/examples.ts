// The checked-in renderings (golden configs, collector/config.yaml, the
// example in each docs/destinations page) and how to produce them, shared by
// the tests that compare them and by regenerate.ts that rewrites them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDestinations } from '../../src/collector/load.js';
import { renderCollectorConfig, type OutputFormat } from '../../src/collector/render.js';
import { packageRoot } from '../../src/package-root.js';

export const root = packageRoot();
export const examplesDir = join(root, 'collector', 'examples');

/** Example names (file names without .yaml). */
export function exampleNames(): string[] {
  return readdirSync(examplesDir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
}

/** Renders collector/examples/<name>.yaml, naming it by its repository path (stable across machines). */
export function renderExample(name: string, format: OutputFormat = 'config'): string {
  const rel = `collector/examples/${name}.yaml`;
  return renderCollectorConfig(parseDestinations(readFileSync(join(root, rel), 'utf8'), rel), { format });
}

export const goldenPath = (name: string) => join(root, 'collector', 'golden', `${name}.yaml`);
export const referenceConfigPath = join(root, 'collector', 'config.yaml');
export const docPath = (type: string) => join(root, 'docs', 'destinations', `${type}.md`);

const BEGIN = '<!-- rendered-example:begin -->';
const END = '<!-- rendered-example:end -->';

/** The rendered example block of a docs page, or undefined when the page has none. */
export function docExample(markdown: string): string | undefined {
  const start = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return markdown.slice(start + BEGIN.length, end);
}

export function exampleBlock(yaml: string): string {
  return `\n\`\`\`yaml\n${yaml.trimEnd()}\n\`\`\`\n`;
}

export function withDocExample(markdown: string, yaml: string): string {
  const start = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) throw new Error(`no ${BEGIN} … ${END} block`);
  return markdown.slice(0, start + BEGIN.length) + exampleBlock(yaml) + markdown.slice(end);
}
