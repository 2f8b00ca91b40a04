// The spool's metrics, through the OpenTelemetry metrics API (the global
// MeterProvider unless one is given), so they reach the same backend as the app's.
import { metrics, type BatchObservableCallback, type Counter, type MeterProvider } from '@opentelemetry/api';

export interface SpoolGaugeSource {
  queuedRecords(): number;
  queuedBytes(): number;
  /** Age in seconds of the oldest record not yet delivered; 0 when empty. */
  oldestRecordAgeSeconds(): number;
  /** 1 while the delivery target is auto-disabled, 0 otherwise; undefined when the exporter has no such state. */
  targetDisabled(): number | undefined;
}

export interface SpoolMetrics {
  exported: Counter;
  retries: Counter;
  failures: Counter;
  dropped: Counter;
  rejected: Counter;
  deadLettered: Counter;
  quarantinedBytes: Counter;
  close(): void;
}

export const METER_NAME = 'otel-audit.spool';

export function createSpoolMetrics(meterProvider: MeterProvider | undefined, attributes: { 'spool.directory': string; 'delivery.target': string }, source: SpoolGaugeSource): SpoolMetrics {
  const meter = (meterProvider ?? metrics.getMeterProvider()).getMeter(METER_NAME);
  const queuedRecords = meter.createObservableGauge('otel_audit.spool.queued_records', { description: 'Audit records on disk not yet delivered', unit: '{record}' });
  const queuedBytes = meter.createObservableGauge('otel_audit.spool.queued_bytes', { description: 'Bytes on disk not yet delivered', unit: 'By' });
  const oldestAge = meter.createObservableGauge('otel_audit.spool.oldest_record_age', { description: 'Age of the oldest undelivered record', unit: 's' });
  const disabled = meter.createObservableGauge('otel_audit.target.disabled', { description: '1 while the delivery target is auto-disabled after repeated failures', unit: '1' });
  const callback: BatchObservableCallback = (result) => {
    result.observe(queuedRecords, source.queuedRecords(), attributes);
    result.observe(queuedBytes, source.queuedBytes(), attributes);
    result.observe(oldestAge, source.oldestRecordAgeSeconds(), attributes);
    const state = source.targetDisabled();
    if (state !== undefined) result.observe(disabled, state, attributes);
  };
  const observables = [queuedRecords, queuedBytes, oldestAge, disabled];
  meter.addBatchObservableCallback(callback, observables);
  return {
    exported: meter.createCounter('otel_audit.spool.exported_records', { description: 'Records delivered and acknowledged', unit: '{record}' }),
    retries: meter.createCounter('otel_audit.spool.export_retries', { description: 'Export attempts that repeat a failed batch', unit: '{attempt}' }),
    failures: meter.createCounter('otel_audit.spool.export_failures', { description: 'Failed export attempts', unit: '{attempt}' }),
    dropped: meter.createCounter('otel_audit.spool.dropped_records', { description: "Records dropped by onFull 'drop-oldest' or because they could not be decoded", unit: '{record}' }),
    rejected: meter.createCounter('otel_audit.spool.rejected_records', { description: "Records refused by onFull 'reject' or because the append failed (disk full: error.type ENOSPC)", unit: '{record}' }),
    deadLettered: meter.createCounter('otel_audit.spool.dead_lettered_records', { description: 'Records the destination refused as malformed or too large (HTTP 400, 413), set aside in dead-letter.jsonl so later records flow', unit: '{record}' }),
    quarantinedBytes: meter.createCounter('otel_audit.spool.quarantined_bytes', { description: 'Damaged spool bytes skipped and copied to quarantine/ (the intact records around them are delivered)', unit: 'By' }),
    close: () => meter.removeBatchObservableCallback(callback, observables),
  };
}
