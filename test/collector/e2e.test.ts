// End to end with the real collector running a rendered config: plain OTLP/HTTP
// posts in; a file exporter and a Splunk HEC endpoint out (the collector's own
// splunk_hec receiver in a second collector, test/harness/hec-collector.ts, so
// the HEC requests are parsed by an implementation we did not write). Checks
// the domain filter, the events/organizations routing, redaction and the HEC fields.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCollectorConfig } from '../../src/collector/index.js';
import { withDefaults } from '../../src/collector/spec.js';
import { packageRoot } from '../../src/package-root.js';
import { readFileExporterOutput, startCollector, type RunningCollector } from '../harness/collector.js';
import { startHecCollector, type HecCollector } from '../harness/hec-collector.js';
import { attributeOf, postEvents, waitFor, type TestEvent } from './otlp.js';

const TOKEN = 'e2e-hec-token';
const contractMark = (JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'contract.json'), 'utf8')) as { sensitive: { emitterMark: { attribute: string; value: string } } }).sensitive.emitterMark;
const SECRET = 'hunter2-do-not-ship';
const NESTED_SECRET = 'tok-nested-123';
// Under a data key that has a contract field's name (body.actor is one): still checked.
const UNDER_CONTRACT_NAME = 'under-actor-456';

const events: TestEvent[] = [
  { id: 'e1', name: 'repo.fork', domain: 'acme.audit', organization: 'org-a', data: { password: SECRET, nested: { apiToken: NESTED_SECRET }, actor: { client_secret: UNDER_CONTRACT_NAME }, apiKey: '[REDACTED]', count: 3, tokenCount: 7 } },
  { id: 'e2', name: 'auth.login.failed', domain: 'acme.audit', organization: 'org-b' },
  { id: 'e3', name: 'repo.delete', domain: 'acme.audit', organization: 'org-b' },
  { id: 'e4', name: 'repo.fork', domain: 'other.audit', organization: 'org-a' },
  { id: 'e5', name: 'member.add', domain: 'acme.audit' },
];
// As the emitter sends it: already redacted, and marked so (contract sensitive.emitterMark).
const fromEmitter: TestEvent = { id: 'e6', name: 'auth.login', domain: 'acme.audit', data: { password: '[REDACTED]', method: 'password' } };

describe('a rendered config running in the real collector', () => {
  let hec: HecCollector;
  let collector: RunningCollector;
  const read = readFileExporterOutput;
  const ids = (records: { attributes: Record<string, unknown> }[]) => records.map((r) => r.attributes[attributeOf('id')]).sort();
  let allFile = '';
  let tenantFile = '';
  let pausedFile = '';

  beforeAll(async () => {
    hec = await startHecCollector();
    collector = await startCollector((ports, workDir) => {
      allFile = join(workDir, 'all.jsonl');
      tenantFile = join(workDir, 'tenant-a.jsonl');
      pausedFile = join(workDir, 'paused.jsonl');
      const spec = withDefaults({
        domain: 'acme.audit',
        collector: {
          receiver: { bind: '127.0.0.1', grpcPort: ports.otlpGrpc, httpPort: ports.otlpHttp },
          healthCheck: { bind: '127.0.0.1', port: ports.health },
          queue: { directory: join(workDir, 'queue') },
          batch: { timeout: '100ms' },
          retry: { initialInterval: '200ms', maxInterval: '1s' },
          telemetry: { metricsLevel: 'none' },
        },
        destinations: [
          { name: 'all', type: 'file', path: allFile, flushInterval: '100ms' },
          { name: 'splunk', type: 'splunk_hec', endpoint: hec.url, token: '${env:E2E_HEC_TOKEN}', index: 'audit', events: ['repo.*'] },
          { name: 'tenant-a', type: 'file', path: tenantFile, flushInterval: '100ms', organizations: ['org-a'] },
          { name: 'paused', type: 'file', path: pausedFile, enabled: false },
        ],
      });
      return buildCollectorConfig(spec).config;
    }, { env: { E2E_HEC_TOKEN: TOKEN } });
    await postEvents(collector.ports.otlpHttp, events);
    await postEvents(collector.ports.otlpHttp, [fromEmitter], { emitterMark: true });
    await waitFor(() => (read(allFile).length >= 5 && hec.records().length >= 2 && read(tenantFile).length >= 1 ? true : undefined), 20_000, 'records at every destination');
    // Give a wrongly routed record time to show up too.
    await new Promise((r) => setTimeout(r, 500));
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    await hec?.stop();
  });

  it('drops records of another domain and delivers the rest to the unfiltered destination', () => {
    expect(ids(read(allFile))).toEqual(['e1', 'e2', 'e3', 'e5', 'e6']);
  });

  it('routes by events (globs on event.name) and organizations (organization.id)', () => {
    expect(ids(hec.records())).toEqual(['e1', 'e3']);
    expect(ids(read(tenantFile))).toEqual(['e1']);
  });

  it('leaves a paused destination out', () => {
    expect(existsSync(pausedFile)).toBe(false);
  });

  it('sends HEC events whose event is the canonical event and whose fields are the contract attributes', () => {
    // The receiver turns each HEC event into a log record: event → body, fields → attributes, index/sourcetype → resource.
    const fork = hec.records().find((r) => r.attributes[attributeOf('id')] === 'e1')!;
    expect(fork.resource['com.splunk.index']).toBe('audit');
    expect(fork.resource['com.splunk.sourcetype']).toBe('otel:audit');
    expect(fork.body).toMatchObject({ id: 'e1', name: 'repo.fork', domain: 'acme.audit', organization: 'org-a' });
    expect(fork.attributes).toMatchObject({
      [attributeOf('name')]: 'repo.fork',
      [attributeOf('domain')]: 'acme.audit',
      [attributeOf('organization')]: 'org-a',
      'service.name': 'otel-audit-test',
      'otel.log.severity.text': 'INFO',
    });
    expect(Number(fork.attributes[`${attributeOf('data')}count`])).toBe(3);
    // The `Authorization: Splunk <token>` header, passed through by the receiver.
    for (const record of hec.records()) expect(record.resource['com.splunk.hec.access_token']).toBe(TOKEN);
  });

  it('removes secrets from attributes and the body, keeping the keys', () => {
    const everything = readFileSync(allFile, 'utf8') + readFileSync(tenantFile, 'utf8') + JSON.stringify(hec.records());
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(NESTED_SECRET);
    expect(everything).not.toContain(UNDER_CONTRACT_NAME);
    const fork = read(allFile).find((r) => r.attributes[attributeOf('id')] === 'e1')!;
    expect(fork.attributes).toHaveProperty([`${attributeOf('data')}password`]);
    expect(fork.attributes).toHaveProperty([`${attributeOf('data')}nested.apiToken`]);
    // tokenCount is not sensitive under the contract's rule.
    expect(fork.attributes[`${attributeOf('data')}tokenCount`]).toBe(7);
    // A value the emitter already replaced keeps the contract's replacement.
    expect(fork.attributes[`${attributeOf('data')}apiKey`]).toBe('[REDACTED]');
    // The contract's own attributes are not touched.
    expect(fork.attributes[attributeOf('name')]).toBe('repo.fork');
    expect((fork.body as { data: { nested: { apiToken: string } } }).data.nested.apiToken).not.toBe(NESTED_SECRET);
  });

  it('redacts records without the emitter\'s mark and passes marked ones on as the emitter redacted them', () => {
    const records = read(allFile);
    const unmarked = records.find((r) => r.attributes[attributeOf('id')] === 'e1')!;
    const marked = records.find((r) => r.attributes[attributeOf('id')] === 'e6')!;
    // The collector's redaction writes its own mask over the body's sensitive keys...
    expect((unmarked.body as { data: { apiKey: string } }).data.apiKey).toBe('****');
    // ...and a marked record never went through it: the emitter's replacement is still there.
    expect((marked.body as { data: { password: string; method: string } }).data).toEqual({ password: '[REDACTED]', method: 'password' });
    expect(marked.attributes[contractMark.attribute]).toBe(contractMark.value);
  });
});

describe('a rendered config with collector.redaction.trustEmitter: false', () => {
  it('redacts marked records in the collector too', async () => {
    let out = '';
    const collector = await startCollector((ports, workDir) => {
      out = join(workDir, 'out.jsonl');
      return buildCollectorConfig(withDefaults({
        domain: 'acme.audit',
        collector: {
          receiver: { bind: '127.0.0.1', grpcPort: ports.otlpGrpc, httpPort: ports.otlpHttp },
          healthCheck: { bind: '127.0.0.1', port: ports.health },
          queue: { directory: join(workDir, 'queue') },
          redaction: { trustEmitter: false },
          telemetry: { metricsLevel: 'none' },
        },
        destinations: [{ name: 'all', type: 'file', path: out, flushInterval: '100ms' }],
      })).config;
    });
    try {
      const leaked = { ...fromEmitter, data: { password: SECRET } };
      await postEvents(collector.ports.otlpHttp, [leaked], { emitterMark: true });
      const [record] = await waitFor(() => { const records = readFileExporterOutput(out); return records.length > 0 ? records : undefined; }, 20_000, 'the record in the file');
      expect(readFileSync(out, 'utf8')).not.toContain(SECRET);
      expect((record!.body as { data: { password: string } }).data.password).toBe('****');
    } finally {
      await collector.stop();
    }
  });
});
