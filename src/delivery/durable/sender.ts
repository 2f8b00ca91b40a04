// The sender: reads batches from the spool and exports them, one batch at a time
// (so order is kept), retrying forever with exponential backoff and jitter. A
// batch is acknowledged on disk only after the exporter reported success.
//
// A refusal of the content itself (HTTP 400 or 413, or an error the exporter marks
// non-retryable) is never retried as is: the batch is split in halves until the
// refused record is alone, and that record is set aside in dead-letter.jsonl, so
// the records after it keep flowing.
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { appendDelivery } from './delivery-log.js';
import { retryAfterOf } from './target.js';
import type { SpoolMetrics } from './metrics.js';
import { RecordDecoder, renderRecord } from './record-codec.js';
import { appendToFile } from './safe-fs.js';
import { comparePositions, segmentName, type Position, type SegmentLog } from './segment-log.js';

export const DEAD_LETTER_FILE = 'dead-letter.jsonl';

/** HTTP answers that refuse the content itself: resending the same bytes cannot succeed. */
const REFUSING_STATUSES: ReadonlySet<number> = new Set([400, 413]);

/**
 * The HTTP status of a permanent refusal, or undefined when the failure may pass by
 * itself (5xx, 429, timeouts, network errors). OTLP exporters put the status in
 * `code`; the webhook exporter in `status`, with `retryable`.
 */
export function permanentRefusal(error: unknown): { status: number | undefined } | undefined {
  const candidate = error as { status?: unknown; code?: unknown; retryable?: unknown } | undefined;
  const status = typeof candidate?.status === 'number' ? candidate.status : typeof candidate?.code === 'number' ? candidate.code : undefined;
  if (candidate?.retryable === false || (status !== undefined && REFUSING_STATUSES.has(status))) return { status };
  return undefined;
}

export interface RetryOptions {
  /** First wait after a failure. Default 500 ms. */
  initialMillis?: number;
  /** Longest wait between attempts. Default 30 s. */
  maxMillis?: number;
}

export interface SenderOptions {
  exporter: LogRecordExporter;
  log: SegmentLog;
  batchSize: number;
  maxBatchBytes: number;
  retry: Required<RetryOptions>;
  /** An export whose callback never comes counts as failed after this long. */
  exportTimeoutMillis: number;
  target: () => string;
  metrics: SpoolMetrics;
  /** Called after each acknowledgement (progress waiters, backpressure). */
  onAcknowledged: () => void;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so clients do not retry in step. */
export function backoffMs(attempt: number, retry: Required<RetryOptions>): number {
  const ceiling = Math.min(retry.maxMillis, retry.initialMillis * 2 ** Math.min(attempt - 1, 30));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** How many export timeouts more a timed-out export gets to call back before the next export starts anyway. */
const STRAGGLER_WAITS = 4;

/** The errors of exports that did not call back within exportTimeoutMillis. */
const timeouts = new WeakSet<Error>();

interface PendingBatch {
  from: Position;
  records: ReadableLogRecord[];
  /** The stored form of each record (for the dead-letter file). */
  payloads: Buffer[];
  /** The position after each record read (undecodable ones included). */
  ends: Position[];
  /** The position after everything read (damaged bytes skipped included): acknowledged on success. */
  last: Position;
}

export class Sender {
  private pending: PendingBatch | undefined;
  private paused = false;
  private stopped = false;
  private readPosition: Position;
  private loop: Promise<void> | undefined;
  private wakeIdle: (() => void) | undefined;
  private wakeControl: (() => void) | undefined;
  private readonly decoder = new RecordDecoder();
  /**
   * While looking for a refused record: batches read before `until` hold at most
   * `limit` records (halved at each refusal).
   */
  private isolating: { until: Position; limit: number } | undefined;
  /**
   * After an export timed out: the most records per batch, halved at each timeout and
   * doubled after an export that took under half the timeout. A receiver slower than
   * the timeout (one request per record) still gets everything, in smaller exports.
   */
  private timeoutLimit: number | undefined;
  /** Settles when a timed-out export finally calls back: the next export waits for it, so exports never overlap. */
  private straggler: Promise<void> | undefined;
  /** Consecutive failed attempts of the current batch. */
  attempt = 0;
  lastError: string | undefined;
  deadLettered = 0;
  /** The destination accepted something since the current refusal began: a refused record is the record's fault. */
  private destinationAccepts = false;

  constructor(private readonly options: SenderOptions) {
    this.readPosition = options.log.ack;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** New records were appended. */
  notify(): void {
    this.wakeIdle?.();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wakeIdle?.();
    this.wakeControl?.();
  }

  /** Stops at once, without waiting for an export in flight (its answer is not acknowledged). */
  halt(): void {
    this.stopped = true;
    this.wakeIdle?.();
    this.wakeControl?.();
  }

  /**
   * Stops. Waits up to `graceMillis` for an export in flight; a late answer is not
   * acknowledged, so those records are sent again at the next start (at-least-once).
   */
  async stop(graceMillis = 1000): Promise<void> {
    this.stopped = true;
    this.wakeIdle?.();
    this.wakeControl?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMillis)))]);
    clearTimeout(timer);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.step();
      } catch (error) {
        // Reading the spool failed (an I/O error, a file removed underneath), or a
        // dead-letter write did: wait like after a failed export, then try again.
        // Never a busy loop, never an unhandled rejection.
        this.attempt++;
        this.lastError = error instanceof Error ? error.message : String(error);
        const delay = backoffMs(this.attempt, this.options.retry);
        diag.error(`otel-audit spool ${this.options.log.directory}: ${this.lastError}; trying again in ${Math.round(delay)} ms`);
        await this.sleep(delay, false);
      }
    }
  }

  /** One batch: read, export, then acknowledge, split, set aside or wait. */
  private async step(): Promise<void> {
    const { log } = this.options;
    if (this.paused) {
      await this.sleep(undefined, false);
      return;
    }
    // A drop-oldest may have moved the ack position past what we had read.
    if (comparePositions(log.ack, this.readPosition) > 0) this.readPosition = log.ack;
    const batch = this.batchAt(this.readPosition);
    if (!batch) {
      await this.sleep(undefined, true);
      return;
    }
    const { records } = batch;
    const started = performance.now();
    const result = records.length > 0 ? await this.export(records) : { code: ExportResultCode.SUCCESS };
    if (this.stopped) return; // the log may be closed; unacknowledged records stay on disk
    if (result.code === ExportResultCode.SUCCESS) {
      if (records.length > 0) this.destinationAccepts = true;
      if (this.timeoutLimit !== undefined && performance.now() - started < this.options.exportTimeoutMillis / 2) {
        this.timeoutLimit *= 2;
        if (this.timeoutLimit >= this.options.batchSize) this.timeoutLimit = undefined;
      }
      this.acknowledge(batch);
      if (this.attempt > 0) appendDelivery(log.directory, { target: this.options.target(), outcome: 'recovered', records: records.length, attempt: this.attempt });
      this.attempt = 0;
      this.lastError = undefined;
      return;
    }
    this.options.metrics.failures.add(1);
    this.lastError = result.error?.message ?? 'export failed';
    if (result.error && timeouts.has(result.error) && records.length > 1) {
      // Too many records for one export in time: the retry sends half as many.
      this.timeoutLimit = Math.ceil(records.length / 2);
      this.pending = undefined;
      this.lastError = `${this.lastError}; sending at most ${this.timeoutLimit} records per export until the destination keeps up`;
    }
    const refusal = permanentRefusal(result.error);
    // A refusal that starts a search: what the destination accepted before does not count.
    if (refusal && !this.isolating) this.destinationAccepts = false;
    if (refusal && records.length > 1) {
      // The destination refuses this content: resending the same batch cannot succeed.
      // Send it in halves (at once: they are different requests) to find the refused record.
      const limit = Math.ceil(records.length / 2);
      this.isolating = { until: batch.last, limit };
      this.pending = undefined;
      this.attempt = 0;
      appendDelivery(log.directory, { target: this.options.target(), outcome: 'failure', records: records.length, status: refusal.status, error: `${this.lastError} (refused as a whole: sending it in parts of ${limit} to find the refused record)` });
      diag.warn(`otel-audit spool: export of ${records.length} records refused${refusal.status ? ` (HTTP ${refusal.status})` : ''}; sending it in parts of ${limit} to find the refused record: ${this.lastError}`);
      return;
    }
    let waitForNewRecords = false;
    if (refusal) {
      // One record refused. It is set aside only when the destination takes other records:
      // a destination that refuses everything (a configuration problem) is waited for, like
      // an outage, and nothing is set aside.
      const neighbour = this.destinationAccepts ? 'accepted' : await this.probeNext(batch);
      if (this.stopped) return;
      if (neighbour !== 'refused' && neighbour !== 'none') {
        this.deadLetter(batch, refusal.status, this.lastError);
        if (neighbour !== 'accepted') this.acknowledge(neighbour);
        this.attempt = 0;
        this.lastError = undefined;
        return;
      }
      this.lastError = `${this.lastError} (${neighbour === 'none' ? 'no later record yet to tell whether the destination refuses only this record' : 'the destination refuses the next record too: a destination or configuration problem, so the record waits in the spool'})`;
      waitForNewRecords = neighbour === 'none';
    }
    this.attempt++;
    const retryAfter = retryAfterOf(result.error);
    // Retry-After is a lower bound (at most an hour), never a reason to retry sooner than the
    // backoff: a receiver answering "Retry-After: 0" every time must not get a steady stream.
    const backoff = backoffMs(this.attempt, this.options.retry);
    const delay = retryAfter !== undefined ? Math.max(Math.min(retryAfter, MAX_RETRY_AFTER_MS), backoff) : backoff;
    const status = (result.error as { code?: unknown; status?: unknown } | undefined)?.status ?? (result.error as { code?: unknown } | undefined)?.code;
    appendDelivery(log.directory, {
      target: this.options.target(),
      outcome: 'failure',
      records: records.length,
      attempt: this.attempt,
      status: typeof status === 'number' ? status : undefined,
      error: this.lastError,
      retryInMillis: Math.round(delay),
    });
    diag.warn(`otel-audit spool: export of ${records.length} records failed (attempt ${this.attempt}), retrying in ${Math.round(delay)} ms: ${this.lastError}`);
    await this.sleep(delay, waitForNewRecords);
    if (!this.stopped) this.options.metrics.retries.add(1);
  }

  /**
   * Sends the record after `batch` alone, to tell a refused record from a destination
   * that refuses everything. On success returns what it delivered (to acknowledge once
   * the refused record is set aside).
   */
  private async probeNext(batch: PendingBatch): Promise<PendingBatch | 'refused' | 'none'> {
    const next = this.options.log.read(batch.last, 1);
    if (next.payloads.length === 0) return 'none';
    let record: ReadableLogRecord;
    try {
      record = this.decoder.decode(next.payloads[0]!);
    } catch {
      return 'none'; // undecodable: the sender drops it when it gets there
    }
    const result = await this.export([record]);
    if (result.code !== ExportResultCode.SUCCESS) return 'refused';
    this.destinationAccepts = true;
    return { from: batch.last, records: [record], payloads: [next.payloads[0]!], ends: next.ends, last: next.end };
  }

  private acknowledge(batch: PendingBatch): void {
    const { log } = this.options;
    // While looking for a refused record, each accepted part doubles the next one, so the
    // records after it go in a few requests, not one by one.
    if (this.isolating && batch.records.length > 0) this.isolating.limit = Math.min(this.options.batchSize, this.isolating.limit * 2);
    log.acknowledge(batch.last, log.countAfterAck(batch.ends));
    this.readPosition = batch.last;
    this.pending = undefined;
    if (batch.records.length > 0) this.options.metrics.exported.add(batch.records.length);
    this.options.onAcknowledged();
  }

  /**
   * Sets aside the one record of `batch` the destination refused: one JSON line in
   * dead-letter.jsonl (synced before the record is acknowledged, so it is never lost),
   * a 'dead-lettered' entry in deliveries.jsonl, the metric, and a warning.
   */
  private deadLetter(batch: PendingBatch, status: number | undefined, error: string): void {
    const { log } = this.options;
    const record = renderRecord(batch.payloads[0]!);
    const id = (record.attributes as Record<string, unknown> | undefined)?.['log.record.uid'];
    const end = batch.ends[batch.ends.length - 1] ?? batch.last;
    const target = this.options.target();
    appendToFile(join(log.directory, DEAD_LETTER_FILE), `${JSON.stringify({ time: new Date().toISOString(), target, status, error, spooledAt: { segment: segmentName(end.segment), endOffset: end.offset }, record })}\n`, true);
    this.deadLettered++;
    this.options.metrics.deadLettered.add(1);
    const what = `${typeof id === 'string' ? `record ${id}` : 'a record'} refused${status !== undefined ? ` with HTTP ${status}` : ''}, set aside in ${DEAD_LETTER_FILE}`;
    appendDelivery(log.directory, { target, outcome: 'dead-lettered', records: 1, status, file: DEAD_LETTER_FILE, error: `${what}: ${error}` });
    diag.error(`otel-audit spool ${log.directory}: ${what} (the records after it are delivered): ${error}`);
    // Acknowledged like a delivery, so the records after it flow; not counted as exported.
    log.acknowledge(batch.last, log.countAfterAck(batch.ends));
    this.readPosition = batch.last;
    this.pending = undefined;
    this.options.onAcknowledged();
  }

  /**
   * The batch starting at `from`: read and decoded once, then reused while it is
   * retried, so a long outage does not re-read and re-decode it on every attempt.
   */
  private batchAt(from: Position): PendingBatch | undefined {
    if (this.pending && comparePositions(this.pending.from, from) === 0) return this.pending;
    this.pending = undefined;
    const { log } = this.options;
    if (this.isolating && comparePositions(from, this.isolating.until) >= 0) this.isolating = undefined;
    const limit = Math.min(this.isolating?.limit ?? this.options.batchSize, this.timeoutLimit ?? this.options.batchSize);
    const batch = log.read(from, limit, this.options.maxBatchBytes);
    // Nothing new (damaged bytes skipped count as progress: they are acknowledged too).
    if (comparePositions(batch.end, from) <= 0) return undefined;
    const records: ReadableLogRecord[] = [];
    const payloads: Buffer[] = [];
    batch.payloads.forEach((payload, i) => {
      try {
        records.push(this.decoder.decode(payload));
        payloads.push(payload);
      } catch (error) {
        // Passed its checksum yet cannot be decoded: it can never be sent. Counted and logged, never silent.
        this.options.metrics.dropped.add(1);
        appendDelivery(log.directory, { target: this.options.target(), outcome: 'dropped', records: 1, error: `undecodable record at ${JSON.stringify(batch.ends[i])}: ${String(error)}` });
        diag.error('otel-audit spool: dropped an undecodable record', error);
      }
    });
    this.pending = { from, records, payloads, ends: batch.ends, last: batch.end };
    return this.pending;
  }

  /**
   * Calls the exporter; a callback that never comes, or a throw, is a failure. An export
   * that timed out may still be sending (a webhook posts one request per record): the
   * next one starts only once it called back, or after STRAGGLER_WAITS export timeouts
   * more (an exporter that never calls back), so exports do not pile up on a slow receiver.
   */
  private async export(records: ReadableLogRecord[]): Promise<ExportResult> {
    if (this.straggler) {
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([this.straggler, new Promise<void>((resolve) => (wait = setTimeout(resolve, STRAGGLER_WAITS * this.options.exportTimeoutMillis).unref()))]);
      clearTimeout(wait);
      this.straggler = undefined;
      if (this.stopped) return { code: ExportResultCode.FAILED, error: new Error('the spool is stopping') };
    }
    return new Promise<ExportResult>((resolve) => {
      let settled = false;
      let answered!: () => void;
      const answer = new Promise<void>((done) => (answered = done));
      const finish = (result: ExportResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        this.straggler = answer;
        const error = new Error(`the exporter did not answer within ${this.options.exportTimeoutMillis} ms`);
        timeouts.add(error);
        finish({ code: ExportResultCode.FAILED, error });
      }, this.options.exportTimeoutMillis);
      timer.unref();
      const callback = (result: ExportResult) => {
        answered();
        finish(result);
      };
      try {
        this.options.exporter.export(records, callback);
      } catch (error) {
        callback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    });
  }

  /** Waits `ms` (or until woken). New appends wake only an idle sender, never a backoff. */
  private sleep(ms: number | undefined, wakeOnAppend: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        if (timer) clearTimeout(timer);
        this.wakeIdle = undefined;
        this.wakeControl = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      timer?.unref();
      this.wakeControl = done;
      if (wakeOnAppend) this.wakeIdle = done;
    });
  }
}
