// `otel-audit sigma match` reads every format the project produces or
// receives, each made from what the real emitter sent over OTLP/HTTP: the
// OTLP/JSON and OTLP/protobuf request bodies as sent, the file exporter's
// lines, Splunk HEC events, S3 body lines, OpenSearch documents and search
// responses; a file that is none of them is an error naming the file and line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLogger, loadCatalog } from '../../src/index.js';
import { decodeLogsRequest, type DecodedLogRecord, type OtlpLogsRequest } from '../../src/event/otlp-json.js';
import { readEventContent } from '../../src/sigma/events.js';
import { defaultCatalogPath } from '../../src/sigma/catalog.js';
import { sigmaCli as cli } from './sigma-cli.js';

afterEach(() => {
  process.exitCode = 0;
});

/** Emits two pack events with the real emitter and returns the request bodies it sent. */
async function emitted(protocol: 'http/json' | 'http/protobuf'): Promise<Buffer[]> {
  const bodies: Buffer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      bodies.push(req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw);
      res.writeHead(200, { 'content-type': protocol === 'http/json' ? 'application/json' : 'application/x-protobuf' }).end(protocol === 'http/json' ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const audit = createAuditLogger({ catalog: loadCatalog(defaultCatalogPath()), endpoint: `http://127.0.0.1:${port}`, protocol, warnOnExportError: false });
  audit.emit('audit.stream.delete', { actor: { id: 'mallory' }, data: { stream: 'siem' } });
  audit.emit('auth.login', { actor: { id: 'alice' }, outcome: 'success' } as never);
  await audit.shutdown();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return bodies;
}

let dir: string;
let jsonBody: Buffer;
let protoBody: Buffer;
let records: DecodedLogRecord[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'match-formats-'));
  jsonBody = (await emitted('http/json'))[0]!;
  protoBody = (await emitted('http/protobuf'))[0]!;
  records = decodeLogsRequest(JSON.parse(jsonBody.toString('utf8')) as OtlpLogsRequest);
  expect(records).toHaveLength(2);
}, 30_000);

const write = (name: string, content: string | Buffer) => {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
};

/** The flattened form of the opensearch exporter's flatten_attributes mode: attributes top-level, the body under `Body.*`. */
function openSearchDocument(record: DecodedLogRecord): Record<string, unknown> {
  const doc: Record<string, unknown> = { '@timestamp': new Date(Number(BigInt(record.timeUnixNano as string) / 1_000_000n)).toISOString(), ...record.attributes };
  const flatten = (prefix: string, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) flatten(`${prefix}.${k}`, v);
    else doc[prefix] = value;
  };
  flatten('Body', record.body);
  return doc;
}

describe('sigma match reads every format', () => {
  const expectStreamDeleted = (result: { out: string; err: string; code: number }) => {
    expect(result.err).toMatch(/^2 events, 1 matches$/m);
    expect(result.out).toMatch(/^high +Audit Log Stream Deleted \(759fc038-e9cb-48ca-810d-6eeaae6f0f27\)/m);
    expect(result.code).toBe(0);
  };

  it('OTLP/JSON as sent and as the file exporter writes it (one request per line), with the bundled rules by default', async () => {
    expectStreamDeleted(await cli('match', '-i', write('otlp.json', jsonBody)));
    const line = JSON.stringify(JSON.parse(jsonBody.toString('utf8')));
    expectStreamDeleted(await cli('match', '-i', write('file-exporter.jsonl', `${line}\n`)));
    expectStreamDeleted(await cli('match', '-i', write('pretty-otlp.json', JSON.stringify(JSON.parse(line), null, 2))));
  });

  it('OTLP/protobuf, an OTLP/HTTP body as sent', async () => {
    expect(protoBody[0]).toBe(0x0a);
    expectStreamDeleted(await cli('match', '-i', write('otlp.binpb', protoBody)));
  });

  it('Splunk HEC events, the event being the canonical body and the fields the attributes', async () => {
    const hec = records.map((r) => JSON.stringify({ time: Number(BigInt(r.timeUnixNano as string) / 1_000_000n) / 1000, sourcetype: 'otel', event: r.body, fields: r.attributes })).join('\n');
    expectStreamDeleted(await cli('match', '-i', write('hec.jsonl', `${hec}\n`)));
    const view = readEventContent(hec, 'hec.jsonl').views[0]!;
    expect(view.id).toBe((records[0]!.body as { id: string }).id);
  });

  it('S3 JSON lines (the body marshaler: one canonical event per line)', async () => {
    expectStreamDeleted(await cli('match', '-i', write('s3.jsonl', records.map((r) => JSON.stringify(r.body)).join('\n'))));
  });

  it('OpenSearch documents (flatten_attributes, Body.*) and a search response', async () => {
    const docs = records.map(openSearchDocument);
    expectStreamDeleted(await cli('match', '-i', write('opensearch.jsonl', docs.map((d) => JSON.stringify(d)).join('\n'))));
    const response = { took: 3, hits: { total: { value: 2 }, hits: docs.map((d, i) => ({ _index: 'audit', _id: String(i), _source: d })) } };
    expectStreamDeleted(await cli('match', '-i', write('search.json', JSON.stringify(response, null, 2))));
    // The domain comes from the document's event.domain attribute.
    const result = readEventContent(JSON.stringify(response), 'search.json');
    expect(result.errors).toEqual([]);
    expect(result.views).toHaveLength(2);
  });

  it('canonical events in YAML', async () => {
    const yaml = records.map((r) => `- ${JSON.stringify(r.body)}`).join('\n');
    expectStreamDeleted(await cli('match', '-i', write('events.yaml', yaml)));
  });

  it('says so, with file and line, when a file is none of the formats', async () => {
    const other = await cli('match', '-i', write('other.jsonl', '{"message": "hello", "level": "info"}\n'));
    expect(other.err).toMatch(/other\.jsonl:1: not an event: none of canonical events .*OTLP JSON or protobuf.*Splunk HEC.*OpenSearch/);
    expect(other.code).toBe(1);
    const binary = await cli('match', '-i', write('random.bin', Buffer.from([0xff, 0x00, 0x13, 0x37, 0xde, 0xad])));
    expect(binary.err).toMatch(/random\.bin:1: binary content that is not an OTLP\/protobuf logs request/);
    expect(binary.code).toBe(1);
    const hecText = await cli('match', '-i', write('hec-text.jsonl', '{"time": 1, "event": "plain text", "sourcetype": "x"}\n'));
    expect(hecText.err).toMatch(/hec-text\.jsonl:1: a Splunk HEC event whose event is text/);
  });
});
