// The sumologic destination. With `logFormat: otlp` the exporter posts OTLP to
// <source URL>/v1/logs: the collector's own OTLP receiver plays the source and
// decodes it. With the default `json`, a recording server checks the request
// against Sumo Logic's documented HTTP Logs source format: a POST to the
// source URL, gzip, a body of newline-separated log lines (here one JSON
// object per record, which Sumo parses), at most 1 MB, and resource
// attributes as X-Sumo-Fields.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodedLogRecord } from '../../src/event/otlp-json.js';
import { contract } from '../../src/event/contract.js';
import { minimalFileConfig, readFileExporterOutput, startCollector, type RunningCollector } from '../harness/collector.js';
import { forkEvent } from './catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from './deliver.js';

const SOURCE_PATH = '/receiver/v1/http/ZaVnC4dhaV1-source-token';
const FORK_ID = '019cd58f-0000-7000-8000-00000000500f';

interface Posted {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  lines: string[];
}

describe('sumologic destination', () => {
  const posted: Posted[] = [];
  let source: Server;
  let otlpSource: RunningCollector;
  let otlpOutput = '';
  let collector: DeliveringCollector;
  let otlpRecords: DecodedLogRecord[] = [];

  beforeAll(async () => {
    source = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        posted.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, lines: body.toString('utf8').split('\n').filter(Boolean) });
        // What an HTTP source answers: 200, empty body.
        res.writeHead(200, { 'content-length': '0' }).end();
      });
    });
    await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
    const port = (source.address() as { port: number }).port;
    otlpSource = await startCollector((ports, dir) => minimalFileConfig(ports, (otlpOutput = join(dir, 'received.jsonl'))));
    collector = await startDelivering([
      { name: 'sumo', type: 'sumologic', endpoint: '${env:SUMO_SOURCE_URL}' },
      { name: 'sumo-otlp', type: 'sumologic', endpoint: '${env:SUMO_OTLP_SOURCE_URL}', logFormat: 'otlp' },
    ], { SUMO_SOURCE_URL: `http://127.0.0.1:${port}${SOURCE_PATH}`, SUMO_OTLP_SOURCE_URL: `http://127.0.0.1:${otlpSource.ports.otlpHttp}` });
    await emitThrough(collector, (audit) => {
      audit.emit('repo.fork', forkEvent(FORK_ID));
      audit.emit('auth.login.failed', { id: 'login-1', actor: { id: 'u-2' }, outcome: 'failure', data: { method: 'password', password: 'hunter2' } });
    });
    await eventually(() => (posted.flatMap((p) => p.lines).length >= 2 ? true : undefined), 30_000, 'two lines at the HTTP source', collector);
    otlpRecords = await eventually(() => {
      const got = readFileExporterOutput(otlpOutput);
      return got.length >= 2 ? got : undefined;
    }, 30_000, 'two records at the OTLP source', collector);
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    await otlpSource?.stop();
    await new Promise((resolve) => source?.close(resolve));
  });

  it('json: posts gzip log lines to the source URL as Sumo documents it', () => {
    for (const request of posted) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe(SOURCE_PATH);
      expect(request.headers['content-encoding']).toBe('gzip');
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(request.headers['x-sumo-client']).toBe('otelcol');
      expect(request.raw.length).toBeLessThanOrEqual(1_048_576);
      expect(request.headers['x-sumo-fields']).toContain('service.name=otel-audit-server-test');
    }
  });

  it('json: each line is one JSON object, the attributes at the top and the canonical event under `log`', () => {
    const lines = posted.flatMap((p) => p.lines).map((l) => JSON.parse(l) as Record<string, unknown>);
    const fork = lines.find((l) => l['log.record.uid'] === FORK_ID)!;
    const event = forkEvent(FORK_ID);
    expect(fork).toMatchObject({
      'event.name': 'repo.fork',
      'event.domain': 'acme.audit',
      'user.id': 'u-1',
      'organization.id': 'acme',
      'audit.data.repo.id': 'r-9',
      'audit.data.forks': 3,
      'audit.data.deployKey': contract().sensitive.replacement,
      log: { id: FORK_ID, name: 'repo.fork', actor: event.actor, data: { repo: { id: 'r-9', visibility: 'private' }, forks: 3, deployKey: contract().sensitive.replacement } },
    });
    expect(posted.flatMap((p) => p.lines).join('\n')).not.toMatch(/hunter2|ssh-ed25519/);
  });

  it('otlp: the OTLP receiver decodes the records unchanged', () => {
    const fork = otlpRecords.find((r) => r.attributes['log.record.uid'] === FORK_ID)!;
    expect(fork.eventName).toBe('repo.fork');
    expect(fork.severityText).toBe(contract().severities.warning.text);
    expect(fork.timeUnixNano).toBe(String(Date.parse(forkEvent(FORK_ID).time) * 1_000_000));
    expect(fork.attributes).toMatchObject({ 'event.name': 'repo.fork', 'user.id': 'u-1', 'audit.data.forks': 3 });
    expect(fork.body).toMatchObject({ id: FORK_ID, name: 'repo.fork' });
    expect(fork.resource['service.name']).toBe('otel-audit-server-test');
  });
});
