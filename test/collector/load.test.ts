// The loader's error messages: each names the file, the line, the path inside
// the file and the reason, and every problem is reported at once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DestinationsError, loadDestinations, parseDestinations } from '../../src/collector/index.js';

function problems(text: string): string[] {
  try {
    parseDestinations(text, 'audit-collector.yaml');
  } catch (error) {
    if (error instanceof DestinationsError) return error.message.split('\n').slice(1).map((l) => l.trim());
    throw error;
  }
  throw new Error('expected the file to be refused');
}

const splunk = (extra = '') => `  - name: splunk
    type: splunk_hec
    endpoint: https://splunk.example.com:8088/services/collector
    token: \${env:SPLUNK_HEC_TOKEN}
${extra}`;

describe('loadDestinations', () => {
  it('loads a valid file and applies the schema defaults', () => {
    const spec = parseDestinations(`domain: acme.audit\ndestinations:\n${splunk()}`, 'a.yaml');
    expect(spec.domain).toBe('acme.audit');
    expect(spec.destinations[0]).toMatchObject({ name: 'splunk', enabled: true });
    expect(spec.collector.receiver).toEqual({ bind: '0.0.0.0', grpcPort: 4317, httpPort: 4318 });
    expect(spec.collector.image).toBe('otel/opentelemetry-collector-contrib:0.139.0');
  });

  it('refuses a literal secret and names the field', () => {
    expect(problems(`domain: acme.audit\ndestinations:\n  - name: splunk\n    type: splunk_hec\n    endpoint: https://s:8088\n    token: 0f3c-literal\n`)).toEqual([
      'audit-collector.yaml:6:12: destinations[0].token: "token" is a secret and must be an environment reference like ${env:SPLUNK_TOKEN}, not a literal value',
    ]);
  });

  it('refuses literal secrets in password, apiKey, connection strings, auth headers and a Sumo Logic URL', () => {
    const text = `domain: acme.audit
destinations:
  - name: search
    type: opensearch
    endpoint: https://os:9200
    username: admin
    password: admin
  - name: elastic
    type: elasticsearch
    endpoint: https://es:9200
    apiKey: abc==
  - name: ai
    type: azuremonitor
    connectionString: InstrumentationKey=00000000-0000-0000-0000-000000000000
  - name: vendor
    type: otlp
    endpoint: https://otlp.example.com
    headers:
      Authorization: Bearer abc
      x-tenant: acme
  - name: sumo
    type: sumologic
    endpoint: https://collectors.sumologic.com/receiver/v1/http/SECRETPART
`;
    const lines = problems(text);
    expect(lines.map((l) => l.split(': ')[1])).toEqual([
      'destinations[0].password',
      'destinations[1].apiKey',
      'destinations[2].connectionString',
      'destinations[3].headers.Authorization',
      'destinations[4].endpoint',
    ]);
    for (const line of lines) expect(line).toMatch(/is a secret and must be an environment reference like \$\{env:[A-Z0-9_]+\}/);
  });

  it('accepts a scheme word before an env reference in a header', () => {
    const spec = parseDestinations(`domain: acme.audit\ndestinations:\n  - name: v\n    type: otlp\n    endpoint: https://x\n    headers:\n      Authorization: Bearer \${env:VENDOR_TOKEN}\n`);
    expect(spec.destinations[0]!.headers).toEqual({ Authorization: 'Bearer ${env:VENDOR_TOKEN}' });
  });

  it('reports duplicate names, unknown types, unknown keys and missing keys, all at once', () => {
    const text = `domain: acme.audit
destinations:
${splunk('    colour: blue\n')}${splunk()}  - name: stream
    type: pulsar
    brokers: [a]
  - name: search
    type: opensearch
    username: \${env:U}
`;
    expect(problems(text)).toEqual([
      'audit-collector.yaml:7:5: destinations[0].colour: unknown key "colour" for type splunk_hec',
      'audit-collector.yaml:8:11: destinations[1].name: duplicate destination name "splunk" (also destinations[0].name)',
      'audit-collector.yaml:13:11: destinations[2].type: unknown destination type "pulsar"; known types: splunk_hec, opensearch, elasticsearch, awscloudwatchlogs, sentinel, azuremonitor, sumologic, awss3, datadog, kafka, otlp, file, debug',
      'audit-collector.yaml:15:5: destinations[3].endpoint: missing required key "endpoint"',
      'audit-collector.yaml:15:5: destinations[3]: "username" needs "password" too',
    ]);
  });

  it('checks the global settings and the domain', () => {
    const text = `domain: Acme Audit
collector:
  receiver:
    grpcPort: 70000
  queue:
    dir: /tmp/q
destinations:
${splunk()}`;
    expect(problems(text)).toEqual([
      'audit-collector.yaml:1:9: domain: "Acme Audit" must be lowercase letters and digits in words joined by ".", "-" or "_", like acme.audit',
      'audit-collector.yaml:4:15: collector.receiver.grpcPort: must be <= 65535',
      'audit-collector.yaml:6:5: collector.queue.dir: unknown key "dir"',
    ]);
  });

  it('names the file for YAML syntax errors and unreadable files', () => {
    expect(problems('domain: acme.audit\ndestinations: [\n')[0]).toMatch(/^audit-collector\.yaml:\d+:\d+: \(file\): invalid YAML/);
    const dir = mkdtempSync(join(tmpdir(), 'otel-audit-load-'));
    expect(() => loadDestinations(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: \(file\): cannot read the file/);
    const file = join(dir, 'empty-list.yaml');
    writeFileSync(file, 'domain: acme.audit\ndestinations: []\n');
    expect(() => loadDestinations(file)).toThrow(/empty-list\.yaml:2:15: destinations: must NOT have fewer than 1 items/);
  });
});

describe('a file that is not UTF-8', () => {
  it('is refused at the line of the bad byte instead of turning it into another path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otel-audit-load-'));
    const file = join(dir, 'latin1.yaml');
    // "é" in Latin-1 (0xE9): decoded leniently, the file exporter would write to /var/log/audit-r\uFFFDsum\u00E9.jsonl.
    writeFileSync(file, Buffer.concat([Buffer.from('domain: acme.audit\n# caf\u00e9, valid UTF-8\ndestinations:\n  - name: archive\n    type: file\n    path: /var/log/audit-r'), Buffer.from([0xe9]), Buffer.from('sum.jsonl\n')]));
    expect(() => loadDestinations(file)).toThrow(/latin1\.yaml:6:27: \(file\): the file is not valid UTF-8 \(byte 0xE9 at byte \d+\); save it as UTF-8/);
    const valid = join(dir, 'valid.yaml');
    writeFileSync(valid, '\ufeffdomain: acme.audit\ndestinations:\n  - name: archive\n    type: file\n    path: /var/log/r\u00e9sum\u00e9-\ufffd.jsonl\n');
    expect(loadDestinations(valid).destinations[0]).toMatchObject({ path: '/var/log/r\u00e9sum\u00e9-\ufffd.jsonl' });
  });
});

describe('sentinel identities', () => {
  it('refuses index names Splunk or OpenSearch would refuse, or that a query naming them could be broken out of', () => {
    const lines = problems(`domain: acme.audit\ndestinations:\n${splunk('    index: main | delete\n')}  - name: search\n    type: opensearch\n    endpoint: https://os.example.com:9200\n    index: Audit Events\n`);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/destinations\[0\]\.index: .*must be a Splunk index name/);
    expect(lines[1]).toMatch(/destinations\[1\]\.index: .*must be an OpenSearch index name/);
    expect(parseDestinations(`domain: acme.audit\ndestinations:\n${splunk('    index: audit_events-1\n')}  - name: search\n    type: opensearch\n    endpoint: https://os.example.com:9200\n    index: \${env:AUDIT_INDEX}\n`, 'a.yaml').destinations).toHaveLength(2);
  });

  it('says that YAML merge keys are not read, and a destination without a type is missing its type (not every type’s keys)', () => {
    expect(problems('domain: acme.audit\ndestinations:\n  - <<: { type: file }\n    name: a\n    path: /tmp/a.jsonl\n')).toEqual([
      'audit-collector.yaml:3:5: destinations[0]["<<"]: "<<" (a YAML merge key) is not supported: write the keys out (aliases of whole values, *name, work)',
      'audit-collector.yaml:3:5: destinations[0].type: missing required key "type"',
    ]);
  });

  it('asks for the ids each identity needs', () => {
    const text = `domain: acme.audit
destinations:
  - name: soc
    type: sentinel
    endpoint: https://dce.example.com
    dcrImmutableId: dcr-00000000000000000000000000000000
    identity: workload
    clientId: c
`;
    expect(problems(text)).toEqual([
      'audit-collector.yaml:3:5: destinations[0].tenantId: missing required key "tenantId"',
      'audit-collector.yaml:3:5: destinations[0].federatedTokenFile: missing required key "federatedTokenFile"',
    ]);
  });
});
