// AuditLogRecordProcessor: put it first in a LoggerProvider's (or NodeSDK's)
// processors. For records of the catalog it validates, enriches and redacts by
// mutating the record in onEmit, so the processors after it (batching,
// exporting) only ever see the mapped, redacted record.
import { diag, type Context } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { Catalog } from '../event/catalog.js';
import { contract, contractField } from '../event/contract.js';
import { AuditValidationError } from '../event/errors.js';
import type { AuditEvent } from '../event/event.js';
import { isSensitiveName, redactValue, redactionReplacement } from './redact.js';
import { DEFAULT_LIMITS, isMappedBody, toLogRecord, type MappingLimits } from './to-log-record.js';

/**
 * What happens to a record of the catalog that fails validation:
 * - `mark` (default): it goes on, redacted by key name, with the attribute
 *   `audit.invalid` holding the reason, so the collector or SIEM can quarantine it;
 * - `throw`: the error propagates out of `logger.emit()` and the processors
 *   after this one never see the record (development and tests).
 * The SDK has no way for a processor to remove a record from the processors
 * after it, so "drop" is offered by createAuditLogger, which validates before emitting.
 */
export type InvalidRecordPolicy = 'mark' | 'throw';

export interface AuditLogRecordProcessorOptions {
  catalog: Catalog;
  onInvalid?: InvalidRecordPolicy;
  /** Called for every invalid record (after counting), e.g. to feed a metric. */
  onInvalidRecord?: (error: Error) => void;
  limits?: MappingLimits;
}

export const INVALID_ATTRIBUTE = 'audit.invalid';

export class AuditLogRecordProcessor implements LogRecordProcessor {
  /** Records of the catalog that failed validation. */
  invalidCount = 0;
  private readonly catalog: Catalog;
  private readonly policy: InvalidRecordPolicy;
  private readonly onInvalidRecord: ((error: Error) => void) | undefined;
  private readonly limits: MappingLimits;
  private readonly domainAttribute = contractField('domain').attribute!;

  constructor(options: AuditLogRecordProcessorOptions) {
    this.catalog = options.catalog;
    this.policy = options.onInvalid ?? 'mark';
    this.onInvalidRecord = options.onInvalidRecord;
    this.limits = options.limits ?? {};
  }

  /** A record is the catalog's when its eventName is a catalog event or its event.domain attribute is the catalog's domain. */
  isAuditRecord(record: ReadWriteLogRecord): boolean {
    return (record.eventName !== undefined && this.catalog.events.has(record.eventName)) || record.attributes[this.domainAttribute] === this.catalog.domain;
  }

  onEmit(record: ReadWriteLogRecord, _context?: Context): void {
    if (isMappedBody(record.body)) return; // built by toLogRecord: already validated, mapped and redacted
    if (!this.isAuditRecord(record)) return;
    try {
      this.mapInPlace(record);
    } catch (error) {
      this.invalid(record, error as Error);
    }
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
   * inside complex values, as the collector would; the record then carries the
   * emitter's mark and the collector skips it.
   */
  private redactForeignAttributes(record: ReadWriteLogRecord): void {
    for (const [key, value] of Object.entries(record.attributes)) {
      if (isSensitiveName(key.slice(key.lastIndexOf('.') + 1))) record.setAttribute(key, redactionReplacement());
      else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) record.setAttribute(key, redactValue(value));
    }
  }

  private invalid(record: ReadWriteLogRecord, error: Error): void {
    this.invalidCount++;
    diag.warn(`otel-audit: invalid audit record (${this.policy}): ${error.message}`);
    this.onInvalidRecord?.(error);
    if (this.policy === 'throw') throw error;
    // mark: still nothing sensitive may leave the process
    this.redactForeignAttributes(record);
    record.setBody(redactValue(record.body));
    record.setAttribute(this.domainAttribute, this.catalog.domain);
    record.setAttribute(INVALID_ATTRIBUTE, error instanceof AuditValidationError ? `${error.path}: ${error.reason}` : error.message);
    const mark = contract().sensitive.emitterMark;
    record.setAttribute(mark.attribute, mark.value);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
