// The JSON Schema flags a literal secret as the loader does, so an editor with
// the YAML language server shows it while the file is written; the loader
// reports it once, with a variable named after the destination.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseDestinations } from '../../src/collector/index.js';
import { destinationModules } from '../../src/collector/destinations/index.js';
import { SECRET_FIELD_PATTERN } from '../../src/collector/load.js';
import { isSecretName } from '../../src/collector/secrets.js';
import { root } from './examples.js';

type Node = { type?: string; pattern?: string; patternErrorMessage?: string; properties?: Record<string, Node> };
const schema = JSON.parse(readFileSync(join(root, 'schemas', 'destinations.schema.json'), 'utf8')) as { $defs: Record<string, Node> };
const secretFields = Object.keys(destinationModules).flatMap((type) =>
  Object.entries(schema.$defs[type]?.properties ?? {})
    .filter(([key, prop]) => prop.type === 'string' && (isSecretName(key) || (destinationModules[type as keyof typeof destinationModules].secretFields ?? []).includes(key)))
    .map(([key, prop]) => ({ type, key, prop })));

describe('secret fields in the schema', () => {
  it('are the fields the loader treats as secrets, each with its pattern and a message', () => {
    expect(secretFields.length).toBeGreaterThanOrEqual(10);
    for (const { type, key, prop } of secretFields) {
      expect(prop.pattern, `${type}.${key}`).toBe(SECRET_FIELD_PATTERN);
      expect(prop.patternErrorMessage, `${type}.${key}`).toMatch(/^is a secret: write an environment reference such as \$\{env:[A-Z_]+\}/);
    }
    // No other field carries the pattern.
    const all = Object.entries(schema.$defs).flatMap(([def, node]) => Object.entries(node.properties ?? {}).filter(([, p]) => p.pattern === SECRET_FIELD_PATTERN).map(([k]) => `${def}.${k}`));
    expect(all.sort()).toEqual(secretFields.map((f) => `${f.type}.${f.key}`).sort());
  });

  it('flag a literal secret for an editor (plain JSON Schema validation) and accept ${env:NAME}', () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const file = (token: string) => ({ domain: 'acme.audit', destinations: [{ name: 'splunk', type: 'splunk_hec', endpoint: 'https://splunk.example.com:8088', token }] });
    expect(validate(file('${env:SPLUNK_HEC_TOKEN}'))).toBe(true);
    expect(validate(file('00000000-1111-2222-3333-444444444444'))).toBe(false);
    const error = (validate.errors ?? []).find((e) => e.keyword === 'pattern' && e.instancePath === '/destinations/0/token');
    expect(error).toBeDefined();
    expect(validate(file('${env:SPLUNK_HEC_TOKEN}x'))).toBe(false);
  });

  it('the loader still reports a literal secret once, naming a variable for that destination and no regex', () => {
    const text = 'domain: acme.audit\ndestinations:\n  - name: search\n    type: opensearch\n    endpoint: https://os.example.com:9200\n    username: admin\n    password: hunter2hunter2\n';
    let message = '';
    try {
      parseDestinations(text, 'a.yaml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.match(/destinations\[0\]\.password/g)).toHaveLength(1);
    expect(message).toContain('SEARCH_PASSWORD');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('[A-Za-z_]');
  });
});

it('docs/collector.md shows the $schema line for the installed package and a VS Code yaml.schemas snippet, and package.json exports the schemas', () => {
  const doc = readFileSync(join(root, 'docs', 'collector.md'), 'utf8');
  expect(doc).toContain('# yaml-language-server: $schema=./node_modules/otel-audit/schemas/destinations.schema.json');
  expect(doc).toMatch(/"yaml\.schemas": \{\n\s+"\.\/node_modules\/otel-audit\/schemas\/destinations\.schema\.json"/);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string>; files: string[] };
  expect(pkg.exports['./schemas/*']).toBe('./schemas/*');
  expect(pkg.files).toContain('schemas');
});
