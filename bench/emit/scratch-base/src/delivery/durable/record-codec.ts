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

// Payload layout: "<resource JSON>\n<scope JSON>\n<record JSON>". JSON text never holds a raw
// newline, so the parts split cleanly. Resource and scope are serialized once per object
// and, on decode, their text is the cache key, so neither is re-parsed for every record.
const resourceText = new WeakMap<object, string>();
const scopeText = new WeakMap<object, string>();

function stringify(value: unknown): string {
  return hasBytes(value) ? JSON.stringify(value, replacer) : JSON.stringify(value);
}

function parse(text: string): unknown {
  return text.includes(BYTES_TAG) ? JSON.parse(text, reviver) : JSON.parse(text);
}

export function encodeRecord(record: ReadableLogRecord): Buffer {
  let resource = resourceText.get(record.resource);
  if (resource === undefined) {
    resource = stringify({ a: record.resource.attributes, u: record.resource.schemaUrl });
    // Attributes of a resource still detecting asynchronously may change: cache only settled ones.
    if (!record.resource.asyncAttributesPending) resourceText.set(record.resource, resource);
  }
  const scope = record.instrumentationScope;
  let scopeJson = scopeText.get(scope);
  if (scopeJson === undefined) {
    scopeJson = stringify({ n: scope.name, v: scope.version, u: scope.schemaUrl, a: scope.attributes } satisfies StoredScope);
    scopeText.set(scope, scopeJson);
  }
  const stored: StoredRecord = {
    t: record.hrTime,
    o: record.hrTimeObserved,
    sn: record.severityNumber,
    st: record.severityText,
    b: record.body,
    e: record.eventName,
    a: record.attributes,
    d: record.droppedAttributesCount || undefined,
    c: record.spanContext ? { traceId: record.spanContext.traceId, spanId: record.spanContext.spanId, traceFlags: record.spanContext.traceFlags } : undefined,
  };
  // The replacer costs time on every value; only pay it when bytes are present.
  const body = hasBytes(stored.b) || hasBytes(stored.a) ? JSON.stringify(stored, replacer) : JSON.stringify(stored);
  return Buffer.from(`${resource}\n${scopeJson}\n${body}`);
}

function split(payload: Buffer): [string, string, string] {
  const text = payload.toString('utf8');
  const first = text.indexOf('\n');
  const second = text.indexOf('\n', first + 1);
  if (first < 0 || second < 0) throw new Error('not a spooled record (expected resource, scope and record lines)');
  return [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
}

/**
 * Decodes records. Resource and scope objects are shared between records that
 * have the same ones, because the OTLP serializer groups records by object identity.
 */
export class RecordDecoder {
  private readonly resources = new Map<string, Resource>();
  private readonly scopes = new Map<string, ReadableLogRecord['instrumentationScope']>();

  decode(payload: Buffer): ReadableLogRecord {
    const [resourceJson, scopeJson, recordJson] = split(payload);
    const stored = parse(recordJson) as StoredRecord;
    return {
      hrTime: stored.t,
      hrTimeObserved: stored.o,
      severityNumber: stored.sn,
      severityText: stored.st,
      body: stored.b,
      eventName: stored.e,
      attributes: stored.a ?? {},
      droppedAttributesCount: stored.d ?? 0,
      resource: this.resource(resourceJson),
      instrumentationScope: this.scope(scopeJson),
      spanContext: stored.c,
    };
  }

  private resource(text: string): Resource {
    let resource = this.resources.get(text);
    if (!resource) {
      if (this.resources.size > 1000) this.resources.clear();
      const stored = parse(text) as { a?: Attributes; u?: string };
      resource = resourceFromAttributes(stored.a ?? {}, stored.u ? { schemaUrl: stored.u } : undefined);
      this.resources.set(text, resource);
    }
    return resource;
  }

  private scope(text: string): ReadableLogRecord['instrumentationScope'] {
    let scope = this.scopes.get(text);
    if (!scope) {
      if (this.scopes.size > 1000) this.scopes.clear();
      const stored = parse(text) as StoredScope;
      scope = { name: stored.n, version: stored.v, schemaUrl: stored.u, attributes: stored.a };
      this.scopes.set(text, scope);
    }
    return scope;
  }
}

/** The observed time of a stored record in ms since the epoch. */
export function observedMillis(payload: Buffer): number | undefined {
  try {
    const stored = JSON.parse(split(payload)[2]) as Partial<StoredRecord>;
    const time = stored.o ?? stored.t;
    return time ? time[0] * 1000 + time[1] / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

function isoTime(time: HrTime | undefined): { iso?: string; unixNano?: string } {
  if (!Array.isArray(time) || time.length !== 2) return {};
  const [seconds, nanos] = time;
  const millis = seconds * 1000 + nanos / 1e6;
  return { iso: Number.isFinite(millis) && Math.abs(millis) <= 8.64e15 ? new Date(millis).toISOString() : undefined, unixNano: (BigInt(Math.trunc(seconds)) * 1_000_000_000n + BigInt(Math.trunc(nanos))).toString() };
}

/**
 * A stored record as one JSON-ready object, for files people read (the dead-letter
 * file): every field the spool keeps, times as ISO text and as nanoseconds since
 * the epoch. Bytes values stay tagged `{ "$otel_audit_bytes": "<base64>" }`. A
 * payload that cannot be parsed is given as base64.
 */
export function renderRecord(payload: Buffer): Record<string, unknown> {
  try {
    const [resourceJson, scopeJson, recordJson] = split(payload);
    const stored = JSON.parse(recordJson) as StoredRecord;
    const resource = JSON.parse(resourceJson) as { a?: Attributes; u?: string };
    const scope = JSON.parse(scopeJson) as StoredScope;
    const time = isoTime(stored.t);
    const observed = isoTime(stored.o);
    return {
      time: time.iso,
      timeUnixNano: time.unixNano,
      observedTime: observed.iso,
      observedTimeUnixNano: observed.unixNano,
      severityNumber: stored.sn,
      severityText: stored.st,
      eventName: stored.e,
      body: stored.b,
      attributes: stored.a ?? {},
      droppedAttributesCount: stored.d,
      traceId: stored.c?.traceId,
      spanId: stored.c?.spanId,
      traceFlags: stored.c?.traceFlags,
      resource: { attributes: resource.a ?? {}, schemaUrl: resource.u },
      scope: { name: scope.n, version: scope.v, schemaUrl: scope.u, attributes: scope.a },
    };
  } catch {
    return { payloadBase64: payload.toString('base64') };
  }
}
