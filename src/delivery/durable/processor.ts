// createDurableLogRecordProcessor: a LogRecordProcessor that appends every
// record to an on-disk log before onEmit returns, and a sender that delivers
// the log to an exporter for as long as it takes.
import { diag, type Context, type MeterProvider } from '@opentelemetry/api';
import { OtelAuditError } from '../../errors.js';
import type { LogRecordExporter, LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { appendDelivery } from './delivery-log.js';
import { asDeliveryTarget } from './target.js';
import { SpoolFullError, SpoolOptionError, SpoolWriteError, type SpoolLockedError } from './errors.js';
import { DEFAULT_LOCK_LEASE_MILLIS, lockDirectory, type DirectoryLock } from './lock.js';
import { createSpoolMetrics, type SpoolMetrics } from './metrics.js';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { encodeRecord, observedMillis, RecordDecoder } from './record-codec.js';
import { prepareSpoolDirectory } from './safe-fs.js';
import { comparePositions, MAX_SEGMENT_BYTES, SegmentLog, type Position, type QuarantinedRange, type RecoveryReport } from './segment-log.js';
import { Sender, type RetryOptions } from './sender.js';

/**
 * Integrity digests are the spool's anchors: the segment of the newest one and
 * those after it are kept even once delivered, so a restarted emitter reads its
 * chain's head back and continues the stream (docs/integrity.md).
 */
const DIGEST_EVENT = 'audit.integrity.digest';
const DIGEST_MARK = Buffer.from(`"e":${JSON.stringify(DIGEST_EVENT)}`);
/** A spooled digest (a record whose body merely holds the same text is kept too: more disk, never less). */
const isDigestPayload = (payload: Buffer) => payload.includes(DIGEST_MARK);

export type FsyncMode = 'always' | 'interval';
export type OnFullPolicy = 'block' | 'reject' | 'drop-oldest';

export interface DurableProcessorOptions {
  exporter: LogRecordExporter;
  /**
   * The spool directory; created (mode 0700) if missing. It must belong to this user and
   * not be writable by group or others. One process per directory (a lease lock).
   */
  directory: string;
  /**
   * The lock's lease: another process (in another container or on another host sharing
   * the volume) takes the directory over only after the holder has not renewed its lock
   * for this long. The holder renews it every 2 s. Default 15 000; at least 1000.
   */
  lockLeaseMillis?: number;
  /**
   * 'always' (default): every record is fdatasync'ed soon after it is appended, one
   * fsync shared by all records appended meanwhile (group commit); `whenDurable()`
   * resolves after it. 'interval': fdatasync every `fsyncIntervalMillis`.
   */
  fsync?: FsyncMode;
  /** Default 1000. */
  fsyncIntervalMillis?: number;
  /** Undelivered bytes on disk before `onFull` applies. Default 256 MiB. */
  maxBytes?: number;
  /** Default 'block'. See docs/delivery.md. */
  onFull?: OnFullPolicy;
  /** Size at which a new segment file is started. Default 16 MiB. */
  segmentBytes?: number;
  /** Records per export. Default 512. */
  batchSize?: number;
  /** Bytes per export (a batch stops at whichever limit comes first). Default 4 MiB. */
  maxBatchBytes?: number;
  retry?: RetryOptions;
  /** An export that does not call back within this time counts as failed. Default 60 s. */
  exportTimeoutMillis?: number;
  /** Name of the delivery target in the delivery log and metrics. Default: the exporter's own, or its class name. */
  target?: string;
  /** Default: the global MeterProvider from @opentelemetry/api. */
  meterProvider?: MeterProvider;
}

export interface SpoolStats {
  queuedRecords: number;
  queuedBytes: number;
  segments: number;
  paused: boolean;
  /** Consecutive failed attempts of the batch being sent. */
  failedAttempts: number;
  lastError?: string;
  droppedRecords: number;
  rejectedRecords: number;
  /** Records the destination refused (HTTP 400, 413), set aside in dead-letter.jsonl. */
  deadLetteredRecords: number;
  /** Damaged bytes skipped and copied to quarantine/ (at startup and since). */
  quarantinedBytes: number;
  /** How many damaged ranges those bytes were in. */
  quarantinedRanges: number;
}

export interface DurableLogRecordProcessor extends LogRecordProcessor {
  /** Resolves once every record appended before the call is fsynced. */
  whenDurable(): Promise<void>;
  /** Resolves once the undelivered bytes are below `maxBytes` (the backpressure of onFull 'block'). */
  ready(): Promise<void>;
  /** Stops sending; records keep being appended and are sent after `resume()`. */
  pause(): void;
  resume(): void;
  /** Waits (up to `timeoutMillis`, default 30 s) until everything appended before the call was delivered. On timeout it warns through diag and resolves; the rest stays on disk. */
  forceFlush(options?: { timeoutMillis?: number }): Promise<void>;
  flush(timeoutMillis?: number): Promise<boolean>;
  /** Drains for up to `timeoutMillis` (default 10 s), then stops; undelivered records stay on disk for the next start. */
  shutdown(timeoutMillis?: number): Promise<void>;
  stats(): SpoolStats;
  /** What startup found: records to replay, tails cut, damaged bytes quarantined. */
  readonly recovery: RecoveryReport;
  readonly directory: string;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new SpoolOptionError(name, `must be a positive number, got ${String(value)}`);
  return value;
}

/**
 * Runs a startup step; a system error (the disk full or unreadable, a file refused) becomes
 * a SpoolOptionError about the directory, so every error a caller sees has a stable code.
 */
function startup<T>(directory: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof OtelAuditError) throw error;
    throw new SpoolOptionError('directory', `${directory} cannot be used: ${error instanceof Error ? error.message : String(error)}`, { cause: error, code: 'SPOOL_DIRECTORY_UNSAFE' });
  }
}

interface Waiter {
  target: number | Position;
  resolve: () => void;
  reject?: (error: Error) => void;
}

class DurableProcessor implements DurableLogRecordProcessor {
  readonly directory: string;
  readonly recovery: RecoveryReport;
  private readonly log: SegmentLog;
  private readonly sender: Sender;
  private readonly metrics: SpoolMetrics;
  private readonly lock: DirectoryLock;
  /** Set once another process took the directory over: nothing is written or sent any more. */
  private lockLost: SpoolLockedError | undefined;
  private readonly fsync: FsyncMode;
  private readonly maxBytes: number;
  private readonly onFull: OnFullPolicy;
  private readonly targetName: () => string;
  private closed = false;
  // Group commit: sequence numbers of appended and of fsynced records.
  private appendedSeq = 0;
  private durableSeq = 0;
  private syncRunning = false;
  private syncScheduled = false;
  private durableWaiters: Waiter[] = [];
  private deliveryWaiters: Waiter[] = [];
  private spaceWaiters: Waiter[] = [];
  private intervalTimer: NodeJS.Timeout | undefined;
  private dropped = 0;
  private rejected = 0;
  private quarantinedBytes = 0;
  private quarantinedRanges = 0;
  private droppedNotLogged = 0;
  private lastDropLog = 0;
  private overLimitWarned = false;
  private oldestCache: { at: Position; millis: number | undefined } | undefined;

  constructor(private readonly options: DurableProcessorOptions) {
    if (!options.exporter || typeof options.exporter.export !== 'function') throw new SpoolOptionError('exporter', 'must be a LogRecordExporter (an object with export/shutdown/forceFlush)');
    if (!options.directory) throw new SpoolOptionError('directory', 'is required');
    this.fsync = options.fsync ?? 'always';
    if (this.fsync !== 'always' && this.fsync !== 'interval') throw new SpoolOptionError('fsync', `must be 'always' or 'interval', got ${JSON.stringify(options.fsync)}`);
    this.onFull = options.onFull ?? 'block';
    if (!['block', 'reject', 'drop-oldest'].includes(this.onFull)) throw new SpoolOptionError('onFull', `must be 'block', 'reject' or 'drop-oldest', got ${JSON.stringify(options.onFull)}`);
    this.maxBytes = positiveInteger('maxBytes', options.maxBytes, 256 * 1024 * 1024);
    const segmentBytes = positiveInteger('segmentBytes', options.segmentBytes, 16 * 1024 * 1024);
    if (segmentBytes > MAX_SEGMENT_BYTES) throw new SpoolOptionError('segmentBytes', `must be at most ${MAX_SEGMENT_BYTES} (1 GiB: a segment is read whole at startup), got ${segmentBytes}`);
    const retry = { initialMillis: positiveInteger('retry.initialMillis', options.retry?.initialMillis, 500), maxMillis: positiveInteger('retry.maxMillis', options.retry?.maxMillis, 30_000) };
    const leaseMillis = positiveInteger('lockLeaseMillis', options.lockLeaseMillis, DEFAULT_LOCK_LEASE_MILLIS);
    if (leaseMillis < 1000) throw new SpoolOptionError('lockLeaseMillis', `must be at least 1000, got ${leaseMillis}`);
    // Every option is checked before the directory is locked, so a bad one leaves no lock behind.
    const batchSize = positiveInteger('batchSize', options.batchSize, 512);
    const maxBatchBytes = positiveInteger('maxBatchBytes', options.maxBatchBytes, 4 * 1024 * 1024);
    const exportTimeoutMillis = positiveInteger('exportTimeoutMillis', options.exportTimeoutMillis, 60_000);
    const fsyncIntervalMillis = positiveInteger('fsyncIntervalMillis', options.fsyncIntervalMillis, 1000);
    this.directory = options.directory;

    prepareSpoolDirectory(options.directory);
    this.lock = startup(options.directory, () => lockDirectory(options.directory, { leaseMillis, onLost: (error) => this.onLockLost(error) }));
    try {
      this.log = startup(options.directory, () => new SegmentLog(options.directory, segmentBytes, isDigestPayload));
    } catch (error) {
      this.lock.release();
      throw error;
    }
    this.recovery = this.log.recovery;
    if (this.recovery.truncatedBytes > 0) diag.warn(`otel-audit spool ${this.directory}: cut ${this.recovery.truncatedBytes} bytes of torn or corrupt tail from ${this.recovery.truncatedSegments.join(', ')}`);

    const target = asDeliveryTarget(options.exporter);
    target?.useStateDirectory?.(options.directory);
    this.targetName = () => options.target ?? target?.targetStatus().name ?? options.exporter.constructor.name;
    this.metrics = createSpoolMetrics(options.meterProvider, { 'spool.directory': this.directory, 'delivery.target': this.targetName() }, {
      queuedRecords: () => this.log.queuedRecords,
      queuedBytes: () => this.log.queuedBytes,
      oldestRecordAgeSeconds: () => this.oldestRecordAgeSeconds(),
      targetDisabled: () => (target ? (target.targetStatus().disabled ? 1 : 0) : undefined),
    });
    for (const range of this.recovery.quarantined) this.reportQuarantine(range);
    this.log.onQuarantine = (range) => this.reportQuarantine(range);

    this.sender = new Sender({
      exporter: options.exporter,
      log: this.log,
      batchSize,
      maxBatchBytes,
      retry,
      exportTimeoutMillis,
      target: this.targetName,
      metrics: this.metrics,
      onAcknowledged: () => this.onAcknowledged(),
    });
    if (this.fsync === 'interval') {
      this.intervalTimer = setInterval(() => this.runSync(), fsyncIntervalMillis);
      this.intervalTimer.unref();
    }
    this.sender.start();
  }

  /** The payloads spooledTail decodes. */
  retainedPayloads(): Buffer[] {
    return this.log.retainedPayloads();
  }

  onEmit(record: ReadWriteLogRecord, _context?: Context): void {
    if (this.lockLost) throw this.lockLost;
    if (this.closed) throw new SpoolWriteError(this.directory, new Error('the durable processor was shut down'));
    const payload = encodeRecord(record);
    const frameBytes = SegmentLog.frameBytes(payload);
    if (this.log.queuedBytes + frameBytes > this.maxBytes) this.applyOnFull(frameBytes);
    try {
      this.log.append(payload, record.eventName === DIGEST_EVENT);
    } catch (error) {
      // Disk full or unwritable: under every onFull policy the record is refused, like
      // 'reject' (no policy can make room on the disk). Earlier records are intact.
      const failure = new SpoolWriteError(this.directory, error);
      this.countRejected({ 'error.type': failure.systemCode ?? 'write' });
      throw failure;
    }
    this.appendedSeq++;
    if (this.fsync === 'always') this.scheduleSync();
    this.sender.notify();
  }

  /**
   * Damaged bytes were skipped (at startup or while reading): counted, logged in
   * deliveries.jsonl, and one warning on stderr per damaged range.
   */
  private reportQuarantine(range: QuarantinedRange): void {
    this.quarantinedBytes += range.bytes;
    this.quarantinedRanges++;
    this.metrics.quarantinedBytes.add(range.bytes);
    const what = `skipped ${range.bytes} damaged bytes in ${range.segment} at byte ${range.offset} (a disk fault or an outside write; a record in them cannot be delivered)`;
    const kept = range.file ? `copied them to ${range.file}` : `could NOT keep a copy: ${range.error ?? 'unknown error'}`;
    appendDelivery(this.directory, { target: this.targetName(), outcome: 'quarantined', bytes: range.bytes, file: range.file, error: `${what}, ${kept}` });
    process.emitWarning(`otel-audit spool ${this.directory}: ${what} and ${kept}; the intact records around them are delivered`, { type: 'OtelAuditWarning', code: 'OTEL_AUDIT_SPOOL_QUARANTINED' });
  }

  /** Another process holds the directory now: stop writing and sending, at once and for good. */
  private onLockLost(error: SpoolLockedError): void {
    this.lockLost = error;
    this.log.abandon();
    this.sender.halt();
    if (this.intervalTimer) clearInterval(this.intervalTimer);
    this.intervalTimer = undefined;
    this.runSync(); // records appended before stay honest: whenDurable() waiters get their fsync
    this.settle(this.spaceWaiters, () => true); // their emit then throws this error
    diag.error(error.message);
    process.emitWarning(error.message, { type: 'OtelAuditWarning', code: 'OTEL_AUDIT_SPOOL_LOCK_LOST' });
  }

  private countRejected(attributes?: Record<string, string>): void {
    this.rejected++;
    this.metrics.rejected.add(1, attributes);
  }

  private applyOnFull(frameBytes: number): void {
    if (this.onFull === 'reject') {
      this.countRejected();
      throw new SpoolFullError(this.directory, this.log.queuedBytes, this.maxBytes);
    }
    if (this.onFull === 'block') {
      // onEmit is synchronous and the sender runs on this same event loop, so it cannot
      // wait here: the record is written (beyond maxBytes) and callers that await
      // ready()/emitDurable are held back until the spool drains below maxBytes.
      if (!this.overLimitWarned) diag.warn(`otel-audit spool ${this.directory}: over maxBytes (${this.maxBytes}); onFull 'block' holds back emitDurable callers until it drains`);
      this.overLimitWarned = true;
      return;
    }
    // drop-oldest: acknowledge the oldest records without sending them, until the new one fits.
    let droppedNow = 0;
    while (this.log.queuedBytes + frameBytes > this.maxBytes && this.log.queuedRecords > 0) {
      const ack = this.log.ack;
      const batch = this.log.read(ack, 64, this.log.queuedBytes + frameBytes - this.maxBytes);
      if (comparePositions(batch.end, ack) <= 0) break;
      const count = this.log.countAfterAck(batch.ends);
      this.log.acknowledge(batch.end, count);
      droppedNow += count;
    }
    this.dropped += droppedNow;
    this.droppedNotLogged += droppedNow;
    this.metrics.dropped.add(droppedNow);
    // Logged at most once a second with the count, so a long outage does not flood the log.
    if (Date.now() - this.lastDropLog >= 1000) {
      diag.warn(`otel-audit spool ${this.directory}: full (maxBytes ${this.maxBytes}); onFull 'drop-oldest' dropped ${this.droppedNotLogged} undelivered records (${this.dropped} in total)`);
      appendDelivery(this.directory, { target: this.targetName(), outcome: 'dropped', records: this.droppedNotLogged, error: `spool full (maxBytes ${this.maxBytes}), onFull drop-oldest` });
      this.lastDropLog = Date.now();
      this.droppedNotLogged = 0;
    }
    this.onAcknowledged();
  }

  // --- durability (group commit) -------------------------------------------

  private scheduleSync(): void {
    if (this.syncScheduled || this.syncRunning) return;
    this.syncScheduled = true;
    // setImmediate lets every emit of the current turn join this fsync.
    setImmediate(() => {
      this.syncScheduled = false;
      this.runSync();
    });
  }

  private runSync(): void {
    if (this.syncRunning || this.closed || this.durableSeq >= this.appendedSeq) return;
    this.syncRunning = true;
    const target = this.appendedSeq;
    this.log.sync().then(
      () => {
        this.durableSeq = target;
        this.settle(this.durableWaiters, (w) => (w.target as number) <= target);
        if (this.durableWaiters.length === 0) this.intervalTimer?.unref();
      },
      (error: unknown) => {
        // A failed fsync may have lost pages: tell every waiter, never pretend.
        const failure = new SpoolWriteError(this.directory, error);
        diag.error(failure.message);
        for (const waiter of this.durableWaiters) waiter.reject?.(failure);
        this.durableWaiters = [];
      },
    ).finally(() => {
      this.syncRunning = false;
      if (this.appendedSeq > this.durableSeq && (this.fsync === 'always')) this.scheduleSync();
    });
  }

  whenDurable(): Promise<void> {
    if (this.durableSeq >= this.appendedSeq) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.durableWaiters.push({ target: this.appendedSeq, resolve, reject });
      if (this.fsync === 'always') this.scheduleSync();
      // Someone awaits the next interval fsync: keep the process alive for it.
      else this.intervalTimer?.ref();
    });
  }

  // --- backpressure and progress --------------------------------------------

  ready(): Promise<void> {
    if (this.log.queuedBytes < this.maxBytes || this.closed || this.lockLost) return Promise.resolve();
    return new Promise<void>((resolve) => this.spaceWaiters.push({ target: 0, resolve }));
  }

  private onAcknowledged(): void {
    const ack = this.log.ack;
    this.settle(this.deliveryWaiters, (w) => comparePositions(w.target as Position, ack) <= 0 || this.log.queuedRecords === 0);
    if (this.log.queuedBytes < this.maxBytes) {
      this.overLimitWarned = false;
      this.settle(this.spaceWaiters, () => true);
    }
  }

  private settle(waiters: Waiter[], done: (w: Waiter) => boolean): void {
    const remaining: Waiter[] = [];
    for (const waiter of waiters) {
      if (done(waiter)) waiter.resolve();
      else remaining.push(waiter);
    }
    waiters.splice(0, waiters.length, ...remaining);
  }

  pause(): void {
    this.sender.pause();
  }

  resume(): void {
    this.sender.resume();
  }

  /** Resolves true once everything appended before the call was delivered, false on timeout. */
  flush(timeoutMillis = 30_000): Promise<boolean> {
    if (this.lockLost) return Promise.resolve(false);
    const target = this.log.end;
    if (comparePositions(target, this.log.ack) <= 0 || this.log.queuedRecords === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.deliveryWaiters = this.deliveryWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMillis);
      const waiter: Waiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.deliveryWaiters.push(waiter);
    });
  }

  async forceFlush(options?: { timeoutMillis?: number }): Promise<void> {
    const delivered = await this.flush(options?.timeoutMillis);
    if (!delivered) diag.warn(`otel-audit spool ${this.directory}: forceFlush timed out with ${this.log.queuedRecords} records undelivered; they stay on disk`);
  }

  async shutdown(timeoutMillis = 10_000): Promise<void> {
    if (this.closed) return;
    const started = Date.now();
    if (!this.sender.isPaused && !this.lockLost) await this.flush(timeoutMillis);
    await this.sender.stop(Math.max(100, timeoutMillis - (Date.now() - started)));
    this.closed = true;
    if (this.intervalTimer) clearInterval(this.intervalTimer);
    this.log.close(); // fdatasync: nothing appended is left unsynced (after a lost lock, nothing else is written)
    this.durableSeq = this.appendedSeq;
    this.settle(this.durableWaiters, () => true);
    this.settle(this.spaceWaiters, () => true);
    this.metrics.close();
    this.lock.release();
    await this.options.exporter.shutdown();
  }

  stats(): SpoolStats {
    return {
      queuedRecords: this.log.queuedRecords,
      queuedBytes: this.log.queuedBytes,
      segments: this.log.segmentCount,
      paused: this.sender.isPaused,
      failedAttempts: this.sender.attempt,
      lastError: this.sender.lastError,
      droppedRecords: this.dropped,
      rejectedRecords: this.rejected,
      deadLetteredRecords: this.sender.deadLettered,
      quarantinedBytes: this.quarantinedBytes,
      quarantinedRanges: this.quarantinedRanges,
    };
  }

  private oldestRecordAgeSeconds(): number {
    if (this.closed || this.log.queuedRecords === 0) return 0;
    const ack = this.log.ack;
    if (!this.oldestCache || comparePositions(this.oldestCache.at, ack) !== 0) {
      const batch = this.log.read(ack, 1);
      this.oldestCache = { at: ack, millis: batch.payloads[0] ? observedMillis(batch.payloads[0]) : undefined };
    }
    return this.oldestCache.millis === undefined ? 0 : Math.max(0, (Date.now() - this.oldestCache.millis) / 1000);
  }
}

/**
 * A LogRecordProcessor that never loses an emitted record: see docs/delivery.md.
 * Put it after processors that change records (the audit processor) and use it
 * instead of a BatchLogRecordProcessor for the audit exporter.
 */
export function createDurableLogRecordProcessor(options: DurableProcessorOptions): DurableLogRecordProcessor {
  return new DurableProcessor(options);
}

/**
 * The records of the spool's kept segments (the newest integrity digest and
 * everything appended after it, delivered or not), in the order they were
 * appended: what createAuditLogger's integrity option resumes its chain from.
 * Records that cannot be decoded are left out.
 */
export function spooledTail(processor: DurableLogRecordProcessor): ReadableLogRecord[] {
  if (!(processor instanceof DurableProcessor)) return [];
  const decoder = new RecordDecoder();
  return processor.retainedPayloads().flatMap((payload) => {
    try {
      return [decoder.decode(payload)];
    } catch {
      return [];
    }
  });
}

/**
 * emit + durability: waits for room (onFull 'block' backpressure), emits, and
 * resolves once the record is fsynced. `emit` is the caller's own emit call.
 */
export async function emitDurably(processor: Pick<DurableLogRecordProcessor, 'ready' | 'whenDurable'>, emit: () => void): Promise<void> {
  await processor.ready();
  emit();
  await processor.whenDurable();
}
