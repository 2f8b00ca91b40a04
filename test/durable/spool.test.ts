// The on-disk log: acknowledged segments are deleted, the ack position survives a
// restart, and a torn or corrupt tail is cut without losing the records before it.
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDurableLogRecordProcessor, createWebhookExporter, emitDurably, SpoolLockedError } from '../../src/delivery/index.js';
import { emitEvent, loggerWith, startReceiver, tempDir, waitFor, type Receiver } from './helpers.js';

const segments = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('segment-')).sort();

describe('durable spool on disk', () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('deletes segments once delivered and replays nothing after a restart', async () => {
    receiver = await startReceiver();
    const dir = tempDir();
    const make = () => createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver!.url, batch: true }), directory: dir, segmentBytes: 4096, batchSize: 50 });
    const processor = make();
    const { logger } = loggerWith(processor);
    for (let i = 0; i < 500; i++) emitEvent(logger, `seg-${i}`);
    expect(processor.stats().segments).toBeGreaterThan(5);
    await processor.flush(15_000);
    expect(new Set(receiver.ids()).size).toBe(500);
    await waitFor(() => segments(dir).length === 1, 2000, 'acknowledged segments to be deleted');
    expect(JSON.parse(readFileSync(join(dir, 'ack.json'), 'utf8'))).toMatchObject({ offset: expect.any(Number) as number });
    await processor.shutdown();

    const again = make();
    expect(again.recovery.replayRecords).toBe(0);
    expect(again.stats().queuedRecords).toBe(0);
    await again.shutdown();
    expect(receiver.ids()).toHaveLength(500);
  });

  it('refuses a second processor on the same directory while the first is alive', async () => {
    const dir = tempDir();
    const exporter = createWebhookExporter({ url: 'http://127.0.0.1:9/none' });
    const first = createDurableLogRecordProcessor({ exporter, directory: dir });
    first.pause();
    expect(() => createDurableLogRecordProcessor({ exporter, directory: dir })).toThrow(SpoolLockedError);
    await first.shutdown();
  });

  it('emitDurably resolves after the fsync that covers the record, at once for many concurrent callers', async () => {
    for (const fsync of ['always', 'interval'] as const) {
      const processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: 'http://127.0.0.1:9/none' }), directory: tempDir(), fsync, fsyncIntervalMillis: 300 });
      processor.pause();
      const { logger } = loggerWith(processor);
      const started = Date.now();
      await Promise.all(Array.from({ length: 16 }, (_, i) => emitDurably(processor, () => emitEvent(logger, `d-${i}`))));
      const took = Date.now() - started;
      expect(processor.stats().queuedRecords).toBe(16);
      if (fsync === 'interval') expect(took).toBeLessThanOrEqual(700);
      else expect(took).toBeLessThan(1000);
      await processor.shutdown();
    }
  });

  for (const damage of ['torn', 'corrupt'] as const) {
    it(`cuts a ${damage} tail at startup and delivers every record before it`, async () => {
      const dir = tempDir();
      const offline = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: 'http://127.0.0.1:9/none' }), directory: dir });
      offline.pause();
      const { logger } = loggerWith(offline);
      for (let i = 0; i < 100; i++) emitEvent(logger, `tail-${i}`);
      await offline.shutdown();
      const [last] = segments(dir).slice(-1);
      const file = join(dir, last!);
      const size = statSync(file).size;
      let expected = 100;
      if (damage === 'torn') {
        // A crash in the middle of a write: a header promising 500 bytes, then only 20.
        const header = Buffer.alloc(8);
        header.writeUInt32LE(500, 0);
        header.writeUInt32LE(0xdeadbeef, 4);
        appendFileSync(file, Buffer.concat([header, Buffer.alloc(20, 0x41)]));
      } else {
        // A damaged last record: one byte flipped in its payload fails its CRC32.
        const bytes = readFileSync(file);
        bytes[size - 3] = bytes[size - 3]! ^ 0xff;
        writeFileSync(file, bytes);
        expected = 99;
      }

      receiver = await startReceiver();
      const online = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: { maxEvents: 25 } }), directory: dir });
      expect(online.recovery.truncatedBytes).toBeGreaterThan(0);
      expect(online.recovery.truncatedSegments).toEqual([last]);
      expect(online.recovery.replayRecords).toBe(expected);
      await online.flush(15_000);
      await online.shutdown();
      const ids = receiver.ids();
      expect(ids).toEqual(Array.from({ length: expected }, (_, i) => `tail-${i}`));
      expect(existsSync(file) ? statSync(file).size : 0).toBeLessThan(size + 1);
    });
  }
});
