// What happens when the spool reaches maxBytes, per onFull policy. The sender is
// paused to stand for a destination that is down; nothing is ever lost silently.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDurableLogRecordProcessor, createWebhookExporter, SpoolFullError } from '../../src/delivery/index.js';
import { emitEvent, loggerWith, metricsProbe, startReceiver, tempDir, type Receiver } from './helpers.js';

const MAX_BYTES = 16 * 1024;
const padding = 'x'.repeat(200);

describe('onFull', () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it("'reject' makes emit throw SpoolFullError and keeps every record it accepted", async () => {
    receiver = await startReceiver();
    const probe = metricsProbe();
    const processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: tempDir(), maxBytes: MAX_BYTES, onFull: 'reject', meterProvider: probe.meterProvider });
    processor.pause();
    const { logger } = loggerWith(processor);
    const accepted: string[] = [];
    let error: unknown;
    for (let i = 0; i < 500 && !error; i++) {
      try {
        emitEvent(logger, `rej-${i}`, { padding });
        accepted.push(`rej-${i}`);
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(SpoolFullError);
    expect((error as Error).message).toMatch(/is full: \d+ bytes queued, maxBytes is 16384; the record was NOT written/);
    expect(processor.stats().queuedBytes).toBeLessThanOrEqual(MAX_BYTES);
    expect((await probe.read())['otel_audit.spool.rejected_records']).toBe(1);
    processor.resume();
    await processor.flush(10_000);
    expect(receiver.ids()).toEqual(accepted);
    await processor.shutdown();
  });

  it("'drop-oldest' keeps the newest records within maxBytes and counts and logs every drop", async () => {
    receiver = await startReceiver();
    const dir = tempDir();
    const probe = metricsProbe();
    const processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, maxBytes: MAX_BYTES, onFull: 'drop-oldest', segmentBytes: 4096, meterProvider: probe.meterProvider });
    processor.pause();
    const { logger } = loggerWith(processor);
    for (let i = 0; i < 300; i++) emitEvent(logger, `drop-${i}`, { padding });
    const { droppedRecords, queuedBytes, queuedRecords } = processor.stats();
    expect(droppedRecords).toBeGreaterThan(0);
    expect(droppedRecords + queuedRecords).toBe(300);
    expect(queuedBytes).toBeLessThanOrEqual(MAX_BYTES);
    expect((await probe.read())['otel_audit.spool.dropped_records']).toBe(droppedRecords);
    const logged = readFileSync(join(dir, 'deliveries.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { outcome: string; records: number });
    expect(logged.filter((e) => e.outcome === 'dropped').reduce((n, e) => n + e.records, 0)).toBeGreaterThan(0);
    processor.resume();
    await processor.flush(10_000);
    // Exactly the newest records arrive, in order.
    expect(receiver.ids()).toEqual(Array.from({ length: queuedRecords }, (_, i) => `drop-${300 - queuedRecords + i}`));
    await processor.shutdown();
  });

  it("'block' never drops or throws: emit keeps writing, ready() holds callers back until the spool drains", async () => {
    receiver = await startReceiver();
    const processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: tempDir(), maxBytes: MAX_BYTES, onFull: 'block' });
    processor.pause();
    const { logger } = loggerWith(processor);
    for (let i = 0; i < 300; i++) emitEvent(logger, `blk-${i}`, { padding });
    expect(processor.stats().queuedBytes).toBeGreaterThan(MAX_BYTES);
    let released = false;
    const ready = processor.ready().then(() => (released = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(released).toBe(false);
    processor.resume();
    await ready;
    await processor.flush(10_000);
    expect(receiver.ids()).toEqual(Array.from({ length: 300 }, (_, i) => `blk-${i}`));
    expect(processor.stats().droppedRecords).toBe(0);
    await processor.shutdown();
  });

  it('pause keeps records and resume continues from the pause point; shutdown leaves the undelivered rest on disk', async () => {
    receiver = await startReceiver();
    const dir = tempDir();
    const make = () => createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver!.url, batch: true }), directory: dir });
    const processor = make();
    const { logger } = loggerWith(processor);
    for (let i = 0; i < 10; i++) emitEvent(logger, `p-${i}`);
    await processor.flush(10_000);
    processor.pause();
    for (let i = 10; i < 20; i++) emitEvent(logger, `p-${i}`);
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.ids()).toHaveLength(10);
    await processor.shutdown(500); // paused: nothing more is sent, the rest stays on disk
    const restarted = make();
    expect(restarted.recovery.replayRecords).toBe(10);
    await restarted.flush(10_000);
    expect(receiver.ids()).toEqual(Array.from({ length: 20 }, (_, i) => `p-${i}`));
    await restarted.shutdown();
  });
});
