// The elasticsearch destination against a recording server that speaks the
// part of the Elasticsearch REST API the exporter uses (no Elasticsearch with
// an open-source licence can run here): the product check on GET / and
// _bulk. It checks the request shape: the API key, require_data_stream=true
// (the otel mapping writes only to data streams, which is why `index` must name
// one), `create` actions into the data stream, and the otel-mapping document.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDestinations } from '../../src/collector/index.js';
import { contract } from '../../src/event/contract.js';
import { forkEvent } from './catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from './deliver.js';

const API_KEY = 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==';
const FORK_ID = '019cd58f-0000-7000-8000-0000000e1a57';

interface Bulk {
  path: string;
  headers: IncomingHttpHeaders;
  items: { action: Record<string, { _index?: string }>; document: Record<string, unknown> }[];
}

describe('elasticsearch destination → a recording _bulk server', () => {
  const bulks: Bulk[] = [];
  let server: Server;
  let collector: DeliveringCollector;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        const headers = { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' };
        if (req.method === 'POST' && (req.url ?? '').startsWith('/_bulk')) {
          const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
          const items: Bulk['items'] = [];
          for (let i = 0; i + 1 < lines.length; i += 2) items.push({ action: lines[i] as Bulk['items'][number]['action'], document: lines[i + 1]! });
          bulks.push({ path: req.url ?? '', headers: req.headers, items });
          res.writeHead(200, headers).end(JSON.stringify({ took: 1, errors: false, items: items.map((it) => ({ create: { _index: Object.values(it.action)[0]?._index, status: 201, result: 'created' } })) }));
          return;
        }
        // GET / (the client's product check) and anything else: a cluster that says who it is.
        res.writeHead(200, headers).end(JSON.stringify({ name: 'recorder', cluster_name: 'recorder', version: { number: '8.19.0', build_flavor: 'default' }, tagline: 'You Know, for Search' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    collector = await startDelivering([
      { name: 'elastic', type: 'elasticsearch', endpoint, apiKey: '${env:ELASTIC_API_KEY}', index: 'logs-audit.otel-default' },
      { name: 'routed', type: 'elasticsearch', endpoint, apiKey: '${env:ELASTIC_API_KEY}' },
    ], { ELASTIC_API_KEY: API_KEY });
    await emitThrough(collector, (audit) => audit.emit('repo.fork', forkEvent(FORK_ID)));
    await eventually(() => (bulks.flatMap((b) => b.items).length >= 2 ? true : undefined), 30_000, 'the record in two bulk requests', collector);
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('sends _bulk with the API key and require_data_stream=true', () => {
    for (const bulk of bulks) {
      // The go-elasticsearch client writes the scheme as APIKey (Elasticsearch reads it case-insensitively).
      expect(bulk.headers.authorization).toBe(`APIKey ${API_KEY}`);
      expect(new URL(bulk.path, 'http://x').searchParams.get('require_data_stream')).toBe('true');
    }
  });

  it('creates the document in the data stream: the index given, else logs-generic.otel-default', () => {
    const targets = bulks.flatMap((b) => b.items).map((it) => [Object.keys(it.action)[0], Object.values(it.action)[0]?._index]);
    expect(targets.sort()).toEqual([['create', 'logs-audit.otel-default'], ['create', 'logs-generic.otel-default']]);
  });

  it('writes the otel-mapping document: attributes under attributes, the body under body.structured, the resource under resource.attributes', () => {
    const doc = bulks.flatMap((b) => b.items).find((it) => Object.values(it.action)[0]?._index === 'logs-audit.otel-default')!.document;
    expect(doc).toMatchObject({
      // Epoch milliseconds, the format of the otel data stream template's @timestamp.
      '@timestamp': `${Date.parse(forkEvent(FORK_ID).time)}.0`,
      event_name: 'repo.fork',
      severity_text: contract().severities.warning.text,
      severity_number: contract().severities.warning.number,
      attributes: { 'event.name': 'repo.fork', 'user.id': 'u-1', 'organization.id': 'acme', 'audit.data.forks': 3, 'log.record.uid': FORK_ID },
      resource: { attributes: { 'service.name': 'otel-audit-server-test' } },
      scope: { name: 'otel-audit' },
    });
    expect((doc.body as { structured: Record<string, unknown> }).structured).toMatchObject({ id: FORK_ID, name: 'repo.fork', data: { forks: 3, deployKey: contract().sensitive.replacement } });
  });

  it('refuses a plain index name in the destinations file, saying why', () => {
    expect(() => parseDestinations('domain: acme.audit\ndestinations:\n  - { name: es, type: elasticsearch, endpoint: "https://es:9200", index: audit-acme }\n')).toThrow(/must name a data stream, logs-<dataset>-<namespace>.*require_data_stream=true.*refuses a plain index/);
  });
});
