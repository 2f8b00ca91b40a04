// `sigma check` and `sigma test` reports for CI: SARIF 2.1.0 (validated
// against the required properties of the SARIF 2.1.0 schema) and JUnit XML
// (well-formed; testsuites/testsuite/testcase/failure with file and line).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './sigma-cli.js';
import { defaultRulesPath } from '../../src/sigma/index.js';

/** `otel-audit sigma …`: the report is what the command wrote to stdout. */
async function cli(...args: string[]): Promise<{ out: string; code: number }> {
  const { out, written, code } = await runCli('sigma', ...args);
  return { out: out + written, code };
}
afterEach(() => {
  process.exitCode = 0;
});

/** The required properties of SARIF 2.1.0 (sarif-schema-2.1.0.json) along the paths a report uses. */
const SARIF_REQUIRED = {
  type: 'object',
  required: ['version', 'runs'],
  properties: {
    version: { const: '2.1.0' },
    $schema: { type: 'string', format: 'uri' },
    runs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['tool'],
        properties: {
          tool: {
            type: 'object',
            required: ['driver'],
            properties: {
              driver: {
                type: 'object',
                required: ['name'],
                properties: { name: { type: 'string' }, rules: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, shortDescription: { type: 'object', required: ['text'] } } } } },
              },
            },
          },
          results: {
            type: 'array',
            items: {
              type: 'object',
              required: ['message'],
              properties: {
                message: { type: 'object', anyOf: [{ required: ['text'] }, { required: ['id'] }] },
                level: { enum: ['none', 'note', 'warning', 'error'] },
                ruleIndex: { type: 'integer', minimum: -1 },
                locations: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      physicalLocation: {
                        type: 'object',
                        anyOf: [{ required: ['address'] }, { required: ['artifactLocation'] }],
                        properties: {
                          artifactLocation: { type: 'object', properties: { uri: { type: 'string' } } },
                          region: { type: 'object', properties: { startLine: { type: 'integer', minimum: 1 }, startColumn: { type: 'integer', minimum: 1 } } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};
const validateSarif = new Ajv2020({ strict: false, validateFormats: false }).compile(SARIF_REQUIRED);

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** A small XML reader for the test: elements, attributes, text; throws on mismatched or unclosed tags. */
function parseXml(text: string): XmlElement {
  const root: XmlElement = { name: '#root', attributes: {}, children: [], text: '' };
  const stack = [root];
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  const body = text.replace(/^<\?xml[^>]*\?>\s*/, '');
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w.:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let at = 0;
  while (at < body.length && (match = token.exec(body))) {
    at = token.lastIndex;
    const [, closing, name, attrs, selfClosing, chars] = match;
    if (chars !== undefined) {
      stack[stack.length - 1]!.text += unescape(chars);
      continue;
    }
    if (closing) {
      const open = stack.pop()!;
      if (open.name !== name) throw new Error(`</${name}> closes <${open.name}>`);
      continue;
    }
    const element: XmlElement = { name: name!, attributes: {}, children: [], text: '' };
    for (const [, key, value] of attrs!.matchAll(/([\w.:-]+)="([^"]*)"/g)) element.attributes[key!] = unescape(value!);
    stack[stack.length - 1]!.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (at !== body.length) throw new Error(`not XML at offset ${at}: ${body.slice(at, at + 40)}`);
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]!.name}> is not closed`);
  expect(root.children).toHaveLength(1);
  return root.children[0]!;
}

function brokenRules(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reports-'));
  writeFileSync(join(dir, 'good.yml'), 'title: Good\nid: 6f1f0f0e-1c1c-4c4c-8d8d-0a0a0a0a0a01\nstatus: test\nlogsource:\n    product: otel_audit\n    service: audit\ndetection:\n    selection:\n        event.name: repo.fork\n    condition: selection\nlevel: low\n');
  writeFileSync(join(dir, 'bad.yml'), 'title: Bad <&> "quoted"\nid: 6f1f0f0e-1c1c-4c4c-8d8d-0a0a0a0a0a02\nstatus: test\nlogsource:\n    product: otel_audit\n    service: audit\ndetection:\n    selection:\n        event.name|nope: repo.fork\n    condition: selection\nlevel: low\n');
  return dir;
}

describe('sigma check reports', () => {
  it('SARIF 2.1.0 with one result per issue, file and line', async () => {
    const dir = brokenRules();
    const result = await cli('check', '--output-format', 'sarif', dir);
    expect(result.code).toBe(1);
    const log = JSON.parse(result.out) as { runs: { results: { ruleId: string; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[] };
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    const [issue] = log.runs[0]!.results;
    expect(issue).toMatchObject({ ruleId: 'sigma-check/error', level: 'error' });
    expect(issue!.message.text).toMatch(/unknown modifier "nope"/);
    expect(issue!.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/bad\.yml$/);
    expect(issue!.locations[0]!.physicalLocation.region?.startLine).toBe(9);
  });

  it('JUnit XML with a test case per file and a failure with file and line, to a file with -o', async () => {
    const dir = brokenRules();
    const file = join(dir, 'check.xml');
    const result = await cli('check', '--output-format', 'junit', '-o', file, dir);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    const suites = parseXml(readFileSync(file, 'utf8'));
    expect(suites.name).toBe('testsuites');
    expect(suites.attributes).toMatchObject({ tests: '2', failures: '1' });
    const suite = suites.children[0]!;
    expect(suite).toMatchObject({ name: 'testsuite', attributes: { tests: '2', failures: '1' } });
    const cases = suite.children;
    expect(cases.map((c) => c.name)).toEqual(['testcase', 'testcase']);
    const bad = cases.find((c) => c.attributes.file!.endsWith('bad.yml'))!;
    expect(bad.attributes.line).toBe('9');
    const failure = bad.children.find((c) => c.name === 'failure')!;
    expect(failure.attributes.message).toMatch(/unknown modifier "nope"/);
    expect(failure.text).toMatch(/bad\.yml:9:\d+: detection\.selection\.event\.name\|nope: unknown modifier/);
    expect(cases.find((c) => c.attributes.file!.endsWith('good.yml'))!.children).toEqual([]);
  });

  it('the bundled pack: every file a passing test case, an empty SARIF result list', async () => {
    const junit = parseXml((await cli('check', '--output-format', 'junit')).out);
    expect(junit.attributes).toMatchObject({ tests: '28', failures: '0' });
    const sarif = JSON.parse((await cli('check', '--output-format', 'sarif')).out) as { runs: { results: unknown[] }[] };
    expect(validateSarif(sarif)).toBe(true);
    expect(sarif.runs[0]!.results).toEqual([]);
  });
});

describe('sigma test reports', () => {
  it('JUnit: a suite per test file, a case per test case with its line; a failing case and an untested rule fail', async () => {
    const ok = parseXml((await cli('test', '--output-format', 'junit')).out);
    expect(ok.attributes.failures).toBe('0');
    expect(Number(ok.attributes.tests)).toBeGreaterThan(50);
    const first = ok.children[0]!.children[0]!;
    expect(first.attributes.name).toBe('match[0]');
    expect(first.attributes.file).toMatch(/sigma\/tests\/.*\.yml$/);
    expect(first.attributes.line).toMatch(/^\d+$/);

    const dir = mkdtempSync(join(tmpdir(), 'reports-tests-'));
    writeFileSync(join(dir, 't.yml'), 'rule: otel_audit_stream_deleted.yml\nmatch:\n    - name: audit.stream.delete\n    - name: audit.stream.disable\nnomatch:\n    - name: auth.login\n');
    const result = await cli('test', '--output-format', 'junit', '-r', join(defaultRulesPath(), 'otel_audit_stream_deleted.yml'), join(defaultRulesPath(), 'otel_audit_mfa_disabled.yml'), '-t', dir);
    expect(result.code).toBe(1);
    const xml = parseXml(result.out);
    expect(xml.attributes).toMatchObject({ tests: '4', failures: '2' });
    const failed = xml.children[0]!.children.find((c) => c.attributes.name === 'match[1]')!;
    expect(failed.attributes.line).toBe('4');
    expect(failed.children[0]!.name).toBe('failure');
    expect(failed.children[0]!.attributes.message).toMatch(/expected a match; matched: nothing/);
    expect(xml.children[1]!.children[0]!.attributes).toMatchObject({ classname: 'untested', name: 'otel_audit_mfa_disabled.yml' });

    const sarif = JSON.parse((await cli('test', '--output-format', 'sarif', '-r', join(defaultRulesPath(), 'otel_audit_stream_deleted.yml'), join(defaultRulesPath(), 'otel_audit_mfa_disabled.yml'), '-t', dir)).out) as { runs: { results: { ruleId: string; locations: { physicalLocation: { region?: { startLine: number } } }[] }[] }[] };
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(sarif.runs[0]!.results.map((r) => r.ruleId)).toEqual(['sigma-test/failed', 'sigma-test/untested']);
    expect(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.region?.startLine).toBe(4);
  });
});
