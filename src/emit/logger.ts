// createAuditLogger: everything a service without NodeSDK needs to emit audit
// events over OTLP/HTTP: a LoggerProvider whose processors are the audit
// processor then the exporting one, and a typed, synchronous emit().
import { diag, type Logger } from '@opentelemetry/api';
import { OTLPLogExporter as OTLPHttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPHttpProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type BatchLogRecordProcessorOptions, type LogRecordExporter, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { Catalog, EventData, EventName } from '../event/catalog.js';
import { contractField } from '../event/contract.js';
import { AuditValidationError } from '../event/errors.js';
import type { AuditEventFields } from '../event/event.js';
import { createDurableLogRecordProcessor, emitDurably, type DurableLogRecordProcessor, type DurableProcessorOptions } from '../delivery/index.js';
import { AuditLogRecordProcessor } from './processor.js';
import { DEFAULT_LIMITS, mapEvent, type MappingLimits } from './to-log-record.js';
import { OtelAuditError } from '../errors.js';

/** BatchLogRecordProcessor options without the exporter. */
export type BatchOptions = Omit<BatchLogRecordProcessorOptions, 'exporter'>;

export type OtlpProtocol = 'http/json' | 'http/protobuf';

/**
 * What emit() does with an event that does not match the catalog:
 * - `throw` (default): throws AuditValidationError (event, field path, reason);
 * - `drop`: counts it in `invalidCount`, reports it to `onInvalidEvent` and diag, returns undefined.
 * Use `drop` in production when a bad event must never break a request.
 */
export type InvalidEventPolicy = 'throw' | 'drop';

export interface AuditLoggerOptions<C extends Catalog> {
  catalog: C;
  /** The collector's OTLP/HTTP endpoint: a base (http://localhost:4318) or the full logs URL (…/v1/logs). Default http://localhost:4318. */
  endpoint?: string;
  /** Default http/protobuf. */
  protocol?: OtlpProtocol;
  /** Sent with every export, e.g. an authorization header. */
  headers?: Record<string, string>;
  /** How long one export (with its retries) may take, in ms. Default 10000 (the OTLP exporter's). */
  timeoutMillis?: number;
  /** service.name of the resource, unless `resource` is given. */
  serviceName?: string;
  resource?: Resource;
  onInvalid?: InvalidEventPolicy;
  onInvalidEvent?: (error: AuditValidationError) => void;
  /** BatchLogRecordProcessor options (queue size, delay, batch size, export timeout). */
  batch?: BatchOptions;
  limits?: MappingLimits;
  /** Use this exporter instead of OTLP/HTTP (tests, benchmarks, other transports). */
  exporter?: LogRecordExporter;
  /**
   * Durable delivery (docs/delivery.md): every record is appended to an on-disk
   * spool before emit() returns and is sent until the destination accepts it.
   * Replaces the in-memory batch processor, which drops records when full.
   */
  durable?: Omit<DurableProcessorOptions, 'exporter'>;
}

/** What emit() accepts for event `N`: the canonical fields plus data typed by the catalog. */
export type EmitInput<C extends Catalog, N extends string> = AuditEventFields &
  // data may be left out only when its schema requires nothing
  (Partial<EventData<C, N>> extends EventData<C, N> ? { data?: EventData<C, N> } : { data: EventData<C, N> });

export interface AuditLogger<C extends Catalog> {
  /**
   * Validates, maps and queues one event; returns its id. Never waits for the
   * network and never throws because of it. With `durable`, it can throw
   * SpoolFullError (onFull 'reject') or SpoolWriteError (the disk failed).
   */
  emit<N extends EventName<C>>(name: N, event: EmitInput<C, N>): string | undefined;
  /**
   * Like emit(), and resolves once the record is on disk (fsynced); needs
   * `durable`. Under onFull 'block' it first waits until the spool has room.
   */
  emitDurable<N extends EventName<C>>(name: N, event: EmitInput<C, N>): Promise<string | undefined>;
  /** The durable spool (pause, resume, stats, recovery) when `durable` is set. */
  readonly durable: DurableLogRecordProcessor | undefined;
  /** Events emit() dropped under `onInvalid: 'drop'`. */
  readonly invalidCount: number;
  /** Exports everything queued so far. */
  flush(): Promise<void>;
  /** Flushes, then stops; emit() after shutdown is ignored. */
  shutdown(): Promise<void>;
  readonly provider: LoggerProvider;
}

export interface ExportProcessorOptions {
  batch?: BatchOptions;
  durable?: Omit<DurableProcessorOptions, 'exporter'>;
}

/** The processor that queues and exports records: the durable spool when asked for, else the SDK's batch processor. */
export function makeExportProcessor(exporter: LogRecordExporter, options: ExportProcessorOptions = {}): LogRecordProcessor {
  if (options.durable) return createDurableLogRecordProcessor({ ...options.durable, exporter });
  return new BatchLogRecordProcessor({ ...options.batch, exporter });
}

/** The OTLP/HTTP logs exporter for the chosen encoding. */
export function makeOtlpExporter(endpoint = 'http://localhost:4318', protocol: OtlpProtocol = 'http/protobuf', headers: Record<string, string> = {}, timeoutMillis?: number): LogRecordExporter {
  const url = /\/v1\/logs\/?$/.test(endpoint) ? endpoint : `${endpoint.replace(/\/+$/, '')}/v1/logs`;
  const config = { url, headers, ...(timeoutMillis === undefined ? {} : { timeoutMillis }) };
  return protocol === 'http/json' ? new OTLPHttpJsonExporter(config) : new OTLPHttpProtoExporter(config);
}

export function createAuditLogger<C extends Catalog>(options: AuditLoggerOptions<C>): AuditLogger<C> {
  const { catalog } = options;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const exporter = options.exporter ?? makeOtlpExporter(options.endpoint, options.protocol, options.headers, options.timeoutMillis);
  const resource = options.resource ?? defaultResource().merge(resourceFromAttributes(options.serviceName ? { 'service.name': options.serviceName } : {}));
  const exportProcessor = makeExportProcessor(exporter, { batch: options.batch, durable: options.durable });
  const durable = options.durable ? (exportProcessor as DurableLogRecordProcessor) : undefined;
  const provider = new LoggerProvider({
    resource,
    logRecordLimits: { attributeCountLimit: limits.attributeCountLimit },
    processors: [new AuditLogRecordProcessor({ catalog, onInvalid: 'throw', limits }), exportProcessor],
  });
  const logger: Logger = provider.getLogger('otel-audit', undefined, { attributes: { [contractField('domain').attribute!]: catalog.domain } });
  const policy = options.onInvalid ?? 'throw';
  let invalidCount = 0;

  const audit: AuditLogger<C> = {
    emit(name, event) {
      let record;
      try {
        record = mapEvent(name, event, catalog, limits);
      } catch (error) {
        if (policy === 'throw' || !(error instanceof AuditValidationError)) throw error;
        invalidCount++;
        diag.warn(`otel-audit: dropped an invalid audit event: ${error.message}`);
        options.onInvalidEvent?.(error);
        return undefined;
      }
      logger.emit(record);
      return record.body.id;
    },
    get invalidCount() {
      return invalidCount;
    },
    async emitDurable(name, event) {
      if (!durable) throw new OtelAuditError('OPTION_INVALID', 'emitDurable needs createAuditLogger({ durable: { directory } })');
      let id: string | undefined;
      await emitDurably(durable, () => {
        id = audit.emit(name, event);
      });
      return id;
    },
    durable,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
    provider,
  };
  return audit;
}
