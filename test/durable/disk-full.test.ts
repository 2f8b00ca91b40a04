// A real full disk, without mocks: each test mounts a small tmpfs of its own as the
// spool directory and fills it with a filler file, so the kernel answers ENOSPC ("no
// space left on device") to the next write that needs a new block, or, with few
// inodes, to the next file created. Removing the filler is "space is back". (The
// spool opens no file through a symlink, so a symlink to /dev/full cannot stand in.)
// A torn frame (part of a record written before the error) is made with a real
// file-size limit (RLIMIT_FSIZE) in a child.
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { closeSync, existsSync, lstatSync, openSync, readFileSync, rmdirSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { createDurableLogRecordProcessor, createWebhookExporter, SpoolFullError, SpoolWriteError, type DurableLogRecordProcessor, type OnFullPolicy } from '../../src/delivery/index.js';
import { segmentName } from '../../src/delivery/durable/segment-log.js';
import { emitEvent, loggerWith, metricsProbe, startReceiver, tempDir, waitFor, type Receiver } from './helpers.js';

const SEGMENT_BYTES = 4096; // one tmpfs page: a segment never needs a second block
const padding = 'x'.repeat(300);

interface SmallDisk {
  dir: string;
  /** Fills every free block (or, with `inodes`, every free inode). */
  fill(): void;
  /** Frees what fill() took. */
  spaceBack(): void;
  unmount(): void;
}

const mounted: SmallDisk[] = [];

/**
 * A tmpfs of `sizeBytes` (and at most `inodes` files) mounted on a new temporary
 * directory. Fails (never skips) where it cannot be mounted: these tests need root
 * (CAP_SYS_ADMIN), as the suite runs.
 */
function smallDisk(options: { sizeBytes?: number; inodes?: number } = {}): SmallDisk {
  const dir = tempDir('otel-audit-full-');
  const mountOptions = [`size=${options.sizeBytes ?? 256 * 1024}`, 'mode=0700', ...(options.inodes ? [`nr_inodes=${options.inodes}`] : [])].join(',');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', mountOptions, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`these tests mount a small tmpfs to get a real full disk, which needs root (CAP_SYS_ADMIN); mount said: ${String((error as { stderr?: Buffer }).stderr ?? error)}`, { cause: error });
  }
  const fillers = new Set<string>();
  const disk: SmallDisk = {
    dir,
    fill() {
      if (options.inodes) {
        for (let i = 0; ; i++) {
          const file = join(dir, `filler-${i}`);
          try {
            closeSync(openSync(file, 'wx'));
          } catch (error) {
            expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
            return;
          }
          fillers.add(file);
        }
      }
      const file = join(dir, 'filler');
      fillers.add(file);
      const fd = openSync(file, 'a');
      const block = Buffer.alloc(4096, 0x66);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        closeSync(fd);
      }
    },
    spaceBack() {
      for (const file of fillers) unlinkSync(file);
      fillers.clear();
    },
    unmount() {
      execFileSync('umount', ['-l', dir]);
      rmdirSync(dir);
    },
  };
  mounted.push(disk);
  return disk;
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

describe('disk full (real ENOSPC from a full tmpfs)', () => {
  let receiver: Receiver | undefined;
  let processor: DurableLogRecordProcessor | undefined;
  afterEach(async () => {
    await processor?.shutdown(2000);
    processor = undefined;
    await receiver?.close();
    receiver = undefined;
    for (const disk of mounted.splice(0)) disk.unmount();
  });

  it('a failed rotation and failed appends throw SpoolWriteError, keep every earlier record, and recover by themselves once space is back', async () => {
    receiver = await startReceiver();
    const disk = smallDisk();
    const dir = disk.dir;
    const probe = metricsProbe();
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, segmentBytes: SEGMENT_BYTES, meterProvider: probe.meterProvider, retry: { initialMillis: 50, maxMillis: 200 } });
    processor.pause();
    const { logger } = loggerWith(processor);
    emitEvent(logger, 'first', { padding }); // segment 1 gets its block
    disk.fill();

    // (b) the append that rolls over to segment 2 fails: segment 1's block is full, no block is left.
    const before = emitUntilError((id) => emitEvent(logger, id, { padding }), 'before');
    const accepted = ['first', ...before.accepted];
    expectDiskFull(before.error, dir);
    expect(accepted.length).toBeGreaterThan(3);
    // (a) appends into the current (now full) segment keep failing, under the same error.
    for (let i = 0; i < 3; i++) expectDiskFull(emitUntilError((id) => emitEvent(logger, id, { padding }), `full${i}`, 1).error, dir);
    expect(processor.stats()).toMatchObject({ queuedRecords: accepted.length, rejectedRecords: 4 });
    expect((await probe.read())['otel_audit.spool.rejected_records']).toBe(4);
    await processor.whenDurable(); // an fsync with the write segment on the full disk still resolves

    // Delivery of the accepted records goes on while the disk is full.
    processor.resume();
    expect(await processor.flush(10_000)).toBe(true);
    expect(receiver.ids()).toEqual(accepted);

    // Space is back: the next emit succeeds without a restart, into a real segment file.
    disk.spaceBack();
    emitEvent(logger, 'after-0', { padding });
    emitEvent(logger, 'after-1', { padding });
    await processor.whenDurable();
    expect(await processor.flush(10_000)).toBe(true);
    expect(receiver.ids()).toEqual([...accepted, 'after-0', 'after-1']);
    expect(lstatSync(join(dir, segmentName(2))).isFile()).toBe(true);
  });

  it.each<OnFullPolicy>(['block', 'reject', 'drop-oldest'])("onFull '%s': a full disk refuses the record like 'reject' and drops nothing", async (onFull) => {
    receiver = await startReceiver();
    const disk = smallDisk();
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: disk.dir, segmentBytes: SEGMENT_BYTES, maxBytes: 64 * 1024, onFull });
    processor.pause();
    const { logger } = loggerWith(processor);
    emitEvent(logger, `${onFull}-first`, { padding });
    disk.fill();
    const { accepted, error } = emitUntilError((id) => emitEvent(logger, id, { padding }), onFull);
    expectDiskFull(error, disk.dir);
    expect(processor.stats()).toMatchObject({ queuedRecords: accepted.length + 1, droppedRecords: 0, rejectedRecords: 1 });
    disk.spaceBack();
    emitEvent(logger, `${onFull}-after`, { padding });
    processor.resume();
    expect(await processor.flush(10_000)).toBe(true);
    expect(receiver.ids()).toEqual([`${onFull}-first`, ...accepted, `${onFull}-after`]);
  });

  it('a new segment that cannot even be created (no inode left) leaves the log unchanged, and the next emit after the fix rotates normally', async () => {
    receiver = await startReceiver();
    const disk = smallDisk({ inodes: 16 });
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: disk.dir, segmentBytes: SEGMENT_BYTES });
    processor.pause();
    const { logger } = loggerWith(processor);
    emitEvent(logger, 'open-first', { padding });
    disk.fill(); // every inode taken: open(2) of the next segment fails with ENOSPC
    const path = join(disk.dir, segmentName(2));
    const { accepted, error } = emitUntilError((id) => emitEvent(logger, id, { padding }), 'open');
    expectDiskFull(error, disk.dir);
    expect(existsSync(path)).toBe(false);
    expect(() => emitEvent(logger, 'still-failing', { padding })).toThrow(SpoolWriteError);
    disk.spaceBack();
    emitEvent(logger, 'open-after', { padding });
    await processor.whenDurable();
    expect(lstatSync(path).isFile()).toBe(true);
    processor.resume();
    expect(await processor.flush(10_000)).toBe(true);
    expect(receiver.ids()).toEqual(['open-first', ...accepted, 'open-after']);
  });

  it('a restart after a failed append reads back exactly the records accepted before', async () => {
    receiver = await startReceiver();
    const disk = smallDisk();
    const dir = disk.dir;
    const first = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, segmentBytes: SEGMENT_BYTES });
    first.pause(); // the destination never sees them before the restart
    const { logger } = loggerWith(first);
    emitEvent(logger, 'kept-first', { padding });
    disk.fill();
    const { accepted, error } = emitUntilError((id) => emitEvent(logger, id, { padding }), 'kept');
    expectDiskFull(error, dir);
    await first.shutdown(1000); // closes cleanly although the disk is full
    // Starting on the full disk fails with a stable code (the lock file needs a block).
    disk.fill(); // the block the released lock file freed
    expect(() => createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver!.url }), directory: dir })).toThrow(`createDurableLogRecordProcessor: option directory ${dir} cannot be used: ENOSPC: no space left on device`);
    disk.spaceBack();

    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, segmentBytes: SEGMENT_BYTES });
    expect(processor.recovery).toMatchObject({ replayRecords: accepted.length + 1, truncatedBytes: 0, quarantinedBytes: 0 });
    expect(await processor.flush(10_000)).toBe(true);
    expect(receiver.ids()).toEqual(['kept-first', ...accepted]);
  });

  it('(c) ack.json and deliveries.jsonl on a full disk: delivery goes on, the ack is kept in memory and written once space is back', async () => {
    // An exporter of its own: the webhook exporter writes targets.json after a failure,
    // and on a full disk that write fails inside it (reported separately).
    const delivered: string[] = [];
    let failFirst = true;
    const exporter: LogRecordExporter = {
      export(records, done) {
        if (failFirst) {
          failFirst = false;
          return done({ code: ExportResultCode.FAILED, error: Object.assign(new Error('answered 503'), { status: 503 }) });
        }
        delivered.push(...records.map((r) => (r.body as { id: string }).id));
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
      forceFlush: () => Promise.resolve(),
    };
    const disk = smallDisk();
    const dir = disk.dir;
    processor = createDurableLogRecordProcessor({ exporter, directory: dir, segmentBytes: SEGMENT_BYTES, retry: { initialMillis: 50, maxMillis: 200 } });
    processor.pause();
    const { logger } = loggerWith(processor);
    const ids = Array.from({ length: 40 }, (_, i) => `c-${i}`);
    for (const id of ids) emitEvent(logger, id, { padding });
    disk.fill(); // the records are on disk; ack.json.tmp and deliveries.jsonl get no block
    processor.resume();
    expect(await processor.flush(10_000)).toBe(true);
    expect(delivered).toEqual(ids); // the 503 was retried although its log line could not be written
    expect(processor.stats().queuedRecords).toBe(0);
    expect(existsSync(join(dir, 'ack.json'))).toBe(false);

    disk.spaceBack();
    await waitFor(() => existsSync(join(dir, 'ack.json')), 5000, 'ack.json to be written once space is back');
    await processor.shutdown();
    processor = createDurableLogRecordProcessor({ exporter, directory: dir, segmentBytes: SEGMENT_BYTES });
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
