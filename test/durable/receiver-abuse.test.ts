// What a misbehaving receiver can do to delivery, each against a real node:http server:
// an acceptance whose body never ends, a receiver slower than the export timeout, a
// Retry-After that is negative or garbage, a connection reset in mid-answer. And a
// spool whose segment numbers jump far ahead (segments copied in from another spool).
// A segment far larger than the spool writes, and verifyWebhook against malformed and
// tampered headers. Nothing accepted may be lost, nothing may spin, nothing may hang.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { createDurableLogRecordProcessor, createWebhookExporter, verifyWebhook, WEBHOOK_HEADERS, type WebhookLogRecordExporter } from '../../src/delivery/index.js';
import { signWebhookBody } from '../../src/delivery/webhook/signing.js';
import { OtelAuditError } from '../../src/errors.js';
import { parseRetryAfter } from '../../src/delivery/webhook/exporter.js';
import { emitEvent, loggerWith, tempDir } from './helpers.js';

interface Hooked {
  url: string;
  /** Event ids received, in order (a body is one event or an array). */
  ids: string[];
  /** Requests whose handling overlapped another one. */
  overlaps: number;
  requests: number;
}

const servers: Server[] = [];

/** A receiver whose answer `handle` writes by hand; it records ids and how many requests overlapped. */
async function receiver(handle: (request: IncomingMessage, response: ServerResponse, body: string) => void): Promise<Hooked> {
  const state: Hooked = { url: '', ids: [], overlaps: 0, requests: 0 };
  let open = 0;
  const server = createServer((request, response) => {
    state.requests++;
    if (++open > 1) state.overlaps++;
    response.on('close', () => open--);
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const parsed = JSON.parse(body) as { id: string } | { id: string }[];
      for (const event of Array.isArray(parsed) ? parsed : [parsed]) state.ids.push(event.id);
      handle(request, response, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  state.url = `http://127.0.0.1:${address.port}/hook`;
  return state;
}

function exportOnce(exporter: WebhookLogRecordExporter, ids: string[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(ids.map((id) => ({ body: { id } }) as unknown as ReadableLogRecord), resolve));
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  })));
});

describe('a receiver that accepts, then misbehaves in its body', () => {
  it('a 200 whose body never ends is a delivery, reported once the status is in, with bounded memory', async () => {
    const hooked = await receiver((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = 'x'.repeat(64 * 1024);
      const timer = setInterval(() => response.write(chunk), 1);
      response.on('close', () => clearInterval(timer));
    });
    const exporter = createWebhookExporter({ url: hooked.url, timeoutMillis: 2000 });
    const started = Date.now();
    const result = await exportOnce(exporter, ['endless-1', 'endless-2']);
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    expect(hooked.ids).toEqual(['endless-1', 'endless-2']);
    // Not one timeout per request: the body is read only up to a small cap.
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a 200 reset in the middle of its body is a delivery; a 503 reset the same way is a retried failure', async () => {
    let status = 200;
    const hooked = await receiver((_request, response) => {
      response.writeHead(status, { 'content-type': 'text/plain', 'content-length': '1000' });
      response.write('partial answer');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const exporter = createWebhookExporter({ url: hooked.url, timeoutMillis: 2000 });
    expect(await exportOnce(exporter, ['reset-ok'])).toEqual({ code: ExportResultCode.SUCCESS });
    status = 503;
    const failed = await exportOnce(exporter, ['reset-503']);
    expect(failed.code).toBe(ExportResultCode.FAILED);
    expect(failed.error).toMatchObject({ status: 503, retryable: true });
    expect(failed.error?.message).toContain('answered 503: partial answer');
  });
});

describe('a receiver slower than the export timeout', () => {
  it('still delivers everything: batches shrink after a timeout, and exports never overlap', async () => {
    const hooked = await receiver((_request, response) => {
      setTimeout(() => response.writeHead(200).end(), 60);
    });
    const dir = tempDir();
    // 20 records one request each at 60 ms: 1.2 s per export, above the 500 ms export timeout.
    const processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: hooked.url }), directory: dir, batchSize: 20, exportTimeoutMillis: 500, retry: { initialMillis: 20, maxMillis: 100 } });
    const { logger } = loggerWith(processor);
    const ids = Array.from({ length: 40 }, (_, i) => `slow-${i}`);
    for (const id of ids) emitEvent(logger, id);
    expect(await processor.flush(20_000)).toBe(true);
    await processor.shutdown(100);
    expect(new Set(hooked.ids)).toEqual(new Set(ids));
    expect(hooked.overlaps).toBe(0);
  });
});

describe('Retry-After from a hostile receiver', () => {
  it('only delta-seconds and HTTP dates count; negative, garbage and loose dates do not, and a huge value is finite', () => {
    const now = Date.parse('2026-12-03T12:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 7 ', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 03 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thursday, 03-Dec-26 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu Dec  3 12:00:30 2026', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(0);
    for (const garbage of ['-5', '3 4', '2001', '1e3', 'Infinity', 'NaN', '12abc', 'soon', '0x10', '', '1.5.2']) {
      expect({ garbage, parsed: parseRetryAfter(garbage, now) }).toEqual({ garbage, parsed: garbage === '2001' ? 2_001_000 : undefined });
    }
    expect(Number.isFinite(parseRetryAfter('9'.repeat(400), now))).toBe(true);
  });

  it('a receiver that always answers 503 with Retry-After 0 (or garbage) still gets exponential backoff, not a steady stream', async () => {
    let answer = 0;
    const values = ['0', '-5', '3 4'];
    const hooked = await receiver((_request, response) => {
      response.writeHead(503, { 'retry-after': values[answer++ % values.length]! }).end('busy');
    });
    const dir = tempDir();
    const processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: hooked.url }), directory: dir, retry: { initialMillis: 20, maxMillis: 1000 } });
    const { logger } = loggerWith(processor);
    emitEvent(logger, 'busy-1');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const requests = hooked.requests;
    await processor.shutdown(100);
    // Backoff from 20 ms doubling to 1 s: about 10 requests in 3 s. A fixed 20 ms would be 150.
    expect(requests).toBeGreaterThan(3);
    expect(requests).toBeLessThan(20);
  });
});

describe('segment numbers far apart', () => {
  it('a segment copied in with a much higher number does not hang the spool: every record is delivered', async () => {
    const first = tempDir();
    const hooked = await receiver((_request, response) => response.writeHead(200).end());
    // Two spools' worth of records: one written here, one "copied in" under a high segment number.
    const make = (dir: string) => createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: 'http://127.0.0.1:9/unused' }), directory: dir, retry: { initialMillis: 60_000, maxMillis: 60_000 } });
    const a = make(first);
    emitEvent(loggerWith(a).logger, 'low-1');
    await a.shutdown(10);
    const second = tempDir();
    const b = make(second);
    emitEvent(loggerWith(b).logger, 'high-1');
    await b.shutdown(10);
    writeFileSync(join(first, 'segment-00000000000500000000.log'), readFileSync(join(second, 'segment-00000000000000000001.log')), { mode: 0o600 });

    const started = Date.now();
    const processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: hooked.url }), directory: first });
    expect(await processor.flush(5000)).toBe(true);
    await processor.shutdown(100);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(hooked.ids).toEqual(['low-1', 'high-1']);
  });
});

describe('a segment far larger than the spool writes', () => {
  const make = (dir: string, url = 'http://127.0.0.1:9/unused') => createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url }), directory: dir, retry: { initialMillis: 60_000, maxMillis: 60_000 } });

  it('a segment extended by 256 MiB of zeros (a file system fault) starts quickly and keeps its records', async () => {
    const hooked = await receiver((_request, response) => response.writeHead(200).end());
    const dir = tempDir();
    const first = make(dir);
    emitEvent(loggerWith(first).logger, 'before-zeros');
    await first.shutdown(10);
    const segment = join(dir, 'segment-00000000000000000001.log');
    truncateSync(segment, 256 * 1024 * 1024);
    const cpu = process.cpuUsage();
    const processor = make(dir, hooked.url);
    // CPU time (the machine is shared): a scan at native speed takes well under a second
    // here; the byte-by-byte loop in JavaScript it replaces took over 6 s.
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000).toBeLessThan(4000);
    expect(processor.recovery).toMatchObject({ replayRecords: 1, quarantinedBytes: 0, truncatedSegments: ['segment-00000000000000000001.log'] });
    expect(await processor.flush(5000)).toBe(true);
    await processor.shutdown(100);
    expect(hooked.ids).toEqual(['before-zeros']);
  });

  it('refuses a segment larger than any the spool writes, naming it, without reading it into memory', async () => {
    const dir = tempDir();
    const first = make(dir);
    emitEvent(loggerWith(first).logger, 'kept');
    await first.shutdown(10);
    const segment = join(dir, 'segment-00000000000000000001.log');
    truncateSync(segment, 8 * 1024 * 1024 * 1024); // sparse: no disk used
    const before = process.memoryUsage().rss;
    let error: Error | undefined;
    try {
      make(dir);
    } catch (caught) {
      error = caught as Error;
    }
    expect(error).toMatchObject({ code: 'SPOOL_DIRECTORY_UNSAFE' });
    expect(error?.message).toContain(segment);
    expect(error?.message).toMatch(/8589934592 bytes.*larger than any segment the spool writes/);
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 1024 * 1024);
    // Nothing was cut: the record is still there once the file is repaired.
    expect(statSync(segment).size).toBe(8 * 1024 * 1024 * 1024);
  });

  it('refuses segmentBytes above 1 GiB (a segment is read whole at startup)', () => {
    expect(() => createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: 'http://127.0.0.1:9/x' }), directory: tempDir(), segmentBytes: 2 * 1024 ** 3 })).toThrow(/option segmentBytes must be at most 1073741824/);
  });
});

describe('a receiver that never answers', () => {
  it('fails the export after timeoutMillis with a message that says so, without the query of the URL, and sends the request once', async () => {
    const hooked = await receiver(() => undefined); // reads the request, never answers
    const exporter = createWebhookExporter({ url: `${hooked.url}?token=never-answer-token`, timeoutMillis: 300 });
    const started = Date.now();
    const result = await exportOnce(exporter, ['silent-1']);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error).toMatchObject({ retryable: true, status: undefined });
    expect(result.error?.message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/hook failed: .*time/i);
    expect(result.error?.message).not.toContain('never-answer-token');
    expect(hooked.requests).toBe(1);
  });
});

describe('verifyWebhook against malformed and tampered headers', () => {
  const now = 1_800_000_000_000;
  const timestamp = now / 1000;
  const body = '{"id":"evt-1","name":"repo.fork"}';
  const secrets = ['current-secret'];
  const signed = (extra: Record<string, string | string[]> = {}) => ({ [WEBHOOK_HEADERS.timestamp]: String(timestamp), [WEBHOOK_HEADERS.signature]: signWebhookBody(body, secrets, timestamp), ...extra });
  const verify = (headers: Record<string, string | string[]>, received: string = body) => verifyWebhook({ headers, body: received }, { secrets, now });

  it('the signature covers the timestamp: a captured request with a fresh timestamp is refused', () => {
    expect(verify(signed())).toEqual({ ok: true, timestamp });
    expect(verify(signed({ [WEBHOOK_HEADERS.timestamp]: String(timestamp + 60) }))).toMatchObject({ ok: false, reason: expect.stringMatching(/no signature matches/) as string });
  });

  it('refuses malformed timestamps and signatures with a reason, never a throw', () => {
    for (const stamp of ['', ' ', '+1800000000', '-1800000000', '1.8e9', '1800000000.5', '١٨٠٠', '9'.repeat(400), String(now)]) {
      const result = verify(signed({ [WEBHOOK_HEADERS.timestamp]: stamp }));
      expect({ stamp, ok: result.ok }).toEqual({ stamp, ok: false });
    }
    // Two timestamp headers: which one was signed is ambiguous, so neither is taken.
    expect(verify(signed({ [WEBHOOK_HEADERS.timestamp]: [String(timestamp), String(timestamp)] }))).toMatchObject({ ok: false });
    const good = signWebhookBody(body, secrets, timestamp);
    for (const signature of ['', ' , ,', `sha256=${good}`, good.toUpperCase(), good.slice(0, 32), `${good}00`, 'x'.repeat(64)]) {
      const result = verify(signed({ [WEBHOOK_HEADERS.signature]: signature }));
      expect({ signature, ok: result.ok }).toEqual({ signature, ok: false });
    }
    // A valid signature among junk ones (a proxy appended a header) still verifies.
    expect(verify(signed({ [WEBHOOK_HEADERS.signature]: ['junk', good] }))).toEqual({ ok: true, timestamp });
    expect(verify(signed(), `${body} `)).toMatchObject({ ok: false });
  });

  it('a lone string instead of an array of secrets is an OPTION_INVALID error, not a TypeError', () => {
    for (const call of [
      () => verifyWebhook({ headers: signed(), body }, { secrets: 'ab' as unknown as string[], now }),
      () => signWebhookBody(body, 'ab' as unknown as string[], timestamp),
      () => createWebhookExporter({ url: 'http://127.0.0.1:9/x', hmac: { secrets: 'ab' as unknown as string[] } }),
    ]) {
      expect(call).toThrow(OtelAuditError);
      expect(call).toThrow(/option (hmac\.)?secrets/);
    }
  });
});
