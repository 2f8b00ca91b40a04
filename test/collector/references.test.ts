// `${…}` in the destinations file: the collector expands it in every string of
// its config (and reads `$$` as `$`). Only the reference fields (endpoints,
// credentials, usernames and ids, headers, paths) keep `${env:NAME}`; every
// other `$` is rendered as `$$`, so an organization "${env:SECRET}" is that
// text, not the secret. Proven with the real collector: records routed by
// organization, a HEC sourcetype and a file path with `$` in them. (An index
// cannot hold `$` at all: it must be an index name or a reference.)
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCollectorConfig, DestinationsError, packagingWarnings, parseDestinations, renderCollectorConfig } from '../../src/collector/index.js';
import { placeholderEnv } from '../../src/collector/validate.js';
import { envReferences, escapeDollars, escapeDollarsMinimal } from '../../src/collector/secrets.js';
import { startHecReceiver, type HecReceiver } from '../../src/testing/hec-receiver.js';
import { readFileExporterOutput, startCollector, type RunningCollector } from '../harness/collector.js';
import { attributeOf, postEvents, waitFor, type TestEvent } from './otlp.js';

const file = (destinations: string, collector = '') => parseDestinations(`domain: acme.audit\n${collector}destinations:\n${destinations}`, 'audit-collector.yaml');

describe('references in the rendered config', () => {
  const spec = file(`  - name: tenant
    type: splunk_hec
    endpoint: \${env:SPLUNK_URL}
    token: \${env:SPLUNK_TOKEN}
    sourcetype: idx-\${env:SPLUNK_TOKEN}-$HOME
    source: a$$b
    events: ["\${env:SPLUNK_TOKEN}", "repo.$*"]
    organizations: ["\${env:SPLUNK_TOKEN}", "$\${file:/etc/passwd}"]
  - name: archive
    type: file
    path: \${env:ARCHIVE_DIR}/a$b/audit.jsonl
`, 'collector:\n  queue: { directory: "${env:QUEUE_DIR}/q$1" }\n');
  const { config } = buildCollectorConfig(spec);
  const exporters = config.exporters as Record<string, Record<string, unknown>>;

  it('keeps ${env:NAME} in the reference fields and escapes every other $', () => {
    expect(exporters['splunk_hec/tenant']).toMatchObject({ endpoint: '${env:SPLUNK_URL}', token: '${env:SPLUNK_TOKEN}', sourcetype: 'idx-$${env:SPLUNK_TOKEN}-$$HOME', source: 'a$$$$b' });
    expect(exporters['file/archive']!.path).toBe('${env:ARCHIVE_DIR}/a$$b/audit.jsonl');
    expect((config.extensions['file_storage/audit-queue'] as { directory: string }).directory).toBe('${env:QUEUE_DIR}/q$$1');
  });

  it('escapes values inside the OTTL routing conditions, after the glob became a regex', () => {
    const [events, organizations] = (config.processors['filter/route-tenant'] as { logs: { log_record: string[] } }).logs.log_record;
    expect(organizations).toBe(`attributes["${attributeOf('organization')}"] == nil or not (attributes["${attributeOf('organization')}"] == "$\${env:SPLUNK_TOKEN}" or attributes["${attributeOf('organization')}"] == "$$$\${file:/etc/passwd}")`);
    // The regex escapes `$` and `{` itself, so nothing in it is a reference; its anchor `$` stays single.
    expect(events).toContain('"^(?:\\\\$\\\\{env:SPLUNK_TOKEN\\\\}|repo\\\\.\\\\$.*)$"');
  });

  it('leaves escaped references out of the placeholders and the Helm/operator secret env', () => {
    expect([...envReferences(config)].sort()).toEqual(['ARCHIVE_DIR', 'QUEUE_DIR', 'SPLUNK_TOKEN', 'SPLUNK_URL']);
    expect(Object.keys(placeholderEnv(config)).sort()).toEqual(['ARCHIVE_DIR', 'QUEUE_DIR', 'SPLUNK_TOKEN', 'SPLUNK_URL']);
    const helm = parse(renderCollectorConfig(spec, { format: 'helm' })) as { extraEnvs: { name: string }[] };
    expect(helm.extraEnvs.map((e) => e.name)).toEqual(['ARCHIVE_DIR', 'QUEUE_DIR', 'SPLUNK_TOKEN', 'SPLUNK_URL']);
  });

  it('warns about ${…} written where it is not expanded', () => {
    expect(packagingWarnings(spec, 'config')).toEqual([
      'audit-collector.yaml: destinations[0].sourcetype: "idx-${env:SPLUNK_TOKEN}-$HOME" is written as it is: ${…} is expanded only in endpoints, credentials, usernames and ids, headers and paths (docs/collector.md, "Limits and what is refused")',
      expect.stringContaining('destinations[0].events[0]: "${env:SPLUNK_TOKEN}" is written as it is') as unknown as string,
      expect.stringContaining('destinations[0].organizations[0]: "${env:SPLUNK_TOKEN}" is written as it is') as unknown as string,
      expect.stringContaining('destinations[0].organizations[1]: "$${file:/etc/passwd}" is written as it is') as unknown as string,
    ]);
  });

  it('has escapes the collector reads back as the text', () => {
    expect(escapeDollars('a$b$$${x}')).toBe('a$$b$$$$$${x}');
    // A lone $ (a regex anchor) needs no escape; a run or a $ before { does.
    expect(escapeDollarsMinimal('^a$')).toBe('^a$');
    expect(escapeDollarsMinimal('x${y}$$z')).toBe('x$${y}$$$$z');
  });
});

describe('a reference field with another kind of ${…}', () => {
  it.each([
    ['an endpoint', '  - name: v\n    type: otlp\n    endpoint: https://x.example.com/${file:/etc/passwd}\n', 'destinations[0].endpoint'],
    ['a path', '  - name: a\n    type: file\n    path: ${HOME}/audit.jsonl\n', 'destinations[0].path'],
    ['a header', '  - name: v\n    type: otlp\n    endpoint: https://x\n    headers: { x-tenant: "${env:TENANT:-acme}" }\n', 'destinations[0].headers.x-tenant'],
  ])('is refused in %s', (_, destinations, path) => {
    try {
      file(destinations);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(DestinationsError);
      expect((error as DestinationsError).issues.map((i) => [i.path, i.message])).toEqual([[path, 'holds a "${" that is not an ${env:NAME} reference: only ${env:NAME} is expanded here (${NAME}, ${env:NAME:-default}, ${file:…} and other forms are refused)']]);
    }
  });

  it('is refused in collector.queue.directory', () => {
    expect(() => file('  - name: a\n    type: debug\n', 'collector:\n  queue: { directory: "${yaml:x}" }\n')).toThrow(/collector\.queue\.directory: holds a "\$\{" that is not an \$\{env:NAME\} reference/);
  });
});

describe('the real collector reads every $ outside a reference as it is written', () => {
  const SECRET_VALUE = 'tenant-secret-4711';
  const TOKEN = 'hec-token-for-references';
  let hec: HecReceiver;
  let collector: RunningCollector;
  let tenantFile = '';
  let allFile = '';
  const events: TestEvent[] = [
    // An organization whose id is the secret's value: the filter must not know that value.
    { id: 'by-value', name: 'repo.fork', domain: 'acme.audit', organization: SECRET_VALUE },
    // An organization whose id is literally "${env:SECRET}": the filter names exactly it.
    { id: 'by-text', name: 'repo.fork', domain: 'acme.audit', organization: '${env:SECRET}' },
    { id: 'other', name: 'repo.fork', domain: 'acme.audit', organization: 'acme' },
  ];

  beforeAll(async () => {
    hec = await startHecReceiver({ token: TOKEN });
    const workDir = mkdtempSync(join(tmpdir(), 'otel-audit-references-'));
    tenantFile = join(workDir, 'tenant-$HOME-$$.jsonl');
    allFile = join(workDir, 'all.jsonl');
    collector = await startCollector((ports) => renderCollectorConfig(parseDestinations(`domain: acme.audit
collector:
  receiver: { bind: 127.0.0.1, grpcPort: ${ports.otlpGrpc}, httpPort: ${ports.otlpHttp} }
  healthCheck: { bind: 127.0.0.1, port: ${ports.health} }
  queue: { directory: "\${env:WORK_DIR}/queue" }
  batch: { timeout: 100ms }
  telemetry: { metricsLevel: none }
destinations:
  - name: tenant
    type: file
    path: "\${env:WORK_DIR}/tenant-$HOME-$$.jsonl"
    flushInterval: 100ms
    organizations: ["\${env:SECRET}"]
  - name: all
    type: file
    path: ${JSON.stringify(allFile)}
    flushInterval: 100ms
  - name: splunk
    type: splunk_hec
    endpoint: ${hec.url}
    token: \${env:HEC_TOKEN}
    sourcetype: "audit-\${env:SECRET}-$$"
`, 'references.yaml')), { workDir, env: { SECRET: SECRET_VALUE, HEC_TOKEN: TOKEN, WORK_DIR: workDir } });
    await postEvents(collector.ports.otlpHttp, events);
    await waitFor(() => (readFileExporterOutput(allFile).length >= 3 && hec.events.length >= 3 ? true : undefined), 20_000, 'records in all.jsonl and at the HEC server');
    // Give a wrongly routed record time to show up too.
    await new Promise((r) => setTimeout(r, 500));
  }, 90_000);

  afterAll(async () => {
    await collector?.stop();
    await hec?.close();
  });

  it('routes the record whose organization is the literal text, not the one whose organization is the secret', () => {
    const ids = readFileExporterOutput(tenantFile).map((r) => r.attributes[attributeOf('id')]);
    expect(ids).toEqual(['by-text']);
    expect(readFileExporterOutput(allFile).map((r) => r.attributes[attributeOf('id')]).sort()).toEqual(['by-text', 'by-value', 'other']);
  });

  it('writes to the path as written, with its $ and its ${env:…} reference expanded', () => {
    expect(existsSync(tenantFile)).toBe(true);
  });

  it('sends the HEC sourcetype as written, never the secret', () => {
    expect(hec.events.map((e) => e.sourcetype)).toEqual(['audit-${env:SECRET}-$$', 'audit-${env:SECRET}-$$', 'audit-${env:SECRET}-$$']);
    expect(JSON.stringify(hec.events.map((e) => e.sourcetype))).not.toContain(SECRET_VALUE);
  });
});
