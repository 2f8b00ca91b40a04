// createAuditLogger's way to give a record its attributes. mapEvent has
// already checked and built every attribute (valid keys and values, fresh
// arrays, the count within the provider's limit), so the SDK's per-attribute
// checks in the LogRecord constructor (Object.entries, a WeakSet per value,
// a copy of every array) would only repeat them; they were the largest single
// cost of an emit. emit() passes the record to the SDK without attributes and
// this processor, the provider's first, writes them into the SDK's record.
// Anything unexpected takes the SDK's own setAttributes instead.
import type { AnyValue, Logger } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { setHandover, type AuditLogRecord } from './to-log-record.js';

export class AttributeHandoff implements LogRecordProcessor {
  private pendingBody: unknown;
  private pendingAttributes: Record<string, AnyValue> | undefined;

  /** `countLimit`: the provider's logRecordLimits.attributeCountLimit (its value length limit must be the default, none). */
  constructor(private readonly countLimit: number) {}

  /** Emits `record` through `logger` (whose provider has this processor first), its attributes handed over directly. */
  emit(logger: Logger, record: AuditLogRecord): void {
    this.pendingBody = record.body;
    this.pendingAttributes = record.attributes;
    setHandover(record.body); // the audit processor passes this body as is (mapEvent has checked it)
    try {
      logger.emit({ eventName: record.eventName, timestamp: record.timestamp, severityNumber: record.severityNumber, severityText: record.severityText, body: record.body });
    } finally {
      // A disabled or shut-down logger never calls onEmit: nothing may be left for the next record.
      this.pendingBody = undefined;
      this.pendingAttributes = undefined;
      setHandover(undefined);
    }
  }

  onEmit(record: ReadWriteLogRecord): void {
    const attributes = this.pendingAttributes;
    if (attributes === undefined || record.body !== this.pendingBody) return;
    this.pendingBody = undefined;
    this.pendingAttributes = undefined;
    const target = record.attributes as Record<string, AnyValue>;
    // Own keys only, as the SDK takes them: a polluted Object.prototype must not add attributes.
    const keys = Object.keys(attributes);
    let count = 0;
    for (let i = 0; i < keys.length; i++) if (attributes[keys[i]!] !== undefined) count++;
    // Only onto an empty record, within the count limit: else the SDK decides what to keep and warns.
    if (count > this.countLimit || Object.keys(target).length !== 0) {
      record.setAttributes(attributes);
      return;
    }
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const value = attributes[key];
      if (value === undefined) continue;
      if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
      else target[key] = value;
    }
    // The SDK counts attributes for processors that add more later.
    updateSdkAttributeCount(record, () => count);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Updates the count of attributes the SDK keeps on a record (a private field: it
 * holds the count against attributeCountLimit) after attributes were written or
 * removed without setAttributes. A record without the field is left alone.
 */
export function updateSdkAttributeCount(record: ReadWriteLogRecord, update: (count: number) => number): void {
  const counted = record as unknown as { _attributesCount?: unknown };
  if (typeof counted._attributesCount === 'number') counted._attributesCount = update(counted._attributesCount);
}
