// Every code sample in README.md and docs/**.md is checked, so the docs cannot
// rot: ```ts blocks are type-checked against the sources, ```yaml blocks are
// loaded by what they are (a destinations file is rendered and validated by
// the real collector), and `otel-audit …` lines of ```sh blocks are checked
// against the command tree and run against the built CLI.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../src/cli/program.js';
import { parseDestinations, validateConfigWithCollector, validateWithCollector } from '../../src/collector/index.js';
import { compileCatalog, type CatalogDefinition } from '../../src/event/catalog.js';
import { parseSigmaText, runRuleTests, SigmaEngine } from '../../src/sigma/index.js';
import { packageRoot } from '../../src/package-root.js';
import { cliLines, isSynopsis, resolveCommand, type CliLine } from './cli-lines.js';
import { codeBlocks, markdownFiles, type CodeBlock } from './markdown.js';
import { examplesLineRange, sigmaDocPath } from './sigma-examples.js';
import { typeCheckBlocks } from './typecheck.js';

const root = packageRoot();
// The converted queries in docs/sigma.md are checked by sigma-examples.test.ts (a fresh sigma-cli run).
const generated = examplesLineRange(readFileSync(sigmaDocPath(), 'utf8'));
const isGenerated = (b: CodeBlock) => b.file === 'docs/sigma.md' && generated !== undefined && b.line > generated[0] && b.line < generated[1];
const blocks = markdownFiles(root).flatMap((file) => codeBlocks(root, file)).filter((b) => !isGenerated(b));
// docs/getting-started.md runs in a fresh project with the packed package (getting-started.test.ts).
const FRESH_PROJECT_PAGE = 'docs/getting-started.md';
const tested = blocks.filter((b) => b.notTested === undefined && b.file !== FRESH_PROJECT_PAGE);
const at = (b: CodeBlock) => `${b.file}:${b.line}`;

const TS = new Set(['ts', 'typescript']);
const YAML = new Set(['yaml', 'yml']);
const SHELL = new Set(['sh', 'bash', 'shell', 'console']);
const JSON_LANG = new Set(['json']);
/** Output, diagrams and synopses: not code to run. */
const PROSE = new Set(['', 'text']);

describe('the docs code blocks', () => {
  it('are found in README.md and docs/', () => {
    expect(markdownFiles(root)).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'docs/getting-started.md', 'docs/sigma.md']));
    expect(tested.filter((b) => TS.has(b.lang)).length).toBeGreaterThanOrEqual(10);
    expect(tested.filter((b) => YAML.has(b.lang)).length).toBeGreaterThanOrEqual(15);
  });

  it('each have a checker, or a not-tested marker with a reason', () => {
    const unchecked = tested.filter((b) => ![...TS, ...YAML, ...SHELL, ...JSON_LANG, ...PROSE].includes(b.lang)).map((b) => `${at(b)} (\`\`\`${b.lang})`);
    expect(unchecked, 'add <!-- not-tested: reason --> before these blocks, or a checker in test/docs').toEqual([]);
    for (const b of blocks.filter((x) => x.notTested !== undefined)) expect(b.notTested, `${at(b)}: the not-tested marker needs a reason`).not.toBe('');
  });
});

describe('links', () => {
  /** Relative link targets of a Markdown file, without #anchors. */
  const links = (file: string) => [...readFileSync(join(root, file), 'utf8').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l) && !l.startsWith('#')).map((l) => l.split('#')[0]!);

  it('in README.md and docs/ point at files that exist', () => {
    const broken = markdownFiles(root).flatMap((file) => links(file).filter((l) => !existsSync(join(root, dirname(file), l))).map((l) => `${file}: ${l}`));
    expect(broken).toEqual([]);
  });

  it('with a #fragment point at a heading of the target page', () => {
    // GitHub's heading ids: lower case, punctuation other than - and _ dropped, spaces as -, repeats numbered.
    const slug = (heading: string) => heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const anchors = (file: string) => {
      const seen = new Map<string, number>();
      const ids = new Set<string>();
      const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
      for (const [, heading] of text.matchAll(/^#{1,6} (.+)$/gm)) {
        const base = slug(heading!);
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        ids.add(n === 0 ? base : `${base}-${n}`);
      }
      return ids;
    };
    const broken = markdownFiles(root).flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(/\]\(([^)\s]*#[^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l)).flatMap((link) => {
        const [path, fragment] = link.split('#') as [string, string];
        const target = path === '' ? join(root, file) : join(root, dirname(file), path);
        return existsSync(target) && target.endsWith('.md') && !anchors(target).has(fragment) ? [`${file}: ${link}`] : [];
      }));
    expect(broken).toEqual([]);
  });

  it('reach every docs page from README.md and from the docs index', () => {
    const pages = markdownFiles(root).filter((f) => f.startsWith('docs/') && f !== 'docs/README.md');
    for (const index of ['README.md', 'docs/README.md']) {
      const reached = new Set(links(index).map((l) => join(dirname(index), l)));
      expect(pages.filter((p) => !reached.has(p)), `${index} does not link these pages`).toEqual([]);
    }
  });
});

describe('```ts blocks', () => {
  it('type-check against otel-audit and its entry points', () => {
    const { errors } = typeCheckBlocks(root, tested.filter((b) => TS.has(b.lang)));
    expect(errors.map((e) => `${e.where}: ${e.message}`)).toEqual([]);
  });

  const runBlocks = tested.filter((b) => TS.has(b.lang) && b.run);
  it.each(runBlocks.map((b) => [at(b), b] as const))('%s marked <!-- run --> runs against the built package', (_label, block) => {
    // Inside the package folder, `import 'otel-audit'` resolves to the package itself (dist/), as for a
    // user. A hidden folder, so type-checkers and linters that glob the tree pass it by.
    const dir = join(root, 'test', 'docs', `.run-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `L${block.line}.ts`);
    writeFileSync(file, `${block.code}\nexport {};\n`);
    try {
      const result = spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      expect(result.status, `${at(block)}:\n${result.stdout}${result.stderr}`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('report a broken sample at its Markdown file and line', () => {
    const broken: CodeBlock = { file: 'docs/example.md', line: 10, lang: 'ts', code: "import { createAuditLogger } from 'otel-audit';\n\ncreateAuditLogger({ catalg: 1 });\n" };
    const { errors } = typeCheckBlocks(root, [broken]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.where).toBe('docs/example.md:12');
    expect(errors[0]!.message).toContain('catalg');
  });
});

type YamlKind = 'destinations file' | 'collector config' | 'catalog' | 'Sigma rule test' | 'Sigma rule' | 'invalid YAML' | 'unknown';

function yamlKind(code: string): YamlKind {
  let value: unknown;
  try {
    value = parse(code);
  } catch {
    return 'invalid YAML';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'unknown';
  const v = value as Record<string, unknown>;
  if (Array.isArray(v.destinations) && 'domain' in v) return 'destinations file';
  if ('receivers' in v && 'service' in v) return 'collector config';
  if ('events' in v && 'domain' in v) return 'catalog';
  if ('rule' in v && ('match' in v || 'nomatch' in v)) return 'Sigma rule test';
  if ('detection' in v || 'correlation' in v || 'filter' in v) return 'Sigma rule';
  return 'unknown';
}

/** The block's text with blank lines in front, so positions in errors are lines of the Markdown file. */
const aligned = (b: CodeBlock) => '\n'.repeat(b.line - 1) + b.code;

const scratch = mkdtempSync(join(tmpdir(), 'otel-audit-docs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('```yaml blocks', () => {
  const yamlBlocks = tested.filter((b) => YAML.has(b.lang)).map((b) => ({ block: b, kind: yamlKind(b.code) }));

  it.each(yamlBlocks.map((y) => [`${at(y.block)} (${y.kind})`, y] as const))('%s loads and is accepted', async (_label, { block, kind }) => {
    switch (kind) {
      case 'destinations file': {
        const spec = parseDestinations(aligned(block), block.file);
        const result = await validateWithCollector(spec);
        expect(result.ok, `${at(block)}: the collector refused the rendering: ${result.error}`).toBe(true);
        break;
      }
      case 'collector config': {
        const result = await validateConfigWithCollector(parse(block.code));
        expect(result.ok, `${at(block)}: the collector refused it: ${result.error}`).toBe(true);
        break;
      }
      case 'catalog':
        compileCatalog(parse(block.code) as CatalogDefinition, at(block));
        break;
      case 'Sigma rule test': {
        const file = join(scratch, `rule-test-${block.line}.yml`);
        writeFileSync(file, block.code);
        const results = runRuleTests({ tests: [file] });
        expect(results.length).toBeGreaterThan(0);
        expect(results.filter((r) => !r.ok).map((r) => `${at(block)} ${r.case}: matched ${r.matched.join(', ') || 'nothing'}`)).toEqual([]);
        break;
      }
      case 'Sigma rule': {
        const engine = new SigmaEngine(parseSigmaText(aligned(block), block.file));
        expect(engine.rules.length + engine.correlations.length).toBeGreaterThan(0);
        break;
      }
      case 'invalid YAML':
        parse(aligned(block)); // throws with the line in the Markdown file
        break;
      default:
        throw new Error(`${at(block)}: not a destinations file, collector config, catalog, Sigma rule or rule test; mark it <!-- not-tested: reason --> if it is only an illustration`);
    }
  });
});

describe('```json blocks', () => {
  const jsonBlocks = tested.filter((b) => JSON_LANG.has(b.lang));
  it.each(jsonBlocks.map((b) => [at(b), b] as const))('%s is valid JSON', (_label, block) => {
    expect(() => JSON.parse(block.code) as unknown, at(block)).not.toThrow();
  });
});

describe('otel-audit lines of ```sh blocks', () => {
  // Every page's lines are checked against the command tree; getting-started.md's run elsewhere.
  const lines = blocks.filter((b) => b.notTested === undefined && SHELL.has(b.lang)).flatMap(cliLines);
  const program = buildProgram();
  // Commands that install tools, need the network or a spool directory, or are
  // tested on their own (the demo, test/demo): checked against the tree, not run.
  const NOT_RUN = ['collector build', 'sigma setup', 'webhook', 'deliveries', 'demo'];
  // Placeholder file names the docs use, and what stands in for them.
  const FIXTURES: Record<string, string> = {
    'audit-collector.yaml': 'collector/examples/reference.yaml',
    'audit-catalog.yaml': 'sigma/catalog.yaml',
    '/tmp/catalog-main.yaml': 'sigma/catalog.yaml',
    // A signed trail and its public key (test/fixtures/integrity, made by the emitter with integrity on).
    'audit.jsonl': 'test/fixtures/integrity/audit.jsonl',
    'audit-signing.pub.pem': 'test/fixtures/integrity/audit-signing.pub.pem',
  };

  it('name commands and options that exist', () => {
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.flatMap((l) => resolveCommand(program, l.args).problems.map((p) => `${l.where}: ${l.text}: ${p}`))).toEqual([]);
  });

  const runnable = lines.filter((l) => !l.where.startsWith(`${FRESH_PROJECT_PAGE}:`) && !isSynopsis(l) && !NOT_RUN.some((p) => resolveCommand(program, l.args).path.join(' ').startsWith(p)));
  const cli = join(root, 'dist', 'cli', 'main.js');
  const cwd = join(scratch, 'repo');

  /** The line's arguments with fixture paths moved into the scratch folder; throws when an input is missing. */
  function prepare(line: CliLine): string[] {
    return line.args.map((arg, i) => {
      const fixture = FIXTURES[arg];
      const local = isAbsolute(arg) ? arg.replace(/\//g, '_') : arg;
      if (fixture) copyFileSync(join(root, fixture), join(cwd, local));
      const isOutput = ['-o', '--output'].includes(line.args[i - 1] ?? '');
      const looksLikeFile = arg.includes('/') || /\.(ya?ml|jsonl?|md)$/.test(arg);
      if (looksLikeFile && !isOutput && !existsSync(join(cwd, local))) {
        throw new Error(`${line.where}: "${arg}" does not exist; add a fixture in test/docs/docs.test.ts or mark the block <!-- not-tested: reason -->`);
      }
      return looksLikeFile ? local : arg;
    });
  }

  beforeAll(() => {
    for (const dir of ['collector', 'sigma', 'schemas', 'docs']) cpSync(join(root, dir), join(cwd, dir), { recursive: true });
  });

  it('include commands to run', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(8);
    expect(existsSync(cli), `${cli} is missing: run \`npm run build\` first (npm test does)`).toBe(true);
  });

  it.each(runnable.map((l) => [`${l.where}: otel-audit ${l.args.join(' ')}`, l] as const))('%s runs and succeeds', (_label, line) => {
    const result = spawnSync(process.execPath, [cli, ...prepare(line)], { cwd, encoding: 'utf8', timeout: 120_000 });
    expect(result.status, `${line.where}: ${line.text}\n${result.stdout}${result.stderr}`).toBe(0);
  });
});
