// toLogRecord: a canonical event → an OTLP log record, per schemas/contract.json.
// The attribute names come from the contract rows, not from this file, so a
// renamed attribute changes the output and fails the tests that read the contract.
import type { AnyValue, HrTime, LogRecord } from '@opentelemetry/api';
import type { Catalog, CatalogEvent } from '../event/catalog.js';
import { contract } from '../event/contract.js';
import type { AuditEvent, CanonicalEvent, Severity } from '../event/event.js';
import { AuditValidationError } from '../event/errors.js';
import { uuidv7 } from '../event/uuid.js';
import { checkEvent, checkedTimeMs } from '../event/validate.js';
import { schemaFields } from '../event/schema-fields.js';
import { DATA_PREFIX, compileDataWalker, flattenWalk, type ObjectWalker } from './flatten.js';
import { DEFAULT_FIELD_LENGTHS, DEFAULT_MAX_FIELD_LENGTH, DEFAULT_MAX_RECORD_BYTES, FIXED_RECORD_BYTES, fieldLimits, scanFields, scanned, type LimitedField } from './limits.js';
import { redactText } from './redact.js';
import { OtelAuditError } from '../errors.js';

export interface MappingLimits {
  /** The LoggerProvider's `logRecordLimits.attributeCountLimit` (SDK default 128); data past it goes to `audit.data._overflow`. */
  attributeCountLimit?: number;
  /** Deepest nesting accepted in data (default 32). */
  maxDepth?: number;
  /** Approximate largest data accepted, in bytes (default 65536). */
  maxDataBytes?: number;
  /** Longest string accepted in a canonical field (name, source, actor.*, target.*, organization, …), in characters (default 4096). */
  maxFieldLength?: number;
  /** Per-field limits over maxFieldLength (defaults: id 128, actor.ip 1024, actor.userAgent 1024). */
  maxFieldLengths?: Readonly<Partial<Record<LimitedField, number>>>;
  /** Largest estimated record, attributes and body together, in bytes (default 262144, 256 KiB). */
  maxRecordBytes?: number;
}

export interface MappingOptions extends MappingLimits {
  /** Clock for the default time (Unix ms). */
  now?: () => number;
  /** Id maker for events without an id (default UUIDv7). */
  newId?: () => string;
}

/** A log record as toLogRecord builds it: every field set, attributes a plain object. */
export interface AuditLogRecord extends LogRecord {
  eventName: string;
  /** [seconds, nanoseconds]: a number before 1985 would be read as a performance.now() offset by the SDK. */
  timestamp: HrTime;
  severityNumber: number;
  severityText: string;
  body: CanonicalEvent & Record<string, AnyValue>;
  attributes: Record<string, AnyValue>;
}

export const DEFAULT_LIMITS: Required<MappingLimits> = {
  attributeCountLimit: 128,
  maxDepth: 32,
  maxDataBytes: 65_536,
  maxFieldLength: DEFAULT_MAX_FIELD_LENGTH,
  maxFieldLengths: DEFAULT_FIELD_LENGTHS,
  maxRecordBytes: DEFAULT_MAX_RECORD_BYTES,
};

type AttributeBuilder = (body: CanonicalEvent, catalog: Catalog) => Record<string, AnyValue>;

/** What is compiled once per catalog event: the attribute builder and the data walker (undefined: the generic one). */
interface Compiled {
  attributes: AttributeBuilder;
  data: ObjectWalker | undefined;
}

const compiledEvents = new WeakMap<CatalogEvent, Compiled>();

/** The number of attribute keys the contract can set (data gets the rest of the limit). */
export function contractAttributeCount(): number {
  // + 1 for the emitter's redaction mark
  contractKeys ??= contract().fields.reduce((n, row) => n + (row.attribute ? 1 + (row.alsoAttributes?.length ?? 0) : 0), 1);
  return contractKeys;
}

let contractKeys: number | undefined;

/**
 * Compiles, once per catalog event, a function returning the record's contract
 * attributes: each attribute read from the body (names and paths from
 * contract.json) and stored only when set. One function per event keeps each
 * store site seeing one kind of record. The stores name constant keys, so V8
 * gives every record of an event the same hidden-class path, and the SDK never
 * walks keys that hold nothing (it iterates every key of the record's attributes).
 * With it, the data walker compiled from the event's data schema (flatten.ts).
 */
function compiled(catalogEvent: CatalogEvent): Compiled {
  let entry = compiledEvents.get(catalogEvent);
  if (!entry) {
    // Data attributes the schema declares start as undefined: flattening then
    // writes existing keys, where adding them one by one was its largest cost.
    const declared = schemaFields(catalogEvent.definition.data)
      .filter((field) => !field.path.includes('[]'))
      .map((field) => `${JSON.stringify(DATA_PREFIX + field.path)}: undefined`);
    // Every record says the emitter redacted it, so the collector need not again.
    const mark = contract().sensitive.emitterMark;
    const initial = [`${JSON.stringify(mark.attribute)}: ${JSON.stringify(mark.value)}`, ...declared];
    const lines: string[] = ['"use strict";', `const a = { ${initial.join(', ')} };`, 'let v;'];
    for (const row of contract().fields) {
      if (!row.attribute) continue;
      const source = row.from === 'catalog' ? 'catalog' : 'body';
      const read = source + row.field.split('.').map((key) => `?.[${JSON.stringify(key)}]`).join('');
      const stores = [row.attribute, ...(row.alsoAttributes ?? [])].map((key) => `a[${JSON.stringify(key)}] = v;`).join(' ');
      lines.push(`v = ${read};`, `if (v !== undefined) { ${stores} }`);
    }
    lines.push('return a;');
    // Only JSON-quoted strings from contract.json reach the source text.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const builder = new Function('body', 'catalog', lines.join('\n')) as AttributeBuilder;
    entry = { attributes: builder, data: compileDataWalker(catalogEvent.definition.data, catalogEvent.sensitivePaths) };
    compiledEvents.set(catalogEvent, entry);
  }
  return entry;
}

/** The body toLogRecord builds: a plain map to the SDK and exporters; the class marks it as already mapped. */
class MappedBody {
  constructor(
    readonly id: string,
    readonly name: string,
    readonly time: string,
    readonly severity: Severity,
  ) {}
}

/** The body createAuditLogger is handing to the SDK right now (attribute-handoff.ts sets it around its logger.emit call). */
let inHandover: unknown;

export function setHandover(body: unknown): void {
  inHandover = body;
}

/**
 * True for a body otel-audit built and nobody can have changed since: the one
 * createAuditLogger is emitting now, or a frozen one (toLogRecord's result, a
 * digest). Such records are already validated, mapped and redacted. A mapped
 * body that is neither (its prototype copied onto other data) is mapped again.
 */
export function isMappedBody(body: unknown): boolean {
  return body instanceof MappedBody && (body === inHandover || Object.isFrozen(body));
}

/** Freezes a mapped record's body and attributes, nested objects and arrays included: what the processor passes as is must stay what was checked. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * Maps a canonical event to a log record: eventName, timestamp, severity, the
 * canonical event as the body (id and time filled, data redacted) and the
 * contract's attributes. Throws AuditValidationError when the event does not
 * match the catalog, a field or the record is over its size limit, or its data
 * cannot be mapped (circular, too large, colliding keys). Secrets inside string
 * values are replaced (the contract's value patterns). The record's body and
 * attributes are frozen: AuditLogRecordProcessor passes such a record as is,
 * so a change would skip validation and redaction; map a changed event again.
 */
export function toLogRecord(event: AuditEvent, catalog: Catalog, options: MappingOptions = {}): AuditLogRecord {
  const record = mapEvent(event?.name, event, catalog, options);
  // Frozen, so that the audit processor can pass it as is (a changed copy would skip validation and redaction).
  deepFreeze(record.body);
  deepFreeze(record.attributes);
  return record;
}

/** toLogRecord with the name beside the event, as emit(name, event) receives it (saves copying the event). */
export function mapEvent(name: string, event: Omit<AuditEvent, 'name'>, catalog: Catalog, options: MappingOptions = {}): AuditLogRecord {
  try {
    return mapSnapshot(name, snapshot(event), catalog, options);
  } catch (error) {
    // A getter, a proxy trap or a toJSON of the caller threw: the event cannot be read, which is the event's fault.
    if (error instanceof OtelAuditError) throw error;
    throw unreadableEvent(name, event, error);
  }
}

/**
 * The canonical fields read once, into plain objects: a getter or a proxy
 * that answers differently on each read could otherwise pass the size, secret
 * and schema checks with one value and be copied with another. `data` is read
 * once by the walk that copies it (flatten.ts).
 */
function snapshot(event: Omit<AuditEvent, 'name'>): Omit<AuditEvent, 'name'> {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return event; // refused by the schema check
  const copy = { ...event }; // own keys, unknown ones too, for the schema check
  const proto: unknown = Object.getPrototypeOf(event);
  if (proto !== Object.prototype && proto !== null) {
    // An instance of a class: its getters are fields too, as a plain read sees them.
    for (const field of eventFields()) {
      if (Object.hasOwn(copy, field)) continue;
      const value = (event as Record<string, unknown>)[field];
      if (value !== undefined) (copy as Record<string, unknown>)[field] = value;
    }
  }
  const { actor, target } = copy;
  if (typeof actor === 'object' && actor !== null && !Array.isArray(actor)) copy.actor = { ...actor };
  if (typeof target === 'object' && target !== null && !Array.isArray(target)) copy.target = { ...target };
  return copy;
}

let topFields: readonly string[] | undefined;

/** The top-level fields of a canonical event (contract.json), data included. */
function eventFields(): readonly string[] {
  topFields ??= [...new Set(contract().fields.filter((row) => row.from !== 'catalog').map((row) => row.field.split('.')[0]!)), 'data'];
  return topFields;
}

function mapSnapshot(name: string, event: Omit<AuditEvent, 'name'>, catalog: Catalog, options: MappingOptions): AuditLogRecord {
  // Sizes first, with length reads only: an oversized field is refused before anything else reads it.
  const fieldBytes = scanFields(event, name, fieldLimits(options.maxFieldLength, options.maxFieldLengths));
  // One of the fields may hold a secret (a trigger of the value patterns): redact while copying.
  const secret = scanned.triggered;
  const now = options.now?.() ?? Date.now();
  const catalogEvent = checkEvent(event as AuditEvent, catalog, name, now);
  const timeMs = checkedTimeMs();
  const severity = event.severity ?? catalogEvent.severity;
  const level = contract().severities[severity];

  const id = event.id ?? options.newId?.() ?? uuidv7(now);
  const body = new MappedBody(secret ? redactText(id) : id, name, isoTime(timeMs), severity) as unknown as CanonicalEvent & Record<string, AnyValue>;
  if (event.source !== undefined) body.source = secret ? redactText(event.source) : event.source;
  if (event.outcome !== undefined) body.outcome = event.outcome;
  // actor and target are the snapshot's own copies.
  if (event.actor !== undefined) body.actor = secret ? redactFields(event.actor) : event.actor;
  if (event.target !== undefined) body.target = secret ? redactFields(event.target) : event.target;
  if (event.organization !== undefined) body.organization = secret ? redactText(event.organization) : event.organization;
  if (event.team !== undefined) body.team = secret ? redactText(event.team) : event.team;
  if (event.cloudAccount !== undefined) body.cloudAccount = secret ? redactText(event.cloudAccount) : event.cloudAccount;
  if (event.subscription !== undefined) body.subscription = secret ? redactText(event.subscription) : event.subscription;
  if (event.transactionId !== undefined) body.transactionId = secret ? redactText(event.transactionId) : event.transactionId;

  const compiledEvent = compiled(catalogEvent);
  let attributes = compiledEvent.attributes(body, catalog);
  let recordBytes = FIXED_RECORD_BYTES + fieldBytes;

  if (event.data !== undefined) {
    const walk = flattenWalk(
      name,
      event.data,
      catalogEvent.sensitivePaths,
      {
        attributeBudget: (options.attributeCountLimit ?? DEFAULT_LIMITS.attributeCountLimit) - contractAttributeCount(),
        maxDepth: options.maxDepth ?? DEFAULT_LIMITS.maxDepth,
        maxDataBytes: options.maxDataBytes ?? DEFAULT_LIMITS.maxDataBytes,
      },
      attributes,
      compiledEvent.data,
    );
    attributes = walk.attributes;
    body.data = walk.data;
    // data is in the body and again in the attributes, under the attribute keys.
    recordBytes += 2 * walk.bytes + walk.keyBytes;
  }
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_LIMITS.maxRecordBytes;
  if (recordBytes > maxRecordBytes) {
    throw new AuditValidationError(name, '', `is an estimated ${recordBytes} bytes as a record (attributes and body), over the limit of ${maxRecordBytes} (limits.maxRecordBytes)`);
  }

  return { eventName: name, timestamp: toHrTime(timeMs), severityNumber: level.number, severityText: level.text, body, attributes };
}

/** The AuditValidationError for an event whose reading threw `error`: the path of the first read that throws, found again. */
export function unreadableEvent(name: unknown, event: unknown, error: unknown): AuditValidationError {
  const label = typeof name === 'string' ? name : safeString(name);
  return new AuditValidationError(label, throwingPath(event, '', 0, new Set(), { reads: MAX_PATH_READS }) ?? '', `could not be read (${redactText(safeString(error instanceof Error ? error.message : error)).slice(0, 200)})`);
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return 'an unprintable value';
  }
}

/** Most property reads spent looking for the one that throws (getters may build new objects on every read). */
const MAX_PATH_READS = 10_000;

/** The path of the first own property of `value` whose read (or key listing, or toJSON) throws; undefined when none does (or the search ran out of reads). */
function throwingPath(value: unknown, path: string, depth: number, seen: Set<object>, budget: { reads: number }): string | undefined {
  if (typeof value !== 'object' || value === null || depth > DEFAULT_LIMITS.maxDepth || seen.has(value) || budget.reads <= 0) return undefined;
  seen.add(value);
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  try {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function' && depth > 0) (value as { toJSON(): unknown }).toJSON();
    for (const key of Object.keys(value)) {
      if (--budget.reads < 0) return undefined;
      let child: unknown;
      try {
        child = (value as Record<string, unknown>)[key];
      } catch {
        return at(key);
      }
      const found = throwingPath(child, at(key), depth + 1, seen, budget);
      if (found !== undefined) return found;
    }
  } catch {
    return path;
  }
  return undefined;
}

/** A copy of actor or target with secrets inside its strings replaced. */
function redactFields<T extends object>(fields: T): T {
  const copy = { ...fields } as Record<string, unknown>;
  for (const key of Object.keys(copy)) {
    const value = copy[key];
    if (typeof value === 'string') copy[key] = redactText(value);
  }
  return copy as T;
}

// Events come in bursts within the same second: format the date part once per second.
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** `000Z` … `999Z`: the time string is then the cached prefix plus one of these, one heap object (it lives until export). */
const MILLIS_SUFFIX = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, '0')}Z`);

/** RFC 3339 UTC with milliseconds, like Date#toISOString. */
function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(second * 1000).toISOString(); // 2026-11-21T14:16:09.000Z
    if (iso.length !== 24) return new Date(ms).toISOString(); // years past 9999 or before 0
    cachedSecond = second;
    cachedPrefix = iso.slice(0, 20);
  }
  const millis = ms - second * 1000;
  const suffix = MILLIS_SUFFIX[millis]; // undefined for a fractional millisecond (a clock from options.now)
  return suffix === undefined ? `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z` : cachedPrefix + suffix;
}

function toHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/** Marks a body built elsewhere in otel-audit (an integrity digest) as mapped, and freezes it, so the audit processor passes it as is. */
export function markMapped<T extends object>(body: T): T {
  return deepFreeze(Object.setPrototypeOf(body, MappedBody.prototype) as T);
}
