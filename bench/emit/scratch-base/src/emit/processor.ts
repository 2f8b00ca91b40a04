// Two log record processors for a LoggerProvider (or NodeSDK):
// - AuditLogRecordProcessor goes first among the provider's processors. For
//   records of the catalog it validates, enriches and redacts by mutating the
//   record in onEmit, so the processors after it (batching, exporting) only
//   ever see the mapped, redacted record; an invalid record is marked or thrown.
// - DroppingAuditLogRecordProcessor wraps the processors after it instead (as
//   the SDK's filtering processors wrap their delegate), so it can drop an
//   invalid record: the SDK gives a processor no way to remove a record from
//   the processors registered beside it.
import { diag, type Context } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { Catalog } from '../event/catalog.js';
import { contract, contractField } from '../event/contract.js';
import { OtelAuditError } from '../errors.js';
import { AuditValidationError } from '../event/errors.js';
import type { AuditEvent } from '../event/event.js';
import { redactAttribute, redactValue } from './redact.js';
import { DEFAULT_LIMITS, isMappedBody, toLogRecord, type MappingLimits } from './to-log-record.js';

/**
 * What AuditLogRecordProcessor does with a record of the catalog that fails validation:
 * - `mark` (default): it goes on, redacted by key name, with the attribute
 *   `audit.invalid` holding the reason, so the collector or SIEM can quarantine it;
 * - `throw`: the error propagates out of `logger.emit()` and the processors
 *   after this one never see the record (development and tests).
 * To drop invalid records, use DroppingAuditLogRecordProcessor.
 */
export type InvalidRecordPolicy = 'mark' | 'throw';

export interface AuditLogRecordProcessorOptions {
  catalog: Catalog;
  onInvalid?: InvalidRecordPolicy;
  /** Called for every invalid record (after counting), e.g. to feed a metric. */
  onInvalidRecord?: (error: Error) => void;
  limits?: MappingLimits;
}

export interface DroppingAuditLogRecordProcessorOptions {
  catalog: Catalog;
  /**
   * The processors after this one (batching, exporting), owned by it: every
   * valid record is passed on to them, and flush and shutdown reach them.
   * Register only the dropping processor with the LoggerProvider.
   */
  processors: LogRecordProcessor[];
  /** Called for every dropped record (after counting), e.g. to feed a metric. */
  onInvalidRecord?: (error: Error) => void;
  limits?: MappingLimits;
}

export const INVALID_ATTRIBUTE = 'audit.invalid';

type Policy = InvalidRecordPolicy | 'drop';

export class AuditLogRecordProcessor implements LogRecordProcessor {
  /** Records of the catalog that failed validation. */
  invalidCount = 0;
  private readonly catalog: Catalog;
  private readonly policy: Policy;
  private readonly onInvalidRecord: ((error: Error) => void) | undefined;
  private readonly limits: MappingLimits;
  /** Only the dropping subclass passes records on. */
  protected readonly next: LogRecordProcessor[];
  private readonly domainAttribute = contractField('domain').attribute!;

  constructor(options: AuditLogRecordProcessorOptions) {
    const policy = (options as { onInvalid?: string }).onInvalid ?? 'mark';
    if (policy !== 'mark' && policy !== 'throw' && !(this instanceof DroppingAuditLogRecordProcessor)) {
      throw new OtelAuditError('OPTION_INVALID', `AuditLogRecordProcessor: onInvalid must be 'mark' or 'throw' (got ${JSON.stringify(policy)}); to drop invalid records, wrap the processors after it in a DroppingAuditLogRecordProcessor`);
    }
    this.catalog = options.catalog;
    this.policy = policy as Policy;
    this.onInvalidRecord = options.onInvalidRecord;
    this.limits = options.limits ?? {};
    this.next = [];
  }

  /** A record is the catalog's when its eventName is a catalog event or its event.domain attribute is the catalog's domain. */
  isAuditRecord(record: ReadWriteLogRecord): boolean {
    return (record.eventName !== undefined && this.catalog.events.has(record.eventName)) || record.attributes[this.domainAttribute] === this.catalog.domain;
  }

  onEmit(record: ReadWriteLogRecord, context?: Context): void {
    // Built by toLogRecord (already validated, mapped and redacted) or not the catalog's: passed as is.
    if (!isMappedBody(record.body) && this.isAuditRecord(record)) {
      try {
        this.mapInPlace(record);
      } catch (error) {
        if (!this.invalid(record, error as Error)) return;
      }
    }
    for (const processor of this.next) processor.onEmit(record, context);
  }

  /** Reads the canonical event from the record (body map + eventName) and rewrites the record with toLogRecord's output. */
  private mapInPlace(record: ReadWriteLogRecord): void {
    const body = record.body;
    const fromBody = typeof body === 'object' && body !== null && !Array.isArray(body) && !(body instanceof Uint8Array) ? (body as Record<string, unknown>) : {};
    const event = { ...fromBody, name: record.eventName ?? fromBody.name } as AuditEvent;
    if (event.time === undefined) event.time = new Date(record.hrTime[0] * 1000 + record.hrTime[1] / 1e6);
    const limit = this.limits.attributeCountLimit ?? DEFAULT_LIMITS.attributeCountLimit;
    const mapped = toLogRecord(event, this.catalog, { ...this.limits, attributeCountLimit: limit - Object.keys(record.attributes).length });
    this.redactForeignAttributes(record);
    record.setEventName(mapped.eventName);
    record.hrTime = mapped.timestamp;
    record.setSeverityNumber(mapped.severityNumber);
    record.setSeverityText(mapped.severityText);
    record.setBody(mapped.body);
    record.setAttributes(mapped.attributes);
  }

  /**
   * Attributes the caller set by hand: a key whose last segment is a sensitive
   * name (audit.data.password, db.password) is masked, and so are key names
   * inside complex values, as the collector would, and secrets inside string
   * values (the contract's value patterns); the record then carries the
   * emitter's mark and the collector skips it.
   */
  private redactForeignAttributes(record: ReadWriteLogRecord): void {
    for (const [key, value] of Object.entries(record.attributes)) {
      const redacted = redactAttribute(key, value);
      if (redacted !== value) record.setAttribute(key, redacted);
    }
  }

  /** Counts and reports an invalid record; true when it goes on (marked). */
  private invalid(record: ReadWriteLogRecord, error: Error): boolean {
    this.invalidCount++;
    diag.warn(`otel-audit: invalid audit record (${this.policy}): ${error.message}`);
    this.onInvalidRecord?.(error);
    if (this.policy === 'throw') throw error;
    if (this.policy === 'drop') return false;
    // mark: still nothing sensitive may leave the process
    this.redactForeignAttributes(record);
    record.setBody(redactValue(record.body, undefined, this.limits.maxRecordBytes));
    record.setAttribute(this.domainAttribute, this.catalog.domain);
    record.setAttribute(INVALID_ATTRIBUTE, error instanceof AuditValidationError ? `${error.path}: ${error.reason}` : error.message);
    const mark = contract().sensitive.emitterMark;
    record.setAttribute(mark.attribute, mark.value);
    return true;
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.next.map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.next.map((p) => p.shutdown()));
  }
}

/**
 * Validates, maps and redacts like AuditLogRecordProcessor, and owns the
 * processors after it, so an invalid record of the catalog is counted,
 * reported and dropped: they never see it.
 */
export class DroppingAuditLogRecordProcessor extends AuditLogRecordProcessor {
  constructor(options: DroppingAuditLogRecordProcessorOptions) {
    super({ catalog: options.catalog, onInvalidRecord: options.onInvalidRecord, limits: options.limits, onInvalid: 'drop' } as unknown as AuditLogRecordProcessorOptions);
    if (!Array.isArray(options.processors)) throw new OtelAuditError('OPTION_INVALID', 'DroppingAuditLogRecordProcessor: processors must be the array of processors to pass valid records on to');
    this.next.push(...options.processors);
  }
}
