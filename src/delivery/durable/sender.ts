// The sender: reads batches from the spool and exports them, one batch at a time
// (so order is kept), retrying forever with exponential backoff and jitter. A
// batch is acknowledged on disk only after the exporter reported success.
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { appendDelivery } from './delivery-log.js';
import { retryAfterOf } from './target.js';
import type { SpoolMetrics } from './metrics.js';
import { RecordDecoder } from './record-codec.js';
import { comparePositions, type Position, type SegmentLog } from './segment-log.js';

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

interface PendingBatch {
  from: Position;
  records: ReadableLogRecord[];
  /** The position after each record read (undecodable ones included). */
  ends: Position[];
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
  /** Consecutive failed attempts of the current batch. */
  attempt = 0;
  lastError: string | undefined;

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
    const { log } = this.options;
    while (!this.stopped) {
      if (this.paused) {
        await this.sleep(undefined, false);
        continue;
      }
      // A drop-oldest may have moved the ack position past what we had read.
      if (comparePositions(log.ack, this.readPosition) > 0) this.readPosition = log.ack;
      const batch = this.batchAt(this.readPosition);
      if (!batch) {
        await this.sleep(undefined, true);
        continue;
      }
      const { records, ends, last } = batch;
      const result = records.length > 0 ? await this.export(records) : { code: ExportResultCode.SUCCESS };
      if (this.stopped) break; // the log may be closed; unacknowledged records stay on disk
      if (result.code === ExportResultCode.SUCCESS) {
        log.acknowledge(last, log.countAfterAck(ends));
        this.readPosition = last;
        this.pending = undefined;
        this.options.metrics.exported.add(records.length);
        if (this.attempt > 0) appendDelivery(log.directory, { target: this.options.target(), outcome: 'recovered', records: records.length, attempt: this.attempt });
        this.attempt = 0;
        this.lastError = undefined;
        this.options.onAcknowledged();
        continue;
      }
      this.attempt++;
      this.options.metrics.failures.add(1);
      const retryAfter = retryAfterOf(result.error);
      const delay = retryAfter !== undefined ? Math.min(retryAfter, MAX_RETRY_AFTER_MS) : backoffMs(this.attempt, this.options.retry);
      this.lastError = result.error?.message ?? 'export failed';
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
      await this.sleep(delay, false);
      if (!this.stopped) this.options.metrics.retries.add(1);
    }
  }

  /**
   * The batch starting at `from`: read and decoded once, then reused while it is
   * retried, so a long outage does not re-read and re-decode it on every attempt.
   */
  private batchAt(from: Position): PendingBatch | undefined {
    if (this.pending && comparePositions(this.pending.from, from) === 0) return this.pending;
    this.pending = undefined;
    const { log } = this.options;
    const batch = log.read(from, this.options.batchSize, this.options.maxBatchBytes);
    if (batch.payloads.length === 0) return undefined;
    const records: ReadableLogRecord[] = [];
    batch.payloads.forEach((payload, i) => {
      try {
        records.push(this.decoder.decode(payload));
      } catch (error) {
        // Passed its checksum yet cannot be decoded: it can never be sent. Counted and logged, never silent.
        this.options.metrics.dropped.add(1);
        appendDelivery(log.directory, { target: this.options.target(), outcome: 'dropped', records: 1, error: `undecodable record at ${JSON.stringify(batch.ends[i])}: ${String(error)}` });
        diag.error('otel-audit spool: dropped an undecodable record', error);
      }
    });
    this.pending = { from, records, ends: batch.ends, last: batch.ends[batch.ends.length - 1]! };
    return this.pending;
  }

  /** Calls the exporter; a callback that never comes, or a throw, is a failure. */
  private export(records: ReadableLogRecord[]): Promise<ExportResult> {
    return new Promise<ExportResult>((resolve) => {
      let settled = false;
      const finish = (result: ExportResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => finish({ code: ExportResultCode.FAILED, error: new Error(`the exporter did not answer within ${this.options.exportTimeoutMillis} ms`) }), this.options.exportTimeoutMillis);
      timer.unref();
      try {
        this.options.exporter.export(records, finish);
      } catch (error) {
        finish({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
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
