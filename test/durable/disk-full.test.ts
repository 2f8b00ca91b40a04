// A real full disk, without root and without mocks. On Linux every write to /dev/full
// fails with ENOSPC ("no space left on device"). The spool opens files by name and
// open(2) follows symlinks, so a symlink named like the next segment (or like
// ack.json.tmp, deliveries.jsonl) makes the kernel answer ENOSPC exactly there.
// Removing the symlink is "space is back". A torn frame (part of a record written
// before the error) is made with a real file-size limit (RLIMIT_FSIZE) in a child.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, lstatSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDurableLogRecordProcessor, createWebhookExporter, SpoolFullError, SpoolWriteError, type DurableLogRecordProcessor, type OnFullPolicy } from '../../src/delivery/index.js';
import { segmentName } from '../../src/delivery/durable/segment-log.js';
import { emitEvent, loggerWith, metricsProbe, startReceiver, tempDir, waitFor, type Receiver } from './helpers.js';

const SEGMENT_BYTES = 4096;
const padding = 'x'.repeat(300);

/** Fails (never skips) where Linux's /dev/full is missing or does not answer ENOSPC. */
function requireDevFull(): void {
  let code: string | undefined;
  try {
    writeFileSync('/dev/full', 'x');
  } catch (error) {
    code = (error as NodeJS.ErrnoException).code;
  }
  if (code !== 'ENOSPC') throw new Error(`this test needs Linux's /dev/full (writes to it must fail with ENOSPC); here the write gave ${code ?? 'no error'}`);
}

function diskFullAt(dir: string, name: string): () => void {
  const path = join(dir, name);
  symlinkSync('/dev/full', path);
  return () => unlinkSync(path);
}

/** Emits until an emit throws; returns the ids accepted before and the error. */
function emitUntilError(emit: (id: string) => void, prefix: string, max = 200): { accepted: string[]; error: unknown } {
  const accepted: string[] = [];
  for (let i = 0; i < max; i++) {
    const id = `${prefix}-${i}`;
    try {
      emit(id);
    } catch (error) {
      return { accepted, error };
    }
    accepted.push(id);
  }
  return { accepted, error: undefined };
}

function expectDiskFull(error: unknown, dir: string): void {
  expect(error).toBeInstanceOf(SpoolWriteError);
  expect(error).not.toBeInstanceOf(SpoolFullError);
  expect((error as SpoolWriteError).systemCode).toBe('ENOSPC');
  expect((error as SpoolWriteError).code).toBe('SPOOL_WRITE_FAILED');
  expect((error as Error).message).toContain(`audit spool ${dir}: could not append the record, it was NOT written`);
  expect((error as Error).message).toContain('ENOSPC: no space left on device');
}

describe('disk full (real ENOSPC from /dev/full)', () => {
  let receiver: Receiver | undefined;
  let processor: DurableLogRecordProcessor | undefined;
  afterEach(async () => {
    await processor?.shutdown(2000);
    processor = undefined;
    await receiver?.close();
    receiver = undefined;
  });

  it('a failed rotation and failed appends throw SpoolWriteError, keep every earlier record, and recover by themselves once space is back', async () => {
    requireDevFull();
    receiver = await startReceiver();
    const dir = tempDir();
    const probe = metricsProbe();
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, segmentBytes: SEGMENT_BYTES, meterProvider: probe.meterProvider, retry: { initialMillis: 50, maxMillis: 200 } });
    processor.pause();
    const { logger } = loggerWith(processor);
    const spaceBack = diskFullAt(dir, segmentName(2));

    // (b) the append that rolls over to segment 2 fails.
    const { accepted, error } = emitUntilError((id) => emitEvent(logger, id, { padding }), 'before');
    expectDiskFull(error, dir);
    expect(accepted.length).toBeGreaterThan(3);
    // (a) appends into the current (now full) segment keep failing, under the same error.
    for (let i = 0; i < 3; i++) expectDiskFull(emitUntilError((id) => emitEvent(logger, id, { padding }), `full${i}`, 1).error, dir);
    expect(processor.stats()).toMatchObject({ queuedRecords: accepted.length, rejectedRecords: 4 });
    expect((await probe.read())['otel_audit.spool.rejected_records']).toBe(4);
    await processor.whenDurable(); // an fsync with the write segment on the full device still resolves

    // Delivery of the accepted records goes on while the disk is full.
    processor.resume();
    expect(await processor.flush(10_000)).toBe(true);
    expect(receiver.ids()).toEqual(accepted);

    // Space is back: the next emit succeeds without a restart, into a real segment file.
    spaceBack();
    emitEvent(logger, 'after-0', { padding });
    emitEvent(logger, 'after-1', { padding });
    await processor.whenDurable();
    expect(await processor.flush(10_000)).toBe(true);
    expect(receiver.ids()).toEqual([...accepted, 'after-0', 'after-1']);
    expect(lstatSync(join(dir, segmentName(2))).isFile()).toBe(true);
  });

  it.each<OnFullPolicy>(['block', 'reject', 'drop-oldest'])("onFull '%s': a full disk refuses the record like 'reject' and drops nothing", async (onFull) => {
    requireDevFull();
    receiver = await startReceiver();
    const dir = tempDir();
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, segmentBytes: SEGMENT_BYTES, maxBytes: 64 * 1024, onFull });
    processor.pause();
    const { logger } = loggerWith(processor);
    const spaceBack = diskFullAt(dir, segmentName(2));
    const { accepted, error } = emitUntilError((id) => emitEvent(logger, id, { padding }), onFull);
    expectDiskFull(error, dir);
    expect(processor.stats()).toMatchObject({ queuedRecords: accepted.length, droppedRecords: 0, rejectedRecords: 1 });
    spaceBack();
    emitEvent(logger, `${onFull}-after`, { padding });
    processor.resume();
    expect(await processor.flush(10_000)).toBe(true);
    expect(receiver.ids()).toEqual([...accepted, `${onFull}-after`]);
  });

  it('a new segment that cannot even be opened leaves the log unchanged, and the next emit after the fix rotates normally', async () => {
    requireDevFull();
    receiver = await startReceiver();
    const dir = tempDir();
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, segmentBytes: SEGMENT_BYTES });
    processor.pause();
    const { logger } = loggerWith(processor);
    // open(2) itself fails (ENOTDIR: a path under a device), as it does with ENOSPC when no inode is left.
    const path = join(dir, segmentName(2));
    symlinkSync('/dev/full/segment', path);
    const { accepted, error } = emitUntilError((id) => emitEvent(logger, id, { padding }), 'open');
    expect(error).toBeInstanceOf(SpoolWriteError);
    expect((error as SpoolWriteError).systemCode).toBe('ENOTDIR');
    expect(() => emitEvent(logger, 'still-failing', { padding })).toThrow(SpoolWriteError);
    unlinkSync(path);
    emitEvent(logger, 'open-after', { padding });
    await processor.whenDurable();
    expect(lstatSync(path).isFile()).toBe(true);
    processor.resume();
    expect(await processor.flush(10_000)).toBe(true);
    expect(receiver.ids()).toEqual([...accepted, 'open-after']);
  });

  it('a restart after a failed append reads back exactly the records accepted before', async () => {
    requireDevFull();
    receiver = await startReceiver();
    const dir = tempDir();
    const first = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, segmentBytes: SEGMENT_BYTES });
    first.pause(); // the destination never sees them before the restart
    const { logger } = loggerWith(first);
    const spaceBack = diskFullAt(dir, segmentName(2));
    const { accepted, error } = emitUntilError((id) => emitEvent(logger, id, { padding }), 'kept');
    expectDiskFull(error, dir);
    await first.shutdown(1000); // closes cleanly although the write segment is the full device
    spaceBack();

    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, segmentBytes: SEGMENT_BYTES });
    expect(processor.recovery).toMatchObject({ replayRecords: accepted.length, truncatedBytes: 0 });
    expect(await processor.flush(10_000)).toBe(true);
    expect(receiver.ids()).toEqual(accepted);
  });

  it('(c) ack.json and deliveries.jsonl on a full disk: delivery goes on, the ack is kept in memory and written once space is back', async () => {
    requireDevFull();
    let failFirst = true;
    receiver = await startReceiver(0, () => {
      if (!failFirst) return { status: 200 };
      failFirst = false;
      return { status: 503 };
    });
    const dir = tempDir();
    const ackFull = diskFullAt(dir, 'ack.json.tmp');
    const logFull = diskFullAt(dir, 'deliveries.jsonl');
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, segmentBytes: SEGMENT_BYTES, retry: { initialMillis: 50, maxMillis: 200 } });
    const { logger } = loggerWith(processor);
    const ids = Array.from({ length: 40 }, (_, i) => `c-${i}`);
    for (const id of ids) emitEvent(logger, id, { padding });
    expect(await processor.flush(10_000)).toBe(true);
    expect(receiver.ids()).toEqual(ids); // the 503 was retried although its log line could not be written
    expect(processor.stats().queuedRecords).toBe(0);
    expect(existsSync(join(dir, 'ack.json'))).toBe(false);

    ackFull();
    logFull();
    await waitFor(() => existsSync(join(dir, 'ack.json')), 5000, 'ack.json to be written once space is back');
    await processor.shutdown();
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, segmentBytes: SEGMENT_BYTES });
    expect(processor.recovery.replayRecords).toBe(0);
  });
});

// A write that stops part-way (the frame is torn on disk) then fails: a real file-size
// limit (ulimit -f, RLIMIT_FSIZE; Node ignores SIGXFSZ) gives a short write and EFBIG,
// the same path a disk that fills up mid-frame takes.
const CHILD_SOURCE = (spool: string) => `
import { LoggerProvider } from ${JSON.stringify(createRequire(import.meta.url).resolve('@opentelemetry/sdk-logs'))};
import { createDurableLogRecordProcessor, createWebhookExporter } from ${JSON.stringify(join(import.meta.dirname, '../../src/delivery/index.js'))};
const processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: 'http://127.0.0.1:9/unused' }), directory: ${JSON.stringify(spool)}, segmentBytes: 1024 * 1024 });
processor.pause();
const logger = new LoggerProvider({ processors: [processor] }).getLogger('torn');
const accepted = [];
let error;
for (let i = 0; i < 1000 && !error; i++) {
  const id = 'torn-' + i;
  try {
    logger.emit({ body: { id, name: 'repo.fork', padding: 'y'.repeat(700) }, attributes: { 'log.record.uid': id } });
    accepted.push(id);
  } catch (e) { error = e; }
}
const size = processor.stats().queuedBytes;
let again;
try { logger.emit({ body: { id: 'again', padding: 'y'.repeat(700) } }); } catch (e) { again = e.name; }
console.log(JSON.stringify({ accepted, error: error && { name: error.name, code: error.systemCode, message: error.message }, again, size }));
await processor.shutdown(500);
`;

describe('torn frame from a short write (real RLIMIT_FSIZE)', () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('cuts the partial frame back at once, so the segment holds only whole records and a restart replays every accepted one', async () => {
    const dir = tempDir();
    const script = join(tempDir('otel-audit-torn-'), 'child.mts');
    writeFileSync(script, CHILD_SOURCE(dir));
    // 64 blocks of 512 bytes: the spool file stops growing at 32 KiB, mid-frame.
    const child = spawn('sh', ['-c', `ulimit -f 64 && exec "${process.execPath}" --import tsx "${script}"`], { stdio: ['ignore', 'pipe', 'pipe'], cwd: join(import.meta.dirname, '../..') });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, err).toBe(0);
    const report = JSON.parse(out.trim().split('\n').at(-1)!) as { accepted: string[]; error: { name: string; code: string; message: string }; again: string; size: number };
    expect(report.error).toMatchObject({ name: 'SpoolWriteError', code: 'EFBIG' });
    expect(report.error.message).toContain(`audit spool ${dir}: could not append the record, it was NOT written`);
    expect(report.again).toBe('SpoolWriteError');
    // The file holds exactly the accepted frames: the torn bytes were cut when the write failed.
    const segment = readFileSync(join(dir, segmentName(1)));
    expect(segment.length).toBe(report.size);
    expect(segment.length).toBeLessThan(64 * 512);

    receiver = await startReceiver();
    const processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir });
    try {
      expect(processor.recovery).toMatchObject({ replayRecords: report.accepted.length, truncatedBytes: 0 });
      expect(await processor.flush(10_000)).toBe(true);
      expect(receiver.ids()).toEqual(report.accepted);
    } finally {
      await processor.shutdown();
    }
  });
});
