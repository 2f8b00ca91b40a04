// createAuditLogger: everything a service without NodeSDK needs to emit audit
// events over OTLP/HTTP: a LoggerProvider whose processors are the audit
// processor then the exporting one, and a typed, synchronous emit().
import { diag, type Logger, type MeterProvider } from '@opentelemetry/api';
import { OTLPLogExporter as OTLPHttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPHttpProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import type { Resource } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type BatchLogRecordProcessorOptions, type LogRecordExporter, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { Catalog, EventData, EventName } from '../event/catalog.js';
import { contractField } from '../event/contract.js';
import { AuditValidationError } from '../event/errors.js';
import type { AuditEventFields } from '../event/event.js';
import { createDurableLogRecordProcessor, emitDurably, type DurableLogRecordProcessor, type DurableProcessorOptions } from '../delivery/index.js';
import { fieldLimits } from './limits.js';
import { AttributeHandoff } from './attribute-handoff.js';
import { AuditLogRecordProcessor } from './processor.js';
import { DEFAULT_LIMITS, mapEvent, type MappingLimits } from './to-log-record.js';
import { OtelAuditError } from '../errors.js';
import { resolveProtocol, resolveResource, sdkDisabled, type OtlpProtocol } from './export-config.js';
import { observeExporter } from './export-observer.js';
import { createLoggerIntegrity, INTEGRITY_ATTRIBUTES, type IntegrityHandle, type IntegrityOptions } from './integrity.js';

/** BatchLogRecordProcessor options without the exporter. */
export type BatchOptions = Omit<BatchLogRecordProcessorOptions, 'exporter'>;

export type { OtlpProtocol };

/**
 * What emit() does with an event that does not match the catalog:
 * - `throw` (default): throws AuditValidationError (event, field path, reason);
 * - `drop`: counts it in `invalidCount`, reports it to `onInvalidEvent` and diag, returns undefined.
 * Use `drop` in production when a bad event must never break a request.
 */
export type InvalidEventPolicy = 'throw' | 'drop';

export interface AuditLoggerOptions<C extends Catalog> {
  catalog: C;
  /**
   * The collector's OTLP/HTTP endpoint: a base (http://localhost:4318) or the full logs URL (…/v1/logs).
   * Default: OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/logs), else http://localhost:4318.
   */
  endpoint?: string;
  /** Default: OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf. */
  protocol?: OtlpProtocol;
  /** Sent with every export, e.g. an authorization header. Default: OTEL_EXPORTER_OTLP_LOGS_HEADERS / OTEL_EXPORTER_OTLP_HEADERS. */
  headers?: Record<string, string>;
  /** How long one export may take, in ms. Default: OTEL_EXPORTER_OTLP_LOGS_TIMEOUT / OTEL_EXPORTER_OTLP_TIMEOUT, else 10000. */
  timeoutMillis?: number;
  /** service.name of the resource; wins over OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES. Ignored when `resource` is given. */
  serviceName?: string;
  /** The whole resource. Default: the SDK defaults, host, OS and process attributes, OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME. */
  resource?: Resource;
  /** Called for every failed export (collector down, refused) with the error and how many records it carried. */
  onExportError?: (error: Error, records: number) => void;
  /** One line on stderr when exports start failing and one when they recover. Default true. */
  warnOnExportError?: boolean;
  /** Where the otel_audit.emit.* counters go. Default: the global meter provider. */
  meterProvider?: MeterProvider;
  /** Environment to read OTEL_* variables from. Default process.env. */
  env?: NodeJS.ProcessEnv;
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
  /**
   * Tamper evidence (docs/integrity.md): every record joins this logger's hash
   * chain, and signed digests are emitted every `digestEvery` records, every
   * `digestIntervalMillis` and at shutdown, for `otel-audit verify`.
   */
  integrity?: IntegrityOptions;
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
  /** The hash chain (its stream id, a digest now, key rotation) when `integrity` is set. */
  readonly integrity: IntegrityHandle | undefined;
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

/**
 * The OTLP/HTTP logs exporter for the chosen encoding. What is not given here
 * (endpoint, headers, timeout, compression) the exporter reads from the
 * OTEL_EXPORTER_OTLP_* variables itself, as in the SDK.
 */
export function makeOtlpExporter(endpoint: string | undefined, protocol: OtlpProtocol, headers: Record<string, string> | undefined, timeoutMillis?: number): LogRecordExporter {
  const url = endpoint === undefined ? undefined : /\/v1\/logs\/?$/.test(endpoint) ? endpoint : `${endpoint.replace(/\/+$/, '')}/v1/logs`;
  const config = { ...(url === undefined ? {} : { url }), ...(headers === undefined ? {} : { headers }), ...(timeoutMillis === undefined ? {} : { timeoutMillis }) };
  return protocol === 'http/json' ? new OTLPHttpJsonExporter(config) : new OTLPHttpProtoExporter(config);
}

export function createAuditLogger<C extends Catalog>(options: AuditLoggerOptions<C>): AuditLogger<C> {
  const { catalog } = options;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  fieldLimits(limits.maxFieldLength, limits.maxFieldLengths); // a bad limit is an OPTION_INVALID now, not at the first emit
  const env = options.env ?? process.env;
  const resource = options.resource ?? resolveResource(options.serviceName);
  // OTEL_SDK_DISABLED: events are still validated (a bad call still throws), but nothing is exported.
  const disabled = sdkDisabled(env);
  const exporter = disabled ? undefined : observeExporter(options.exporter ?? makeOtlpExporter(options.endpoint, resolveProtocol(options.protocol, env), options.headers, options.timeoutMillis), options);
  const exportProcessor = exporter && makeExportProcessor(exporter, { batch: options.batch, durable: options.durable });
  const durable = options.durable ? (exportProcessor as DurableLogRecordProcessor | undefined) : undefined;
  const handoff = new AttributeHandoff(limits.attributeCountLimit);
  const provider = new LoggerProvider({
    resource,
    logRecordLimits: { attributeCountLimit: limits.attributeCountLimit },
    processors: [handoff, new AuditLogRecordProcessor({ catalog, onInvalid: 'throw', limits }), ...(exportProcessor ? [exportProcessor] : [])],
  });
  const logger: Logger = provider.getLogger('otel-audit', undefined, { attributes: { [contractField('domain').attribute!]: catalog.domain } });
  const policy = options.onInvalid ?? 'throw';
  let invalidCount = 0;
  const integrity = options.integrity ? createLoggerIntegrity(options.integrity, logger, catalog, durable) : undefined;
  // The integrity stamp's attributes count against the limit too: data gets that many fewer.
  const mapLimits = integrity ? { ...limits, attributeCountLimit: limits.attributeCountLimit - Object.keys(INTEGRITY_ATTRIBUTES).length } : limits;

  // Set when shutdown() starts: an event emitted after it would be dropped by the SDK, and with
  // integrity it would follow the closing digest, signed by none.
  let shuttingDown = false;
  const audit: AuditLogger<C> = {
    emit(name, event) {
      if (shuttingDown) throw new OtelAuditError('LOGGER_SHUT_DOWN', `audit event "${String(name)}" was not accepted: the audit logger is shutting down (shutdown() was called)`);
      let record;
      try {
        record = mapEvent(name, event, catalog, mapLimits);
      } catch (error) {
        if (policy === 'throw' || !(error instanceof AuditValidationError)) throw error;
        invalidCount++;
        diag.warn(`otel-audit: dropped an invalid audit event: ${error.message}`);
        options.onInvalidEvent?.(error);
        return undefined;
      }
      integrity?.stamp(record);
      handoff.emit(logger, record);
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
    integrity,
    flush: () => provider.forceFlush(),
    async shutdown() {
      shuttingDown = true;
      await integrity?.close();
      await provider.shutdown();
    },
    provider,
  };
  return audit;
}
