// Turns a log record into bytes for the spool and back into a ReadableLogRecord
// that the OTLP exporters accept. Everything the exporters read is kept:
// times, severity, body, event name, attributes, resource, scope, span context.
import type { AnyValue, Attributes, HrTime, SpanContext } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';

interface StoredScope {
  n: string;
  v?: string;
  u?: string;
  a?: Attributes;
}

/** The stored form; short keys because every record on disk carries them. */
interface StoredRecord {
  t: HrTime;
  o: HrTime;
  sn?: number;
  st?: string;
  b?: AnyValue;
  e?: string;
  a: Attributes;
  d?: number;
  r: Attributes;
  ru?: string;
  s: StoredScope;
  c?: SpanContext;
}

// Uint8Array values (AnyValue bytes) do not survive JSON; they are tagged.
const BYTES_TAG = '$otel_audit_bytes';

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { [BYTES_TAG]: Buffer.from(value).toString('base64') };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const tagged = (value as Record<string, unknown>)[BYTES_TAG];
    if (typeof tagged === 'string' && Object.keys(value).length === 1) return new Uint8Array(Buffer.from(tagged, 'base64'));
  }
  return value;
}

function hasBytes(value: unknown, depth = 0): boolean {
  if (value instanceof Uint8Array) return true;
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  for (const item of Array.isArray(value) ? value : Object.values(value)) if (hasBytes(item, depth + 1)) return true;
  return false;
}

export function encodeRecord(record: ReadableLogRecord): Buffer {
  const scope = record.instrumentationScope;
  const stored: StoredRecord = {
    t: record.hrTime,
    o: record.hrTimeObserved,
    sn: record.severityNumber,
    st: record.severityText,
    b: record.body,
    e: record.eventName,
    a: record.attributes,
    d: record.droppedAttributesCount || undefined,
    r: record.resource.attributes,
    ru: record.resource.schemaUrl,
    s: { n: scope.name, v: scope.version, u: scope.schemaUrl, a: scope.attributes },
    c: record.spanContext ? { traceId: record.spanContext.traceId, spanId: record.spanContext.spanId, traceFlags: record.spanContext.traceFlags } : undefined,
  };
  // The replacer costs time on every value; only pay it when bytes are present.
  const needsTagging = hasBytes(stored.b) || hasBytes(stored.a) || hasBytes(stored.r);
  return Buffer.from(needsTagging ? JSON.stringify(stored, replacer) : JSON.stringify(stored));
}

/**
 * Decodes records. Resource and scope objects are shared between records that
 * have the same ones, because the OTLP serializer groups records by object identity.
 */
export class RecordDecoder {
  private readonly resources = new Map<string, Resource>();
  private readonly scopes = new Map<string, ReadableLogRecord['instrumentationScope']>();

  decode(payload: Buffer): ReadableLogRecord {
    const text = payload.toString('utf8');
    const stored = (text.includes(BYTES_TAG) ? JSON.parse(text, reviver) : JSON.parse(text)) as StoredRecord;
    const record: ReadableLogRecord = {
      hrTime: stored.t,
      hrTimeObserved: stored.o,
      severityNumber: stored.sn,
      severityText: stored.st,
      body: stored.b,
      eventName: stored.e,
      attributes: stored.a ?? {},
      droppedAttributesCount: stored.d ?? 0,
      resource: this.resource(stored.r ?? {}, stored.ru),
      instrumentationScope: this.scope(stored.s),
      spanContext: stored.c,
    };
    return record;
  }

  private resource(attributes: Attributes, schemaUrl: string | undefined): Resource {
    const key = JSON.stringify([attributes, schemaUrl ?? null], replacer);
    let resource = this.resources.get(key);
    if (!resource) {
      if (this.resources.size > 1000) this.resources.clear();
      resource = resourceFromAttributes(attributes, schemaUrl ? { schemaUrl } : undefined);
      this.resources.set(key, resource);
    }
    return resource;
  }

  private scope(stored: StoredScope): ReadableLogRecord['instrumentationScope'] {
    const key = JSON.stringify(stored, replacer);
    let scope = this.scopes.get(key);
    if (!scope) {
      if (this.scopes.size > 1000) this.scopes.clear();
      scope = { name: stored.n, version: stored.v, schemaUrl: stored.u, attributes: stored.a };
      this.scopes.set(key, scope);
    }
    return scope;
  }
}

/** The observed time of a stored record in ms since the epoch, without a full decode. */
export function observedMillis(payload: Buffer): number | undefined {
  try {
    const stored = JSON.parse(payload.toString('utf8')) as Partial<StoredRecord>;
    const time = stored.o ?? stored.t;
    return time ? time[0] * 1000 + time[1] / 1e6 : undefined;
  } catch {
    return undefined;
  }
}
