// One damaged record costs that record only. 300 records in several segments, one
// byte flipped (or a frame header smashed) in the middle of an older segment: at the
// next start (or while reading, when the damage comes later) the spool resynchronises
// on the next valid frame, delivers the 299 intact records, copies the damaged bytes
// to quarantine/, and says so: a warning on stderr, a 'quarantined' entry in
// deliveries.jsonl, the metric, stats() and the recovery report.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDurableLogRecordProcessor, createWebhookExporter, listDeliveries, type DurableLogRecordProcessor } from '../../src/delivery/index.js';
import { scanSegment } from '../../src/delivery/durable/segment-log.js';
import { emitEvent, loggerWith, metricsProbe, startReceiver, tempDir, type Receiver } from './helpers.js';

const COUNT = 300;
const ids = Array.from({ length: COUNT }, (_, i) => `q-${String(i).padStart(3, '0')}`);
const segments = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('segment-')).sort();
const options = (dir: string, url: string) => ({ exporter: createWebhookExporter({ url, batch: { maxEvents: 50 } }), directory: dir, segmentBytes: 16 * 1024, batchSize: 64 });

/** Writes the 300 records with nothing delivered; returns the spool directory. */
async function spoolOf300(): Promise<string> {
  const dir = tempDir();
  const offline = createDurableLogRecordProcessor({ ...options(dir, 'http://127.0.0.1:9/none') });
  offline.pause();
  const { logger } = loggerWith(offline);
  for (const id of ids) emitEvent(logger, id, { padding: 'p'.repeat(100) });
  await offline.shutdown();
  return dir;
}

/** Damages the middle record of the second segment (an older one); returns what was damaged. */
function damage(dir: string, how: 'payload' | 'header'): { segment: string; offset: number; bytes: Buffer; id: string } {
  const names = segments(dir);
  expect(names.length).toBeGreaterThanOrEqual(4);
  const segment = names[1]!;
  const file = join(dir, segment);
  const data = readFileSync(file);
  const { frames } = scanSegment(data);
  const frame = frames[Math.floor(frames.length / 2)]!;
  const original = Buffer.from(data.subarray(frame.start, frame.end));
  const id = /"id":"(q-\d+)"/.exec(original.toString('utf8'))![1]!;
  if (how === 'payload') data[frame.start + Math.floor((frame.end - frame.start) / 2)]! ^= 0x20; // one flipped bit in the payload
  else data.writeUInt32LE(0xfffffff0, frame.start); // a length no frame can have
  writeFileSync(file, data);
  return { segment, offset: frame.start, bytes: data.subarray(frame.start, frame.end), id };
}

describe('damaged bytes inside the spool (quarantine)', () => {
  let receiver: Receiver | undefined;
  let processor: DurableLogRecordProcessor | undefined;
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  beforeEach(() => {
    warnings.length = 0;
    process.on('warning', onWarning);
  });
  afterEach(async () => {
    process.off('warning', onWarning);
    await processor?.shutdown(2000);
    processor = undefined;
    await receiver?.close();
    receiver = undefined;
  });

  for (const how of ['payload', 'header'] as const) {
    it(`a damaged ${how} in an older segment: the restart delivers the 299 intact records and quarantines the damaged one`, async () => {
      const dir = await spoolOf300();
      const damaged = damage(dir, how);
      receiver = await startReceiver();
      const probe = metricsProbe();
      processor = createDurableLogRecordProcessor({ ...options(dir, receiver.url), meterProvider: probe.meterProvider });

      const file = `quarantine/${damaged.segment.replace(/\.log$/, '')}-${damaged.offset}.bin`;
      expect(processor.recovery).toMatchObject({ replayRecords: COUNT - 1, truncatedBytes: 0, quarantinedBytes: damaged.bytes.length, quarantined: [{ segment: damaged.segment, offset: damaged.offset, bytes: damaged.bytes.length, file }] });
      expect(readFileSync(join(dir, file)).equals(damaged.bytes)).toBe(true);
      expect(await processor.flush(15_000)).toBe(true);
      const delivered = receiver.ids();
      console.log(`quarantine (${how}): ${new Set(delivered).size} of ${COUNT} delivered, ${damaged.bytes.length} bytes quarantined`);
      expect(delivered).toEqual(ids.filter((id) => id !== damaged.id));

      expect(processor.stats()).toMatchObject({ quarantinedBytes: damaged.bytes.length, quarantinedRanges: 1 });
      expect((await probe.read())['otel_audit.spool.quarantined_bytes']).toBe(damaged.bytes.length);
      const entries = listDeliveries(dir, { failed: true }).filter((e) => e.outcome === 'quarantined');
      expect(entries).toEqual([expect.objectContaining({ bytes: damaged.bytes.length, file, error: expect.stringContaining(`skipped ${damaged.bytes.length} damaged bytes in ${damaged.segment} at byte ${damaged.offset}`) as string })]);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      const seen = warnings.filter((w) => w.name === 'OtelAuditWarning');
      expect(seen).toHaveLength(1); // one line per damaged range, not per byte
      expect(seen[0]!.message).toContain(`otel-audit spool ${dir}: skipped ${damaged.bytes.length} damaged bytes in ${damaged.segment} at byte ${damaged.offset}`);
      expect(seen[0]!.message).toContain(`copied them to ${file}; the intact records around them are delivered`);
    });
  }

  it('reports a damaged range once: a second start skips it again without a second warning or entry', async () => {
    const dir = await spoolOf300();
    damage(dir, 'payload');
    const first = createDurableLogRecordProcessor(options(dir, 'http://127.0.0.1:9/none'));
    first.pause();
    expect(first.recovery.quarantined).toHaveLength(1);
    await first.shutdown();
    receiver = await startReceiver();
    processor = createDurableLogRecordProcessor(options(dir, receiver.url));
    expect(processor.recovery).toMatchObject({ replayRecords: COUNT - 1, quarantined: [] });
    expect(await processor.flush(15_000)).toBe(true);
    expect(new Set(receiver.ids()).size).toBe(COUNT - 1);
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((w) => w.name === 'OtelAuditWarning')).toHaveLength(1);
    expect(listDeliveries(dir).filter((e) => e.outcome === 'quarantined')).toHaveLength(1);
    expect(readdirSync(join(dir, 'quarantine'))).toHaveLength(1);
  });

  it('damage that appears while running is skipped by the reader the same way, with nothing else lost', async () => {
    receiver = await startReceiver();
    const dir = tempDir();
    processor = createDurableLogRecordProcessor(options(dir, receiver.url));
    processor.pause();
    const { logger } = loggerWith(processor);
    for (const id of ids) emitEvent(logger, id, { padding: 'p'.repeat(100) });
    const damaged = damage(dir, 'payload'); // underneath the running spool
    processor.resume();
    expect(await processor.flush(15_000)).toBe(true);
    expect(receiver.ids()).toEqual(ids.filter((id) => id !== damaged.id));
    expect(processor.stats()).toMatchObject({ queuedRecords: 0, quarantinedBytes: damaged.bytes.length, quarantinedRanges: 1 });
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((w) => w.name === 'OtelAuditWarning')).toHaveLength(1);
  });
});
