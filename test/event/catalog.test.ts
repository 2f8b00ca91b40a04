// Loading catalogs from YAML and JSON, the errors for bad files, the breaking
// change check, the Markdown docs, and the CLI commands that wrap them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { loadCatalog } from '../../src/event/catalog.js';
import { diffCatalogs } from '../../src/event/catalog-diff.js';
import { catalogToMarkdown } from '../../src/event/catalog-docs.js';
import { CatalogError } from '../../src/event/errors.js';
import { packageRoot } from '../../src/package-root.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

function catalogError(file: string): CatalogError {
  try {
    loadCatalog(file);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return error as CatalogError;
  }
  throw new Error(`expected ${file} to be rejected`);
}

describe('loadCatalog', () => {
  it('reads YAML and JSON and compiles each data schema', () => {
    const yaml = loadCatalog(fixture('v1.yaml'));
    expect(yaml.domain).toBe('acme.audit');
    expect([...yaml.events.keys()]).toEqual(['repo.fork', 'repo.delete', 'auth.login']);
    expect(yaml.events.get('repo.fork')!.validateData!({ repo: 'x' })).toBe(true);
    expect(yaml.events.get('auth.login')!.validateData).toBeUndefined();
    expect(loadCatalog(fixture('v2-compatible.json')).events.size).toBe(4);
  });

  it('loads the Sigma rule pack catalog (sigma/catalog.yaml)', () => {
    const pack = loadCatalog(join(packageRoot(), 'sigma', 'catalog.yaml'));
    expect(pack.events.size).toBeGreaterThan(0);
  });

  it('names the file, the field path and the reason', () => {
    const severity = catalogError(fixture('bad-severity.yaml'));
    expect([severity.file, severity.path]).toEqual([fixture('bad-severity.yaml'), 'events.repo.fork.severity']);
    expect(severity.message).toContain('must be one of "info", "warning", "alert", "critical"');
    const schema = catalogError(fixture('bad-schema.yaml'));
    expect(schema.path).toBe('events.repo.fork.data');
    expect(schema.reason).toMatch(/not a valid JSON Schema/);
    expect(catalogError(fixture('missing.yaml')).reason).toMatch(/cannot read the file/);
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    writeFileSync(join(dir, 'broken.json'), '{"domain": ');
    expect(catalogError(join(dir, 'broken.json')).reason).toMatch(/is not valid JSON/);
    writeFileSync(join(dir, 'unknown.yaml'), 'domain: a.b\nevents:\n  x.y:\n    description: d\n    sensitve: [a]\n');
    expect(catalogError(join(dir, 'unknown.yaml')).message).toBe(`${join(dir, 'unknown.yaml')}: events.x.y.sensitve: is not allowed (unknown property)`);
  });
});

describe('diffCatalogs', () => {
  it('lists every breaking change', () => {
    const diff = diffCatalogs(loadCatalog(fixture('v2-breaking.yaml')).definition, loadCatalog(fixture('v1.yaml')).definition);
    expect(diff.breaking.map((c) => c.message).sort()).toEqual([
      'event repo.delete was renamed to repository.delete',
      'event repo.fork: data.forks changed type from integer to string',
      'event repo.fork: data.owner was added as required',
      'event repo.fork: data.visibility no longer allows "internal"',
    ].sort());
    expect(diff.nonBreaking.map((c) => c.kind)).toEqual(['event-added']);
  });

  it('accepts additions and widenings', () => {
    const diff = diffCatalogs(loadCatalog(fixture('v2-compatible.json')).definition, loadCatalog(fixture('v1.yaml')).definition);
    expect(diff.breaking).toEqual([]);
    expect(diff.nonBreaking.map((c) => c.kind).sort()).toEqual(['enum-widened', 'event-added', 'field-added', 'field-widened', 'severity-changed']);
  });

  it('finds a removed field and a domain change', () => {
    const v1 = loadCatalog(fixture('v1.yaml')).definition;
    const v2 = { ...v1, domain: 'acme.security', events: { ...v1.events, 'repo.delete': { description: 'x', data: { type: 'object' as const, properties: {} } } } };
    expect(diffCatalogs(v2, v1).breaking.map((c) => c.kind)).toEqual(['domain-changed', 'field-removed']);
  });
});

describe('catalogToMarkdown', () => {
  it('documents every event, its attributes and a Sigma selection', () => {
    const md = catalogToMarkdown(loadCatalog(fixture('v1.yaml')).definition);
    for (const name of ['repo.fork', 'repo.delete', 'auth.login']) expect(md).toContain(`## ${name}`);
    expect(md).toContain('| `audit.data.repo`  | string | yes |');
    expect(md).toContain('one of `"public"`, `"private"`, `"internal"`');
    expect(md).toContain('    event.name: repo.fork');
  });
});

describe('otel-audit catalog (CLI)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  async function cli(args: string[]): Promise<{ out: string; err: string; code: number }> {
    let out = '';
    let err = '';
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (out += a.join(' ') + '\n'));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (err += a.join(' ') + '\n'));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    await buildProgram().exitOverride().parseAsync(['node', 'otel-audit', ...args]);
    const code = Number(process.exitCode ?? 0);
    vi.restoreAllMocks();
    return { out, err, code };
  }

  it('check exits 1 and lists each breaking change', async () => {
    const result = await cli(['catalog', 'check', fixture('v2-breaking.yaml'), '--against', fixture('v1.yaml')]);
    expect(result.code).toBe(1);
    expect(result.out.split('\n').filter((l) => l.startsWith('BREAKING'))).toHaveLength(4);
    expect(result.out).toContain('ok event-added: event repository.delete was added');
    expect(result.err).toContain('4 breaking change(s)');
  });

  it('check exits 0 on compatible changes', async () => {
    const result = await cli(['catalog', 'check', fixture('v2-compatible.json'), '--against', fixture('v1.yaml')]);
    expect(result.code).toBe(0);
    expect(result.out).toContain('no breaking changes');
  });

  it('docs writes Markdown to a file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'catalog-docs-')), 'events.md');
    await cli(['catalog', 'docs', fixture('v1.yaml'), '-o', out]);
    expect(readFileSync(out, 'utf8')).toBe(catalogToMarkdown(loadCatalog(fixture('v1.yaml')).definition));
  });
});
