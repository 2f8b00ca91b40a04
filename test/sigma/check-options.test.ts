// `otel-audit sigma check` on a user's own rules: their catalog (--catalog),
// the bundled pack's conventions only when asked (--conventions pack), every
// other check kept; and `catalog docs` selections pass the check as printed.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './sigma-cli.js';

const userCatalog = resolve('test/event/fixtures/v1.yaml');

async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const { out, err, written, code } = await runCli(...args);
  return { out: [out, written].filter(Boolean).join('\n'), err, code };
}
afterEach(() => {
  process.exitCode = 0;
});

const rule = (selection: string) => `title: Repository fork\nid: 0b3c4f52-6f0e-4f43-9d0b-1f6c2f1f8a11\nstatus: experimental\nlogsource:\n    product: otel_audit\n    service: audit\ndetection:\n${selection}\n    condition: selection\nlevel: medium\n`;

function rulesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'check-options-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('sigma check on user rules', () => {
  it('does not force the pack conventions on user rules, and checks event names against --catalog', async () => {
    const dir = rulesDir({ 'shop.yaml': 'domain: shop.audit\nevents:\n  cart.checkout:\n    description: A cart was checked out.\n', 'rules/my_checkout.yml': rule('    selection:\n        event.name: cart.checkout') });
    const rules = join(dir, 'rules');
    const plain = await cli('sigma', 'check', rules);
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/1 files, 1 documents, 0 errors/);
    expect(await cli('sigma', 'check', '--catalog', join(dir, 'shop.yaml'), rules)).toMatchObject({ code: 0 });
    const packed = await cli('sigma', 'check', '--conventions', 'pack', rules);
    expect(packed.out).toMatch(/"my_checkout\.yml" must start with otel_audit_/);
    expect(packed.out).toMatch(/event "cart\.checkout" is not defined in the catalog \(sigma\/catalog\.yaml/);
    expect(packed.out).toMatch(/missing "author"/);
    expect(packed.code).toBe(1);
  });

  it('reports an event missing from the user catalog, naming its domain', async () => {
    const dir = rulesDir({ 'typo.yml': rule('    selection:\n        event.name: repo.frok') });
    const result = await cli('sigma', 'check', '--catalog', userCatalog, dir);
    expect(result.out).toMatch(/typo\.yml:9:21: error: detection\.selection\.event\.name: event "repo\.frok" is not defined in the catalog \(domain acme\.audit\)/);
    expect(result.code).toBe(1);
  });

  it('keeps every other check with --conventions none and --no-conventions', async () => {
    const dir = rulesDir({ 'bad.yml': rule('    selection:\n        EventName: repo.fork').replace('product: otel_audit', 'product: windows') + 'tags:\n    - attack.defense-evasion\n' });
    for (const flag of [['--conventions', 'none'], ['--no-conventions']]) {
      const result = await cli('sigma', 'check', ...flag, dir);
      expect(result.out).toMatch(/bad\.yml:5:5: error: logsource: must be \{product: otel_audit, service: audit\}/);
      expect(result.out).toMatch(/"EventName" is not an attribute of schemas\/contract\.json/);
      expect(result.out).toMatch(/"attack\.defense-evasion" is not in ATT&CK v19/);
      expect(result.code).toBe(1);
    }
  });

  it('the bundled pack still gets its conventions by default', async () => {
    expect((await cli('sigma', 'check')).out).toMatch(/28 files, 37 documents, 0 errors/);
  });

  it('accepts event.domain equal to the --catalog domain and refuses another', async () => {
    const ok = rulesDir({ 'dom.yml': rule('    selection:\n        event.domain: acme.audit\n        event.name: repo.fork') });
    expect(await cli('sigma', 'check', '--catalog', userCatalog, ok)).toMatchObject({ code: 0 });
    const other = rulesDir({ 'dom.yml': rule('    selection:\n        event.domain: other.audit\n        event.name: repo.fork') });
    const result = await cli('sigma', 'check', '--catalog', userCatalog, other);
    expect(result.out).toMatch(/event\.domain "other\.audit" is not the catalog's domain "acme\.audit"/);
    expect(result.code).toBe(1);
  });
});

describe('sigma check text output', () => {
  it('prints file:line:column: severity: path: message, as compilers and linters do, in every case', async () => {
    const dir = rulesDir({
      // Document 0: an event missing from the catalog, at its value. Document 1: no id, reported where the document starts.
      'two.yml': rule('    selection:\n        event.name: repo.frok') + '---\ntitle: Second\nlogsource:\n    product: otel_audit\n    service: audit\ndetection:\n    selection:\n        event.name: repo.fork\n    condition: selection\n',
      'broken.yml': 'title: [unclosed\n',
    });
    const result = await cli('sigma', 'check', '--catalog', userCatalog, dir);
    const lines = result.out.split('\n');
    expect(lines).toContain(`${relative(process.cwd(), join(dir, 'two.yml'))}:9:21: error: detection.selection.event.name: event "repo.frok" is not defined in the catalog (domain acme.audit)`);
    expect(lines.filter((l) => l.includes('two.yml:13:1: error: '))).toEqual([expect.stringMatching(/two\.yml:13:1: error: id: every document needs an id \(a UUID\)$/), expect.stringMatching(/two\.yml:13:1: error: name: /)]);
    expect(result.out).toMatch(/broken\.yml:2:1: error: document 0: YAML error: /);
    // Every issue line starts with file:line:column.
    const issues = lines.filter((l) => / error: | warning: /.test(l));
    expect(issues.length).toBe(4);
    for (const line of issues) expect(line).toMatch(/^\S+\.yml:\d+:\d+: (error|warning): /);
    expect(result.code).toBe(1);
  });
});

describe('catalog docs and sigma check agree', () => {
  it('every selection catalog docs prints passes sigma check --catalog, as printed', async () => {
    const docs = await cli('catalog', 'docs', userCatalog);
    const blocks = [...docs.out.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const files: Record<string, string> = {};
    blocks.forEach((block, index) => {
      files[`rule_${index}.yml`] = `title: Rule ${index}\nid: 0b3c4f52-6f0e-4f43-9d0b-1f6c2f1f8a${String(index).padStart(2, '0')}\nstatus: experimental\n${block}level: low\n`;
    });
    const dir = rulesDir(files);
    const result = await cli('sigma', 'check', '--catalog', userCatalog, dir);
    expect(result.out).toMatch(new RegExp(`${blocks.length} files, ${blocks.length} documents, 0 errors, 0 warnings`));
    expect(result.code).toBe(0);
  });
});
