// Makes export failures visible without a diag setup: an audit pipeline whose
// collector is down must not fail silently. Wraps the exporter, counts
// exported and failed records through the OpenTelemetry metrics API, calls
// the user's onExportError, and by default writes one line to stderr when a
// failure streak starts and one when it ends.
import { metrics, type MeterProvider } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';

export const EMIT_METER_NAME = 'otel-audit.emit';

export interface ExportObserverOptions {
  /** Called for every failed export with the error and how many records it carried. */
  onExportError?: (error: Error, records: number) => void;
  /** One stderr line per failure streak (and one when it recovers). Default true. */
  warnOnExportError?: boolean;
  /** Where the counters go; default the global meter provider (a no-op until one is registered). */
  meterProvider?: MeterProvider;
  /** Where the warning lines go; default process.stderr. */
  warn?: (line: string) => void;
}

export function observeExporter(exporter: LogRecordExporter, options: ExportObserverOptions): LogRecordExporter {
  const meter = (options.meterProvider ?? metrics).getMeter(EMIT_METER_NAME);
  const exported = meter.createCounter('otel_audit.emit.exported', { description: 'audit records the exporter delivered', unit: '{record}' });
  const failed = meter.createCounter('otel_audit.emit.export_failures', { description: 'audit records in exports that failed', unit: '{record}' });
  const warn = options.warnOnExportError === false ? undefined : (options.warn ?? ((line: string) => process.stderr.write(`${line}\n`)));
  let streak = 0;
  return {
    export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
      exporter.export(records, (result) => {
        if (result.code === ExportResultCode.SUCCESS) {
          exported.add(records.length);
          if (streak > 0) warn?.(`otel-audit: audit export recovered after ${streak} failed export${streak === 1 ? '' : 's'}`);
          streak = 0;
        } else {
          const error = result.error ?? new Error('export failed');
          failed.add(records.length, { 'error.type': error.name });
          if (streak === 0) warn?.(`otel-audit: audit export failed, ${records.length} records not delivered: ${error.message} (further failures are counted in otel_audit.emit.export_failures until it recovers)`);
          streak++;
          try {
            options.onExportError?.(error, records.length);
          } catch {
            // A throwing callback must not break the export pipeline.
          }
        }
        resultCallback(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
