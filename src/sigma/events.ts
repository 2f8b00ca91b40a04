// The events the engine matches: canonical audit events, OTLP log records and
// the collector file exporter's OTLP JSON lines. Rules name OTLP attributes
// (schemas/contract.json); for canonical events each name is resolved through
// the contract once, when a rule is compiled, into a getter.
import { parseAllDocuments } from 'yaml';
import { decodeKeyValues, decodeOtlpJsonLines, type DecodedLogRecord } from '../event/otlp-json.js';
import { contract } from '../event/contract.js';
import type { CanonicalEvent } from '../event/event.js';
import { InputError } from '../errors.js';

/**
 * A canonical audit event as the engine reads it from a file or a test case:
 * only `name` is required and values are not checked (a CanonicalEvent as
 * emitted has every field filled), plus the catalog `domain` when the file
 * carries it.
 */
export interface PartialCanonicalEvent {
  id?: string;
  name: string;
  domain?: string;
  /** RFC 3339 text, epoch milliseconds, or a Date (as AuditEvent allows). */
  time?: string | number | Date;
  data?: Record<string, unknown>;
  [field: string]: unknown;
}


/** Walks `path` into `value`; a key may itself hold dots (`data['a.b']`), so longer keys are tried too. */
function walk(value: unknown, segments: readonly string[], from: number): unknown {
  if (from === segments.length) return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const direct = record[segments[from]!];
  if (direct !== undefined) {
    const found = walk(direct, segments, from + 1);
    if (found !== undefined) return found;
  }
  for (let end = segments.length; end > from + 1; end--) {
    const key = segments.slice(from, end).join('.');
    if (key in record) {
      const found = walk(record[key], segments, end);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export type CanonicalGetter = (event: PartialCanonicalEvent, domain: string | undefined) => unknown;

/** The getter that reads the contract attribute `attribute` from a canonical event. */
export function canonicalGetter(attribute: string): CanonicalGetter {
  for (const entry of contract().fields) {
    if (entry.attribute === attribute || entry.alsoAttributes?.includes(attribute)) {
      if (entry.field === 'domain') return (event, domain) => event.domain ?? domain;
      const segments = entry.field.split('.');
      if (segments.length === 1) return (event) => (event as Record<string, unknown>)[entry.field];
      return (event) => walk(event, segments, 0);
    }
    if (entry.attributePrefix && attribute.startsWith(entry.attributePrefix)) {
      const segments = [entry.field, ...attribute.slice(entry.attributePrefix.length).split('.')];
      return (event) => walk(event, segments, 0);
    }
  }
  // Not a contract attribute: read it as a path into the event itself.
  const segments = attribute.split('.');
  return (event) => walk(event, segments, 0);
}

/** A field a rule names, compiled once: the attribute name and its canonical getter. */
export interface CompiledField {
  name: string;
  canonical: CanonicalGetter;
}

export function compileField(name: string): CompiledField {
  return { name, canonical: canonicalGetter(name) };
}

/** What a matcher sees of one event, whatever its input form. */
export interface EventView {
  value(field: CompiledField): unknown;
  /** Every scalar value of the event, for keyword (field-less) searches. */
  allValues(): unknown[];
  /** Milliseconds since the epoch, if the event has a time. */
  readonly time: number | undefined;
  readonly id: string | undefined;
}

function scalars(value: unknown, out: unknown[]): unknown[] {
  if (Array.isArray(value)) for (const item of value) scalars(item, out);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) scalars(item, out);
  else if (value !== undefined && value !== null) out.push(value);
  return out;
}

function toMillis(time: unknown): number | undefined {
  if (typeof time === 'number') return time;
  if (time instanceof Date) return time.getTime();
  if (typeof time === 'string' && time !== '') {
    if (/^\d+$/.test(time)) return time.length > 15 ? Number(BigInt(time) / 1_000_000n) : Number(time);
    const parsed = Date.parse(time);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

export class CanonicalView implements EventView {
  readonly time: number | undefined;
  readonly id: string | undefined;
  constructor(
    readonly event: PartialCanonicalEvent,
    private readonly domain?: string,
  ) {
    this.time = toMillis(event.time);
    this.id = typeof event.id === 'string' ? event.id : undefined;
  }
  value(field: CompiledField): unknown {
    return field.canonical(this.event, this.domain);
  }
  allValues(): unknown[] {
    return scalars(this.event, []);
  }
}

export class AttributeView implements EventView {
  readonly id: string | undefined;
  constructor(
    readonly attributes: Record<string, unknown>,
    readonly time: number | undefined,
    id?: string,
  ) {
    const uid = attributes['log.record.uid'];
    this.id = id ?? (typeof uid === 'string' ? uid : undefined);
  }
  value(field: CompiledField): unknown {
    return this.attributes[field.name];
  }
  allValues(): unknown[] {
    return scalars(this.attributes, []);
  }
}

export function viewOfLogRecord(record: DecodedLogRecord): AttributeView {
  return new AttributeView(record.attributes, toMillis(record.timeUnixNano ?? record.observedTimeUnixNano));
}

export function viewOfCanonical(event: PartialCanonicalEvent | CanonicalEvent, domain?: string): CanonicalView {
  return new CanonicalView(event as PartialCanonicalEvent, domain);
}

/** An object is an OTLP log record when it has `attributes`: decoded values, or OTLP KeyValues. */
function viewOfObject(value: Record<string, unknown>, domain: string | undefined): EventView {
  if (!('attributes' in value)) return new CanonicalView(value as PartialCanonicalEvent, domain);
  const raw = value.attributes;
  const attributes = Array.isArray(raw) ? decodeKeyValues(raw as never) : (raw as Record<string, unknown>);
  const time = (value.timeUnixNano ?? value.observedTimeUnixNano ?? value.time) as string | number | undefined;
  return new AttributeView(attributes ?? {}, toMillis(time));
}

/**
 * Reads events from a file's text: OTLP JSON lines (the collector `file`
 * exporter), a JSON array, JSON lines, or YAML documents/lists of canonical
 * events or OTLP log records.
 */
export function readEventViews(text: string, source: string, domain?: string): EventView[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') && /"resourceLogs"/.test(trimmed.slice(0, 2000))) {
    return decodeOtlpJsonLines(text, source).map(viewOfLogRecord);
  }
  const items: unknown[] = [];
  if (trimmed.startsWith('[')) {
    items.push(...(JSON.parse(text) as unknown[]));
  } else if (trimmed.startsWith('{')) {
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        items.push(JSON.parse(line));
      } catch (error) {
        throw new InputError(`${source}:${index + 1}: not a JSON event (${(error as Error).message})`, { file: source, line: index + 1 }, { cause: error });
      }
    });
  } else {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors[0]) throw new InputError(`${source}: YAML error: ${doc.errors[0].message}`, { file: source, line: doc.errors[0].linePos?.[0].line, column: doc.errors[0].linePos?.[0].col });
      const value: unknown = doc.toJS();
      if (Array.isArray(value)) items.push(...(value as unknown[]));
      else if (value !== null && value !== undefined) items.push(value);
    }
  }
  return items.map((item, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new InputError(`${source}: event ${index} is not an object`, { file: source, path: `[${index}]` });
    return viewOfObject(item as Record<string, unknown>, domain);
  });
}

function flattenInto(prefix: string, value: unknown, out: Record<string, unknown>): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flattenInto(`${prefix}.${key}`, inner, out);
  } else if (value !== undefined) {
    out[prefix] = value;
  }
}

/**
 * The OTLP attributes of a canonical event per the contract, with data
 * flattened (`audit.data.x.y`). For comparisons and benchmarks; the emitter
 * (src/emit) is the reference mapping.
 */
export function canonicalToAttributes(event: PartialCanonicalEvent, domain?: string): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const entry of contract().fields) {
    if (entry.attributePrefix) {
      const value = (event as Record<string, unknown>)[entry.field];
      if (typeof value === 'object' && value !== null) for (const [key, inner] of Object.entries(value)) flattenInto(entry.attributePrefix + key, inner, attributes);
      continue;
    }
    if (!entry.attribute) continue;
    const value = entry.field === 'domain' ? (event.domain ?? domain) : walk(event, entry.field.split('.'), 0);
    if (value === undefined) continue;
    attributes[entry.attribute] = value;
    for (const alias of entry.alsoAttributes ?? []) attributes[alias] = value;
  }
  return attributes;
}
