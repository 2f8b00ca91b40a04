// A permanent refusal never blocks later records. A real local receiver answers 400
// (webhook) or 413 (OTLP/HTTP) to any batch that holds a "poison" record: the spool
// sends the batch in halves until the poison record is alone, sets it aside in
// dead-letter.jsonl and delivers everything else. 5xx and a destination that
// refuses everything stay retried, and nothing is set aside for them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { createDurableLogRecordProcessor, createWebhookExporter, listDeliveries, type DurableLogRecordProcessor } from '../../src/delivery/index.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../src/testing/index.js';
import { emitEvent, loggerWith, metricsProbe, startReceiver, tempDir, waitFor, type Receiver, cli } from './helpers.js';


interface DeadLetter {
  time: string;
  target: string;
  status: number;
  error: string;
  record: { body: { id: string }; attributes: Record<string, unknown>; eventName: string; time: string; resource: { attributes: Record<string, unknown> } };
}

function deadLetters(dir: string): DeadLetter[] {
  const file = join(dir, 'dead-letter.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as DeadLetter);
}

const good = (prefix: string) => Array.from({ length: 10 }, (_, i) => `${prefix}-${i}`);

describe('a record the destination refuses (400, 413)', () => {
  let receiver: Receiver | undefined;
  let otlp: OtlpReceiver | undefined;
  let processor: DurableLogRecordProcessor | undefined;
  afterEach(async () => {
    await processor?.shutdown(2000);
    processor = undefined;
    await receiver?.close();
    receiver = undefined;
    await otlp?.close();
    otlp = undefined;
  });

  it('webhook 400: 10 good records around 1 poison are delivered, the poison is set aside in dead-letter.jsonl, counted and listed', async () => {
    receiver = await startReceiver(0, (request) => (request.body.includes('poison') ? { status: 400, body: 'malformed event' } : { status: 200 }));
    const dir = tempDir();
    const probe = metricsProbe();
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, meterProvider: probe.meterProvider, retry: { initialMillis: 50, maxMillis: 200 } });
    processor.pause(); // one batch of 11
    const { logger } = loggerWith(processor);
    const ids = good('w');
    ids.slice(0, 5).forEach((id) => emitEvent(logger, id));
    emitEvent(logger, 'poison');
    ids.slice(5).forEach((id) => emitEvent(logger, id));
    const started = Date.now();
    processor.resume();
    expect(await processor.flush(10_000)).toBe(true);
    console.log(`dead letter (webhook 400): ${receiver.ids().length} delivered in ${Date.now() - started} ms with ${receiver.requests.length} accepted requests`);

    expect(receiver.ids()).toEqual(ids); // in order, nothing stalled
    const letters = deadLetters(dir);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ target: receiver.url, status: 400, record: { body: { id: 'poison' }, attributes: { 'log.record.uid': 'poison' }, eventName: 'repo.fork', resource: { attributes: { 'service.name': 'durable-test' } } } });
    expect(letters[0]!.error).toContain('malformed event');
    expect(Date.parse(letters[0]!.record.time)).toBeGreaterThan(started - 60_000);
    expect(processor.stats()).toMatchObject({ queuedRecords: 0, deadLetteredRecords: 1 });
    expect((await probe.read())['otel_audit.spool.dead_lettered_records']).toBe(1);
    expect((await probe.read())['otel_audit.spool.exported_records']).toBe(10);

    const entries = listDeliveries(dir, { failed: true });
    expect(entries.filter((e) => e.outcome === 'dead-lettered')).toEqual([expect.objectContaining({ records: 1, status: 400, file: 'dead-letter.jsonl', error: expect.stringContaining('record poison refused with HTTP 400') as string })]);
    const listed = await cli(['deliveries', 'list', '--dir', dir]);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/dead-lettered.*HTTP 400.*record poison refused/);
  });

  it('OTLP/HTTP 413: the OTLPLogExporter refusal is split the same way, and the poison is set aside', async () => {
    otlp = await startOtlpReceiver({ respond: (request) => (request.records.some((r) => (r.body as { id?: string } | undefined)?.id === 'poison') ? 413 : 200) });
    const dir = tempDir();
    processor = createDurableLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${otlp.endpoint}/v1/logs`, timeoutMillis: 2000 }), directory: dir, retry: { initialMillis: 50, maxMillis: 200 } });
    processor.pause();
    const { logger } = loggerWith(processor);
    const ids = good('o');
    ids.slice(0, 3).forEach((id) => emitEvent(logger, id));
    emitEvent(logger, 'poison');
    ids.slice(3).forEach((id) => emitEvent(logger, id));
    processor.resume();
    expect(await processor.flush(10_000)).toBe(true);
    expect(otlp.records.map((r) => (r.body as { id: string }).id)).toEqual(ids);
    expect(deadLetters(dir)).toEqual([expect.objectContaining({ status: 413, record: expect.objectContaining({ body: { id: 'poison', name: 'repo.fork' } }) as unknown })]);
  });

  it('a poison record first in line, and one that is the newest record, are set aside once the destination takes a later record', async () => {
    receiver = await startReceiver(0, (request) => (request.body.includes('poison') ? { status: 400 } : { status: 200 }));
    const dir = tempDir();
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, retry: { initialMillis: 50, maxMillis: 200 } });
    const { logger } = loggerWith(processor);
    emitEvent(logger, 'poison-1'); // alone, with nothing after it yet
    await new Promise((r) => setTimeout(r, 300));
    expect(processor.stats().queuedRecords).toBe(1); // kept: it cannot yet tell the record from the destination
    emitEvent(logger, 'after-1');
    emitEvent(logger, 'poison-2');
    emitEvent(logger, 'after-2');
    await waitFor(() => processor!.stats().queuedRecords === 0, 10_000, 'everything delivered or set aside');
    expect(receiver.ids()).toEqual(['after-1', 'after-2']);
    expect(deadLetters(dir).map((l) => l.record.body.id)).toEqual(['poison-1', 'poison-2']);
  });

  it('finds one refused record among 512 in a few requests, wherever it is', async () => {
    for (const at of [0, 200, 511]) {
      let requests = 0;
      const delivered: string[] = [];
      const exporter: LogRecordExporter = {
        export(records, done) {
          requests++;
          const ids = records.map((r) => (r.body as { id: string }).id);
          if (ids.includes('poison')) return done({ code: ExportResultCode.FAILED, error: Object.assign(new Error('answered 400'), { code: 400 }) });
          delivered.push(...ids);
          done({ code: ExportResultCode.SUCCESS });
        },
        shutdown: () => Promise.resolve(),
        forceFlush: () => Promise.resolve(),
      };
      const dir = tempDir();
      const spool = createDurableLogRecordProcessor({ exporter, directory: dir, batchSize: 512 });
      spool.pause();
      const { logger } = loggerWith(spool);
      const ids = Array.from({ length: 512 }, (_, i) => (i === at ? 'poison' : `n-${i}`));
      ids.forEach((id) => emitEvent(logger, id));
      spool.resume();
      expect(await spool.flush(10_000)).toBe(true);
      await spool.shutdown();
      console.log(`dead letter: poison at ${at} of 512 found in ${requests} requests`);
      expect(delivered).toEqual(ids.filter((id) => id !== 'poison'));
      expect(deadLetters(dir).map((l) => l.record.body.id)).toEqual(['poison']);
      expect(requests).toBeLessThanOrEqual(2 * Math.log2(512) + 4);
    }
  });

  it('a destination that refuses every record (400) or fails (503) is retried: nothing is set aside', async () => {
    for (const status of [400, 503]) {
      let answer = status;
      const local = await startReceiver(0, () => ({ status: answer }));
      const dir = tempDir();
      const spool = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: local.url, batch: true }), directory: dir, retry: { initialMillis: 50, maxMillis: 100 } });
      const { logger } = loggerWith(spool);
      const ids = good(`all-${status}`);
      ids.forEach((id) => emitEvent(logger, id));
      await waitFor(() => listDeliveries(dir).filter((e) => e.outcome === 'failure').length >= 6, 10_000, 'several failed attempts');
      expect(spool.stats()).toMatchObject({ queuedRecords: 10, deadLetteredRecords: 0 });
      expect(deadLetters(dir)).toEqual([]);
      answer = 200; // fixed: everything is delivered, in order
      expect(await spool.flush(10_000)).toBe(true);
      expect(local.ids()).toEqual(ids);
      expect(deadLetters(dir)).toEqual([]);
      await spool.shutdown();
      await local.close();
    }
  });
});
