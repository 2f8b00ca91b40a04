// The opensearch destination against a real OpenSearch: `otel-audit collector
// setup` makes the index template, records emitted by the real emitter pass the
// rendered config and the real collector, and the documents are read back: the
// contract's attributes are top-level fields, the body an object under Body.*,
// no data_stream, the replicas as set, and the string fields answer Sigma's
// case-insensitive exact, contains, startswith and endswith queries.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { loadDestinations, setupDestinations, type SetupReport } from '../../src/collector/index.js';
import { contract } from '../../src/event/contract.js';
import { testServers } from '../harness/servers.js';
import { forkEvent } from './catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from './deliver.js';

const INDEX = 'audit-acme';
const FORK_ID = '019cd58f-0000-7000-8000-00000000f0c1';

interface Hit {
  _id: string;
  _source: Record<string, unknown>;
}

describe('opensearch destination → a real OpenSearch', () => {
  const os = () => testServers().openSearch.url;
  let collector: DeliveringCollector;
  let setup: SetupReport;
  let docs: Hit[] = [];

  const json = async (path: string, init: { method?: string; body?: unknown } = {}): Promise<Record<string, unknown>> => {
    const response = await fetch(`${os()}${path}`, { method: init.method ?? (init.body ? 'POST' : 'GET'), headers: { 'content-type': 'application/json' }, body: init.body ? JSON.stringify(init.body) : undefined });
    return (await response.json()) as Record<string, unknown>;
  };
  /** The uids of the documents a query_string query finds (the form the sigma opensearch_lucene backend writes). */
  const find = async (query: string): Promise<string[]> => {
    const result = await json(`/${INDEX}/_search`, { body: { size: 100, query: { query_string: { query } } } });
    if (result.error) throw new Error(`${query}: ${JSON.stringify(result.error)}`);
    return ((result.hits as { hits: Hit[] }).hits).map((h) => h._source['log.record.uid'] as string).sort();
  };

  beforeAll(async () => {
    collector = await startDelivering([{ name: 'search', type: 'opensearch', endpoint: os(), index: INDEX, replicas: 0 }]);
    // Before the first record: the index is created from the template.
    setup = await setupDestinations(loadDestinations(collector.destinationsFile));
    await emitThrough(collector, (audit) => {
      audit.emit('repo.fork', forkEvent(FORK_ID));
      audit.emit('auth.login.failed', { id: 'login-1', actor: { id: 'U-2', email: 'Bob@Example.COM' }, outcome: 'failure', data: { method: 'password', password: 'hunter2' } });
      audit.emit('webhook.create', { id: 'hook-1', actor: { id: 'u-1' }, data: { url: 'HTTP://Hooks.Example.com/Audit', events: ['repo.fork', 'repo.delete'] } });
      audit.emit('webhook.create', { id: 'hook-2', actor: { id: 'u-1' }, data: { url: 'https://hooks.example.com/other' } });
    });
    docs = await eventually(async () => {
      await fetch(`${os()}/${INDEX}/_refresh`, { method: 'POST' });
      const result = await json(`/${INDEX}/_search`, { body: { size: 100 } });
      const hits = (result.hits as { hits: Hit[] } | undefined)?.hits ?? [];
      return hits.length >= 4 ? hits : undefined;
    }, 30_000, `4 documents in ${INDEX}`, collector);
  }, 90_000);

  afterAll(async () => collector?.stop());

  const doc = (uid: string) => docs.find((d) => d._source['log.record.uid'] === uid)!._source;

  it('applies the index template before the first record', () => {
    expect(setup.steps).toEqual([expect.objectContaining({ destination: 'search', type: 'opensearch', outcome: 'applied', status: 200 })]);
    expect(setup.steps[0]!.note).toBeUndefined();
  });

  it('puts every contract attribute at the top level with its OTLP name, and the body as an object under Body', () => {
    const fork = doc(FORK_ID);
    const event = forkEvent(FORK_ID);
    expect(fork).toMatchObject({
      'log.record.uid': FORK_ID,
      'event.name': 'repo.fork',
      'event.domain': 'acme.audit',
      'event.source': 'api',
      'audit.outcome': 'success',
      'user.id': 'u-1',
      'enduser.id': 'u-1',
      'audit.actor.type': 'user',
      'user.email': 'ada@example.com',
      'user.name': 'Ada',
      'client.address': '203.0.113.7',
      'user_agent.original': 'curl/8.5',
      'audit.target.type': 'repository',
      'audit.target.id': 'r-9',
      'audit.target.name': 'acme/widgets',
      'organization.id': 'acme',
      'team.id': 'platform',
      'audit.transaction.id': 'tx-42',
      'audit.data.repo.id': 'r-9',
      'audit.data.repo.visibility': 'private',
      'audit.data.forks': 3,
      'audit.data.deployKey': contract().sensitive.replacement,
      'Body.name': 'repo.fork',
      'Body.id': FORK_ID,
      'Body.actor.id': 'u-1',
      'Body.data.repo.id': 'r-9',
      'Body.data.forks': 3,
      'Body.data.deployKey': contract().sensitive.replacement,
      'SeverityText': contract().severities.warning.text,
      'SeverityNumber': contract().severities.warning.number,
      'service.name': 'otel-audit-server-test',
    });
    expect(String(fork['@timestamp'])).toMatch(/^2026-03-10T09:15:00\.123/);
    expect(JSON.stringify(docs)).not.toContain('ssh-ed25519');
    expect(JSON.stringify(docs)).not.toContain('hunter2');
    expect(event.data.deployKey).toContain('secret');
    expect(doc('hook-1')['audit.data.events']).toEqual(['repo.fork', 'repo.delete']);
  });

  it('adds no data_stream object and no body string', () => {
    for (const d of docs) {
      expect(Object.keys(d._source).filter((k) => /data_stream|^attributes\b|^body$/.test(k))).toEqual([]);
    }
  });

  it('creates the index from the template: replicas as set (green on one node), strings as lowercase keywords, numbers as numbers', async () => {
    const health = await json(`/_cluster/health/${INDEX}`);
    expect(health.status).toBe('green');
    const settings = await json(`/${INDEX}/_settings`);
    expect((settings[INDEX] as { settings: { index: { number_of_replicas: string } } }).settings.index.number_of_replicas).toBe('0');
    const mapping = await json(`/${INDEX}/_mapping/field/event.name,audit.data.forks,audit.data.url,@timestamp`);
    const fields = (mapping[INDEX] as { mappings: Record<string, { mapping: Record<string, { type: string; normalizer?: string }> }> }).mappings;
    expect(fields['event.name']!.mapping.name).toMatchObject({ type: 'keyword', normalizer: 'otel_audit_lowercase' });
    expect(fields['audit.data.url']!.mapping.url).toMatchObject({ type: 'keyword', normalizer: 'otel_audit_lowercase' });
    expect(fields['audit.data.forks']!.mapping.forks!.type).toBe('long');
    expect(fields['@timestamp']!.mapping['@timestamp']!.type).toBe('date');
  });

  it('answers exact, contains, startswith and endswith queries case-insensitively, as Sigma means them', async () => {
    // The shapes the opensearch_lucene backend writes: plain value, *value*, value*, *value.
    expect(await find('event.name:REPO.FORK')).toEqual([FORK_ID]);
    expect(await find('user.email:bob@example.com')).toEqual(['login-1']);
    expect(await find('audit.data.url:*EXAMPLE.COM*')).toEqual(['hook-1', 'hook-2']);
    expect(await find('audit.data.url:http\\:*')).toEqual(['hook-1']);
    expect(await find('audit.data.url:HTTPS\\:\\/\\/*')).toEqual(['hook-2']);
    expect(await find('audit.data.url:*\\/audit')).toEqual(['hook-1']);
    expect(await find('audit.data.events:REPO.DELETE')).toEqual(['hook-1']);
    expect(await find('event.name:webhook.create AND NOT audit.data.url:http\\:*')).toEqual(['hook-2']);
    expect(await find('audit.data.forks:>=3')).toEqual([FORK_ID]);
    // _source keeps the original case.
    expect(doc('hook-1')['audit.data.url']).toBe('HTTP://Hooks.Example.com/Audit');
  });

  it('says so when the index already exists (a template shapes new indices only)', async () => {
    const again = await setupDestinations(loadDestinations(collector.destinationsFile));
    expect(again.steps[0]!.outcome).toBe('applied');
    expect(again.steps[0]!.note).toMatch(/already exists and keeps its mapping/);
  });

  it('`otel-audit collector setup --dry-run` prints the request and sends nothing', async () => {
    const file = join(collector.workDir, 'dry-run.yaml');
    writeFileSync(file, [
      'domain: acme.audit',
      'destinations:',
      '  - name: dry',
      '    type: opensearch',
      `    endpoint: ${os()}`,
      '    index: audit-dry-run',
      '    username: ${env:OS_USER}',
      '    password: ${env:OS_PASSWORD}',
      '  - name: cw',
      '    type: awscloudwatchlogs',
      '    region: eu-west-1',
      '    logGroup: /acme/audit',
      '    logStream: collector',
      '    retentionDays: 365',
      '',
    ].join('\n'));
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await buildProgram().parseAsync(['node', 'otel-audit', 'collector', 'setup', '-f', file, '--dry-run']);
    } finally {
      write.mockRestore();
    }
    const text = out.join('');
    expect(text).toContain(`PUT ${os()}/_index_template/otel-audit-audit-dry-run (basic auth \${env:OS_USER})`);
    expect(text).toContain('"number_of_replicas": 1');
    expect(text).toContain('"normalizer": "otel_audit_lowercase"');
    expect(text).toContain('not sent (dry run)');
    expect(text).toContain('aws logs put-retention-policy --region eu-west-1 --log-group-name /acme/audit --retention-in-days 365');
    const template = await fetch(`${os()}/_index_template/otel-audit-audit-dry-run`);
    expect(template.status).toBe(404);
  });
});
