// Two log record processors for a LoggerProvider (or NodeSDK):
// - AuditLogRecordProcessor goes first among the provider's processors. For
//   records of the catalog it validates, enriches and redacts by mutating the
//   record in onEmit, so the processors after it (batching, exporting) only
//   ever see the mapped, redacted record; an invalid record is marked or thrown.
// - DroppingAuditLogRecordProcessor wraps the processors after it instead (as
//   the SDK's filtering processors wrap their delegate), so it can drop an
//   invalid record: the SDK gives a processor no way to remove a record from
//   the processors registered beside it.
import { diag, type AnyValue, type Context } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { Catalog, CatalogEvent } from '../event/catalog.js';
import { contract, contractField } from '../event/contract.js';
import { OtelAuditError } from '../errors.js';
import { AuditValidationError } from '../event/errors.js';
import type { AuditEvent } from '../event/event.js';
import { updateSdkAttributeCount } from './attribute-handoff.js';
import { redactAttribute, redactValue } from './redact.js';
import { DEFAULT_LIMITS, isMappedBody, mapEvent, unreadableEvent, type MappingLimits } from './to-log-record.js';

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

/** The body of a marked record whose own body could not be read (never empty: Splunk drops records with an empty body). */
const UNREADABLE_BODY = 'otel-audit: the body could not be read; see audit.invalid';

/** The attributes of the integrity stamp (integrity.ts), which only createAuditLogger sets. */
const INTEGRITY_PREFIX = 'audit.integrity.';

let owned: ReadonlySet<string> | undefined;

/** The attribute keys the emitter sets from the body and the catalog (contract.json) and its mark. */
function ownedAttributes(): ReadonlySet<string> {
  owned ??= new Set([...contract().fields.flatMap((row) => (row.attribute ? [row.attribute, ...(row.alsoAttributes ?? [])] : [])), contract().sensitive.emitterMark.attribute, INVALID_ATTRIBUTE]);
  return owned;
}

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
    // Built by otel-audit and unchanged since (already validated, mapped and redacted), or not the catalog's: passed as is.
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
    const name = record.eventName;
    // The body is the event: anything else would be replaced by the mapped body, and lost.
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body) || body instanceof Uint8Array)) {
      throw new AuditValidationError(String(name), 'body', 'must be a map (the canonical event)');
    }
    let event: AuditEvent;
    try {
      event = { ...(body as Record<string, unknown> | undefined) } as unknown as AuditEvent; // each field read once
    } catch (error) {
      throw unreadableEvent(name, body, error);
    }
    if (name !== undefined) {
      if (event.name !== undefined && event.name !== name) throw new AuditValidationError(String(name), 'name', `is ${JSON.stringify(event.name)} in the body but the record's eventName is ${JSON.stringify(name)}`);
      event.name = name;
    }
    if (event.time === undefined) event.time = new Date(record.hrTime[0] * 1000 + record.hrTime[1] / 1e6);
    // What the emitter derives from the body is the body's, not the caller's: a forged one must not survive.
    this.removeOwnedAttributes(record);
    const limit = this.limits.attributeCountLimit ?? DEFAULT_LIMITS.attributeCountLimit;
    const mapped = mapEvent(event.name, event, this.catalog, { ...this.limits, attributeCountLimit: limit - Object.keys(record.attributes).length });
    this.redactForeignAttributes(record);
    record.setEventName(mapped.eventName);
    record.hrTime = mapped.timestamp;
    record.setSeverityNumber(mapped.severityNumber);
    record.setSeverityText(mapped.severityText);
    record.setBody(mapped.body);
    record.setAttributes(mapped.attributes);
  }

  /**
   * Removes the attributes the emitter derives (the contract's, its mark,
   * audit.invalid, audit.integrity.*): set by the caller, they could claim a
   * value the body does not hold (user.id, audit.outcome), a place in a hash
   * chain, or a verdict. `audit.data.*` keys set by hand stay (redacted); the
   * mapped data overwrites those it produces.
   */
  private removeOwnedAttributes(record: ReadWriteLogRecord): void {
    const attributes = record.attributes as Record<string, unknown>;
    let removed = 0;
    for (const key of Object.keys(attributes)) {
      if (!key.startsWith(INTEGRITY_PREFIX) && !ownedAttributes().has(key)) continue;
      delete attributes[key];
      removed++;
    }
    // The SDK counts attributes against its limit.
    if (removed > 0) updateSdkAttributeCount(record, (count) => count - removed);
  }

  /**
   * Attributes the caller set by hand: a key whose last segment is a sensitive
   * name (audit.data.password, db.password) is masked, and so are key names
   * inside complex values, as the collector would, and secrets inside string
   * values (the contract's value patterns); the record then carries the
   * emitter's mark and the collector skips it.
   */
  private redactForeignAttributes(record: ReadWriteLogRecord): void {
    const sensitivePaths = this.catalogEvent(record)?.sensitivePaths;
    for (const [key, value] of Object.entries(record.attributes)) {
      const redacted = redactAttribute(key, value, sensitivePaths);
      if (redacted !== value) record.setAttribute(key, redacted);
    }
  }

  /** The catalog event a record names (eventName, else the body's name), if any. */
  private catalogEvent(record: ReadWriteLogRecord): CatalogEvent | undefined {
    let name: unknown = record.eventName;
    if (name === undefined) {
      try {
        name = (record.body as { name?: unknown } | undefined)?.name;
      } catch {
        return undefined; // a getter that throws: only the name rule applies
      }
    }
    return typeof name === 'string' ? this.catalog.events.get(name) : undefined;
  }

  /** Counts and reports an invalid record; true when it goes on (marked). */
  private invalid(record: ReadWriteLogRecord, error: Error): boolean {
    this.invalidCount++;
    diag.warn(`otel-audit: invalid audit record (${this.policy}): ${error.message}`);
    this.onInvalidRecord?.(error);
    if (this.policy === 'throw') throw error;
    if (this.policy === 'drop') return false;
    // mark: still nothing sensitive may leave the process, nor a forged verdict
    this.removeOwnedAttributes(record);
    this.redactForeignAttributes(record);
    let body: AnyValue;
    try {
      // The catalog's sensitive data paths too, as mapping would have replaced them.
      const sensitivePaths = this.catalogEvent(record)?.sensitivePaths;
      const bodyPaths = sensitivePaths?.size ? new Set([...sensitivePaths].map((path) => `data.${path}`)) : undefined;
      body = redactValue(record.body, undefined, this.limits.maxRecordBytes, bodyPaths);
    } catch {
      body = UNREADABLE_BODY; // a getter or a proxy trap threw: nothing of it can be sent
    }
    record.setBody(body);
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
