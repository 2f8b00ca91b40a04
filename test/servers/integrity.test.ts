// Tamper evidence through the real collector into what a SIEM and a bucket
// store: records emitted with integrity reach a real OpenSearch and moto's S3
// through the rendered config; what each stored verifies with only the public
// key, and a record deleted from the index or edited in the bucket is named.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDestinations, setupDestinations } from '../../src/collector/index.js';
import { createAuditLogger } from '../../src/index.js';
import { publicKeys, readTrail, verifyTrail } from '../../src/integrity/index.js';
import { testServers } from '../harness/servers.js';
import { AWS_ENV, AWS_REGION, createBucket, listObjects } from './aws.js';
import { catalog, forkEvent } from './catalog.js';
import { eventually, startDelivering, type DeliveringCollector } from './deliver.js';

const BUCKET = 'acme-audit-integrity';
const INDEX = 'audit-integrity';
const COUNT = 30;

describe('otel-audit verify on what OpenSearch and S3 stored', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keys = publicKeys([publicKey.export({ type: 'spki', format: 'pem' }).toString()]);
  let collector: DeliveringCollector;
  let s3Text = '';
  let searchResponse: { hits: { hits: { _source: Record<string, unknown> }[] } } = { hits: { hits: [] } };

  beforeAll(async () => {
    const { moto, openSearch: opensearch } = testServers();
    await createBucket(moto.url, BUCKET);
    collector = await startDelivering([
      { name: 'archive', type: 'awss3', region: AWS_REGION, bucket: BUCKET, endpoint: moto.url, forcePathStyle: true },
      { name: 'search', type: 'opensearch', endpoint: opensearch.url, index: INDEX, replicas: 0 },
    ], AWS_ENV);
    await setupDestinations(loadDestinations(collector.destinationsFile));
    const audit = createAuditLogger({ catalog, endpoint: `http://127.0.0.1:${collector.ports.otlpHttp}`, batch: { scheduledDelayMillis: 50 }, integrity: { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), digestEvery: 10 }, warnOnExportError: false });
    for (let i = 0; i < COUNT; i++) audit.emit('repo.fork', forkEvent(`019cd58f-0000-7000-8000-${String(i).padStart(12, '0')}`));
    await audit.shutdown();
    const expected = COUNT + 4; // and the digests at 10, 20 and 30, and the closing one at shutdown (no new record)
    s3Text = await eventually(async () => {
      const text = (await listObjects(moto.url, BUCKET)).map((o) => o.text.trim()).filter(Boolean).join('\n');
      return text.split('\n').length >= expected ? text : undefined;
    }, 30_000, 'every record in the bucket', collector);
    searchResponse = await eventually(async () => {
      await fetch(`${opensearch.url}/${INDEX}/_refresh`, { method: 'POST' });
      const response = await fetch(`${opensearch.url}/${INDEX}/_search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ size: 1000 }) });
      const body = (await response.json()) as typeof searchResponse;
      return body.hits?.hits?.length >= expected ? body : undefined;
    }, 30_000, 'every record in OpenSearch', collector);
  }, 120_000);

  afterAll(async () => collector?.stop());

  it('proves the S3 objects intact', () => {
    const { records, unreadable } = readTrail(s3Text, 's3');
    expect(unreadable).toEqual([]);
    const report = verifyTrail(records, { keys });
    expect(report.streams[0]).toMatchObject({ records: COUNT, intact: [{ from: 1, to: COUNT }], validDigests: 4, closed: true });
    expect(report.exitCode).toBe(0);
  });

  it('proves the OpenSearch documents intact (a search response, as an auditor saves it)', () => {
    const { records, unreadable } = readTrail(JSON.stringify(searchResponse), 'search.json');
    expect(unreadable).toEqual([]);
    const report = verifyTrail(records, { keys });
    expect(report.streams[0]).toMatchObject({ records: COUNT, intact: [{ from: 1, to: COUNT }], validDigests: 4, closed: true });
    expect(report.exitCode).toBe(0);
  });

  it('names a document deleted from the index and a line edited in the bucket', () => {
    const seqOf = (source: Record<string, unknown>) => source['Body.integrity.seq'] ?? (source.body as { integrity?: { seq: number } } | undefined)?.integrity?.seq;
    const deleted = { hits: { hits: searchResponse.hits.hits.filter((hit) => seqOf(hit._source) !== 17) } };
    const fromSearch = verifyTrail(readTrail(JSON.stringify(deleted), 'search.json').records, { keys });
    expect(fromSearch.exitCode).toBe(1);
    expect(fromSearch.streams[0]!.gaps).toEqual([expect.objectContaining({ from: 17, to: 17 })]);

    const edited = s3Text.split('\n').map((line) => (line.includes('"seq":5,') ? line.replace('"organization":"acme"', '"organization":"evil"') : line)).join('\n');
    const fromS3 = verifyTrail(readTrail(edited, 's3').records, { keys });
    expect(fromS3.exitCode).toBe(1);
    expect(fromS3.streams[0]!.modified).toEqual([expect.objectContaining({ seq: 5 })]);
  });
});
