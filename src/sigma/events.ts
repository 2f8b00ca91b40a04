// The events the engine matches: canonical audit events (YAML, JSON, JSON
// lines, S3 body lines), OTLP log records (JSON, protobuf, the collector file
// exporter's lines), Splunk HEC events and OpenSearch documents. Rules name OTLP attributes
// (schemas/contract.json); for canonical events each name is resolved through
// the contract once, when a rule is compiled, into a getter.
import { isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { decodeKeyValues, decodeLogsRequest, type DecodedLogRecord, type OtlpLogsRequest } from '../event/otlp-json.js';
import { decodeLogsRequestProto } from '../event/otlp-proto.js';
import { readTrail } from '../integrity/read.js';
import { contract } from '../event/contract.js';
import type { CanonicalEvent } from '../event/event.js';
import { InputError } from '../errors.js';
import { firstNonUtf8Line } from './chunks.js';

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

/** A field a rule names, compiled once: the attribute name, its canonical getter and its slot in a scanned event. */
export interface CompiledField {
  name: string;
  canonical: CanonicalGetter;
  /**
   * Its index among the fields of the engine that compiled it (one per distinct
   * name), which a ScannedView looks it up by; -1 for a field compiled outside
   * an engine, looked up by name.
   */
  slot: number;
  /** Whether plain objects inherit a property of this name (`constructor`, `toString`): then only an own property is the event's. */
  inherited: boolean;
}

/**
 * While an engine compiles: its fields by name (every rule naming `user.id`
 * gets the same CompiledField, and so the same slot), and whether any matcher
 * reads every value (a keyword search). Per engine, so a process compiling
 * many rule sets holds only the fields of the engines it keeps.
 */
let recording: { table: Map<string, CompiledField>; fields: Set<CompiledField>; allValues: boolean } | undefined;

export function compileField(name: string): CompiledField {
  if (recording === undefined) return { name, canonical: canonicalGetter(name), slot: -1, inherited: name in Object.prototype };
  let field = recording.table.get(name);
  if (field === undefined) {
    field = { name, canonical: canonicalGetter(name), slot: recording.table.size, inherited: name in Object.prototype };
    recording.table.set(name, field);
  }
  recording.fields.add(field);
  return field;
}

/** Notes, while recording, that a matcher reads every value of the event (a keyword search). */
export function noteAllValues(): void {
  if (recording) recording.allValues = true;
}

/** Runs `compile` and returns what it returned with the fields compiled meanwhile (see compileField). */
export function recordFields<T>(compile: () => T): { result: T; fields: CompiledField[]; allValues: boolean } {
  const outer = recording;
  // A nested recording shares its engine's table, so its fields keep the engine's slots.
  recording = { table: outer?.table ?? new Map<string, CompiledField>(), fields: new Set(), allValues: false };
  try {
    const result = compile();
    const { fields, allValues } = recording;
    for (const field of fields) outer?.fields.add(field);
    if (outer && allValues) outer.allValues = true;
    return { result, fields: [...fields], allValues };
  } finally {
    recording = outer;
  }
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

/**
 * Event times the engine accepts: 2000 to 2199 (UTC). An audit event outside
 * them is a mistake: a year 9999 "never", an epoch 0 "unset", seconds written
 * where milliseconds belong (which reads as January 1970).
 */
const EARLIEST_TIME = Date.UTC(2000, 0, 1);
const LATEST_TIME = Date.UTC(2200, 0, 1);

/** RFC 3339 / ISO 8601 date or date-time text (`T`, `t` or a space between them, seconds and zone optional). */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** Why `text` is not a real ISO date, when it is not (February 30th, month 13, 25 o'clock). */
function invalidIsoDate(match: RegExpExecArray): string | undefined {
  const [, year, month, day, hour, minute, second] = match.map((part) => (part === undefined ? undefined : Number(part)));
  if (month! < 1 || month! > 12) return `month ${month} does not exist`;
  const daysInMonth = new Date(Date.UTC(year!, month, 0)).getUTCDate();
  if (day! < 1 || day! > daysInMonth) return `day ${day} does not exist in ${year}-${String(month).padStart(2, '0')}`;
  if (hour !== undefined && hour > 23) return `hour ${hour} does not exist`;
  if (minute !== undefined && minute > 59) return `minute ${minute} does not exist`;
  if (second !== undefined && second > 59) return `second ${second} does not exist`;
  return undefined;
}

/**
 * Milliseconds since the epoch of an event time: RFC 3339 text, epoch
 * milliseconds (a number or digits), nanoseconds (16 or more digits, as OTLP
 * writes them) or a Date; undefined when there is none. Throws, saying why,
 * when the time is there but is not a real date (2024-02-30: Date.parse would
 * make it March 1st) or is outside 2000-2199.
 */
export function eventTime(time: unknown): number | undefined {
  if (time === undefined || time === null || time === '') return undefined;
  let millis: number;
  if (typeof time === 'number') millis = time;
  else if (time instanceof Date) millis = time.getTime();
  else if (typeof time === 'string' && /^\d+$/.test(time)) millis = time.length > 15 ? Number(BigInt(time) / 1_000_000n) : Number(time);
  else if (typeof time === 'string') {
    const iso = ISO_TIME.exec(time);
    if (!iso) throw new Error(`time ${JSON.stringify(time.slice(0, 60))} is not an RFC 3339 time (2026-11-21T10:00:00Z) or epoch milliseconds`);
    const invalid = invalidIsoDate(iso);
    if (invalid) throw new Error(`time ${JSON.stringify(time)} is not a real date: ${invalid}`);
    millis = Date.parse(time);
  } else {
    throw new Error(`time is a ${Array.isArray(time) ? 'list' : typeof time}, not RFC 3339 text or epoch milliseconds`);
  }
  if (!Number.isFinite(millis)) throw new Error(`time ${JSON.stringify(String(time))} is not a time`);
  if (millis < EARLIEST_TIME || millis >= LATEST_TIME) throw new Error(`time ${JSON.stringify(time instanceof Date ? time.toISOString() : time)} is outside 2000-2199 (${Number.isFinite(new Date(millis).getTime()) ? new Date(millis).toISOString() : 'out of range'})`);
  return millis;
}

/** eventTime() for one event, with the event's id in the InputError it throws. */
function timeOf(time: unknown, id: unknown): number | undefined {
  try {
    return eventTime(time);
  } catch (error) {
    throw new InputError(typeof id === 'string' ? `event ${id}: ${(error as Error).message}` : (error as Error).message, {}, { cause: error });
  }
}

/** An OTLP timestamp field: 0 means "unknown" (the OTLP spec), so it counts as absent. */
function otlpTime(time: unknown): unknown {
  return time === 0 || time === '0' ? undefined : time;
}

export class CanonicalView implements EventView {
  readonly time: number | undefined;
  readonly id: string | undefined;
  constructor(
    readonly event: PartialCanonicalEvent,
    private readonly domain?: string,
  ) {
    this.time = timeOf(event.time, event.id);
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
    return field.inherited && !Object.hasOwn(this.attributes, field.name) ? undefined : this.attributes[field.name];
  }
  allValues(): unknown[] {
    return scalars(this.attributes, []);
  }
}

// The view of a decoded OTLP log record; throws an InputError when its time is not a plausible time.
// (A line comment: a doc comment would change the public API report.)
export function viewOfLogRecord(record: DecodedLogRecord): AttributeView {
  return new AttributeView(record.attributes, timeOf(otlpTime(record.timeUnixNano) ?? otlpTime(record.observedTimeUnixNano), record.attributes['log.record.uid']));
}

// The view of a canonical event; throws an InputError naming the event when its time is not a plausible time.
export function viewOfCanonical(event: PartialCanonicalEvent | CanonicalEvent, domain?: string): CanonicalView {
  return new CanonicalView(event as PartialCanonicalEvent, domain);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The formats `readEvents` reads, for the message when a value is none of them. */
export const EVENT_FORMATS = 'canonical events (YAML, JSON or JSON lines, S3 JSON lines), OTLP JSON or protobuf (the collector file exporter\'s lines), Splunk HEC events, OpenSearch documents and search responses, or flat records of OTLP attributes';

const domainAttribute = () => contract().fields.find((f) => f.field === 'domain')?.attribute ?? 'event.domain';

/** A Splunk HEC event as the splunk_hec exporter sends it: `{"time": …, "event": {…}, "fields": {…}}`. */
function isHecEvent(value: Record<string, unknown>): boolean {
  return 'event' in value && typeof value.name !== 'string' && ('fields' in value || 'sourcetype' in value || 'time' in value || 'host' in value || 'index' in value);
}

/**
 * The views of one JSON or YAML value of any form the project produces or
 * receives; throws an InputError saying what it is not when it is none.
 */
function viewsOfValue(value: Record<string, unknown>, source: string, domain: string | undefined): EventView[] {
  // OTLP/JSON: a logs request (one line of the collector file exporter).
  if (Array.isArray(value.resourceLogs)) return decodeLogsRequest(value as OtlpLogsRequest).map((record) => viewOfLogRecord(record));
  // OpenSearch: a search response, or one document (`_source`, or a `_source` itself with `Body.*` keys).
  if ((isObject(value.hits) && Array.isArray(value.hits.hits)) || isObject(value._source) || Object.keys(value).some((key) => key.startsWith('Body.')) || isObject(value.Body)) {
    const documents = isObject(value.hits) && Array.isArray(value.hits.hits) ? (value.hits.hits as unknown[]) : [isObject(value._source) ? value : { _source: value }];
    return documents.flatMap((document) => {
      const sourceDoc = isObject(document) && isObject(document._source) ? document._source : {};
      const attributes = isObject(sourceDoc.Attributes) ? sourceDoc.Attributes : sourceDoc;
      const documentDomain = attributes[domainAttribute()];
      // The body is put back together as the integrity reader does it (src/integrity/read.ts).
      const { records } = readTrail(JSON.stringify({ _source: sourceDoc }), source);
      return records.map((record) => {
        if (!isObject(record.body) || typeof record.body.name !== 'string') throw new InputError(`an OpenSearch document without an audit event body (no Body.name)`);
        return new CanonicalView(record.body as PartialCanonicalEvent, typeof documentDomain === 'string' ? documentDomain : domain);
      });
    });
  }
  // Splunk HEC: the event is the canonical body, the fields are the record's attributes.
  if (isHecEvent(value)) {
    let event = value.event;
    if (typeof event === 'string') {
      try {
        event = JSON.parse(event) as unknown;
      } catch {
        throw new InputError('a Splunk HEC event whose event is text, not an audit event');
      }
    }
    if (!isObject(event) || typeof event.name !== 'string') throw new InputError('a Splunk HEC event whose event is not an audit event (an object with a name)');
    const fieldDomain = isObject(value.fields) ? value.fields[domainAttribute()] : undefined;
    return [new CanonicalView(event as PartialCanonicalEvent, typeof fieldDomain === 'string' ? fieldDomain : domain)];
  }
  // A decoded OTLP log record, or one with OTLP KeyValues.
  if ('attributes' in value) {
    const raw = value.attributes;
    const attributes = Array.isArray(raw) ? decodeKeyValues(raw as never) : (raw as Record<string, unknown>);
    const time = otlpTime(value.timeUnixNano) ?? otlpTime(value.observedTimeUnixNano) ?? value.time;
    return [new AttributeView(attributes ?? {}, timeOf(time, attributes?.['log.record.uid']))];
  }
  // A canonical event (as emitted, in a test file, or an S3 `body` line).
  if (typeof value.name === 'string') return [new CanonicalView(value as PartialCanonicalEvent, domain)];
  // A flat record of OTLP attributes (`{"event.name": …, "user.id": …}`), as SIEM exports and the bench's peers read them.
  if (typeof value[FLAT_RECORD.name] === 'string') return [new AttributeView(value, timeOf(flatRecordTime(value), value[FLAT_RECORD.id]))];
  throw new InputError(`not an event: none of ${EVENT_FORMATS} (a canonical event needs a name, a flat record an event.name)`);
}

/**
 * A flat attribute record's keys beyond the rule fields: the event name that
 * marks one, its id, and its time (OTLP's, else `time`). `markers` are the
 * keys of the other formats: a line holding any of them is not read as a flat record.
 */
export const FLAT_RECORD = {
  name: 'event.name',
  id: 'log.record.uid',
  times: ['timeUnixNano', 'observedTimeUnixNano', 'time'],
  markers: ['resourceLogs', 'hits', '_source', 'Body', 'event', 'attributes', 'name'],
  /** OpenSearch documents (flatten_attributes) have keys starting with this. */
  markerPrefix: 'Body.',
} as const;

/** The time of a flat attribute record, from its three time keys' values (see FLAT_RECORD). */
export function flatRecordTime(value: { timeUnixNano?: unknown; observedTimeUnixNano?: unknown; time?: unknown }): unknown {
  return otlpTime(value.timeUnixNano) ?? otlpTime(value.observedTimeUnixNano) ?? value.time;
}

/** timeOf() for the scanner (lines.ts): `id` is asked for only to name the event in an error. */
export function scannedTime(time: unknown, id: () => unknown): number | undefined {
  if (time === undefined) return undefined;
  try {
    return eventTime(time);
  } catch {
    return timeOf(time, id());
  }
}

/**
 * A faster reader of one JSON line text[start, end): the views of the line,
 * or undefined when the line needs the full JSON.parse path (which then gives
 * the same views, or the line's error). Throws an InputError for a bad event.
 */
export type JsonLineReader = (text: string, start: number, end: number) => EventView | undefined;

/** Events read from one file's text, with every event or line that could not be read. */
export interface EventReadResult {
  views: EventView[];
  /** The 1-based line where each view's event starts (`lines[i]` for `views[i]`). */
  lines: number[];
  /** One InputError (with file and line) per line, document or event that could not be read; the rest is read. */
  errors: InputError[];
}

/** 1-based line numbers of offsets in `text`, found by binary search over the line starts (made on first use). */
function lineFinder(text: string): (offset: number) => number {
  let starts: number[] | undefined;
  return (offset) => {
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The offset of the first syntax error in JSON text that JSON.parse refused
 * (whose message does not always give one), or the text's length when it
 * ends too early. Iterative, so deep nesting cannot overflow the stack.
 */
export function jsonErrorOffset(text: string): number {
  const n = text.length;
  let i = 0;
  const stack: ('[' | '{')[] = [];
  const skipSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    for (i++; i < n; i++) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return true;
      }
      if (code < 0x20) return false;
      if (code === 0x5c) {
        const next = text[i + 1] ?? '';
        if ('"\\/bfnrt'.includes(next) && next !== '') i++;
        else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 5;
        else return false;
      }
    }
    return false;
  };
  let state: 'value' | 'key' | 'after' = 'value';
  for (;;) {
    skipSpace();
    if (state === 'key') {
      if (!string()) return i;
      skipSpace();
      if (text[i] !== ':') return i;
      i++;
      state = 'value';
      continue;
    }
    if (state === 'value') {
      const char = text[i];
      if (char === '[' || char === '{') {
        i++;
        skipSpace();
        if (text[i] === (char === '[' ? ']' : '}')) {
          i++;
          state = 'after';
        } else {
          stack.push(char);
          state = char === '[' ? 'value' : 'key';
        }
        continue;
      }
      if (char === '"') {
        if (!string()) return i;
      } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
        i += 4;
      } else if (text.startsWith('false', i)) {
        i += 5;
      } else {
        JSON_NUMBER.lastIndex = i;
        if (!JSON_NUMBER.test(text)) return i;
        i = JSON_NUMBER.lastIndex;
      }
      state = 'after';
      continue;
    }
    // after a value
    const top = stack[stack.length - 1];
    if (top === undefined) return i < n ? i : -1;
    if (text[i] === ',') {
      i++;
      state = top === '[' ? 'value' : 'key';
    } else if (text[i] === (top === '[' ? ']' : '}')) {
      i++;
      stack.pop();
    } else {
      return i;
    }
  }
}

/** The offsets where the items of a (valid) JSON array start. */
function jsonArrayItemOffsets(text: string): number[] {
  const offsets: number[] = [];
  let depth = 0;
  let expectItem = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) continue;
    if (expectItem && code !== 0x5d) offsets.push(i);
    expectItem = false;
    if (code === 0x22) {
      // skip the string
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (code === 0x5b || code === 0x7b) {
      depth++;
      if (depth === 1) expectItem = true;
    } else if (code === 0x5d || code === 0x7d) {
      depth--;
    } else if (code === 0x2c && depth === 1) {
      expectItem = true;
    }
  }
  return offsets;
}

/** Whether JSON lines (`trimmed`: the text from its first non-space character) are OTLP/JSON requests: one names resourceLogs near the start. */
export function isOtlpLines(trimmed: string): boolean {
  return /"resourceLogs"/.test(trimmed.slice(0, 2000));
}

/** How the lines of one JSON-lines file are read (readJsonLine). */
export interface JsonLinesForm {
  source: string;
  domain: string | undefined;
  /** The engine's field scanner (SigmaEngine.jsonLineReader), tried first on event lines. */
  fast: JsonLineReader | undefined;
  /** The lines are OTLP/JSON logs requests (isOtlpLines). */
  otlp: boolean;
}

/**
 * Reads line `line`, text[start, end), of a JSON-lines file into `into`: its
 * views, or an InputError naming the file and line. Blank lines are skipped.
 * readEvents reads JSON lines with it, and `sigma match` when it streams a file.
 */
export function readJsonLine(text: string, start: number, end: number, line: number, form: JsonLinesForm, into: EventReadResult): void {
  const { source, domain, fast } = form;
  const fail = (reason: string, cause?: unknown): void => {
    into.errors.push(new InputError(`${source}:${line}: ${reason}`, { file: source, line }, cause === undefined ? undefined : { cause }));
  };
  if (form.otlp) {
    const lineText = text.slice(start, end);
    if (lineText.trim() === '') return;
    let request: unknown;
    try {
      request = JSON.parse(lineText);
    } catch (error) {
      return fail(`not an OTLP/JSON line (${(error as Error).message})`, error);
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) return fail('not an OTLP/JSON line (not a JSON object)');
    let records: DecodedLogRecord[];
    try {
      records = decodeLogsRequest(request);
    } catch (error) {
      return fail(`not an OTLP/JSON logs request (${(error as Error).message})`, error);
    }
    for (const record of records) {
      try {
        into.views.push(viewOfLogRecord(record));
        into.lines.push(line);
      } catch (error) {
        fail((error as Error).message, error);
      }
    }
    return;
  }
  if (fast) {
    try {
      const view = fast(text, start, end);
      if (view) {
        into.views.push(view);
        into.lines.push(line);
        return;
      }
    } catch (error) {
      return fail(error instanceof InputError ? error.message : `not a readable event (${(error as Error).message})`, error);
    }
  }
  const lineText = text.slice(start, end);
  if (lineText.trim() === '') return;
  let item: unknown;
  try {
    item = JSON.parse(lineText);
  } catch (error) {
    return fail(`not a JSON event (${(error as Error).message})`, error);
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return fail('the line is not an object (an event is a mapping)');
  try {
    for (const view of viewsOfValue(item as Record<string, unknown>, source, domain)) {
      into.views.push(view);
      into.lines.push(line);
    }
  } catch (error) {
    fail(error instanceof InputError ? error.message : `not a readable event (${(error as Error).message})`, error);
  }
}

/**
 * Reads events from a file's text: OTLP JSON lines (the collector `file`
 * exporter) or one OTLP/JSON request, a JSON array, JSON lines, or YAML
 * documents/lists of canonical events or OTLP log records; Splunk HEC events,
 * OpenSearch documents or search responses and flat attribute records, in any of these. A line, document or event that cannot be read
 * is an InputError in `errors`, naming the file and line; the others are read.
 * `fast` reads JSON lines first when given (SigmaEngine.jsonLineReader: only the fields the rules read).
 */
export function readEvents(text: string, source: string, domain?: string, fast?: JsonLineReader): EventReadResult {
  const views: EventView[] = [];
  const lines: number[] = [];
  const errors: InputError[] = [];
  const lineOf = lineFinder(text);
  const fail = (line: number, reason: string, cause?: unknown) => errors.push(new InputError(`${source}:${line}: ${reason}`, { file: source, line }, cause === undefined ? undefined : { cause }));
  /** One event (an item of the file), read into a view, or an error at its line. */
  const add = (item: unknown, line: number, what: string) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return fail(line, `${what} is not an object (an event is a mapping)`);
    try {
      for (const view of viewsOfValue(item as Record<string, unknown>, source, domain)) {
        views.push(view);
        lines.push(line);
      }
    } catch (error) {
      fail(line, error instanceof InputError ? error.message : `not a readable event (${(error as Error).message})`, error);
    }
  };
  const trimmed = text.trimStart();
  // One JSON object over several lines: an OpenSearch search response, a pretty-printed event or OTLP request.
  let whole: unknown;
  if (trimmed.startsWith('{') && trimmed.trimEnd().includes('\n')) {
    try {
      whole = JSON.parse(text);
    } catch {
      whole = undefined;
    }
  }
  if (isObject(whole)) {
    add(whole, lineOf(text.length - trimmed.length), 'the document');
  } else if (trimmed.startsWith('[')) {
    let items: unknown[];
    try {
      items = JSON.parse(text) as unknown[];
    } catch (error) {
      const offset = jsonErrorOffset(text);
      fail(lineOf(offset < 0 ? text.length : offset), `not a JSON array of events (${(error as Error).message})`, error);
      return { views, lines, errors };
    }
    if (!Array.isArray(items)) {
      fail(1, 'not a JSON array of events');
      return { views, lines, errors };
    }
    const offsets = jsonArrayItemOffsets(text);
    items.forEach((item, index) => add(item, lineOf(offsets[index] ?? 0), `item ${index}`));
  } else if (trimmed.startsWith('{')) {
    // JSON lines: OTLP/JSON requests (the collector file exporter), or events and flat records.
    const otlp = isOtlpLines(trimmed);
    const result = { views, lines, errors };
    for (let from = 0, line = 1; from <= text.length; line++) {
      const newline = text.indexOf('\n', from);
      const end = newline === -1 ? text.length : newline;
      readJsonLine(text, from, end, line, { source, domain, fast, otlp }, result);
      from = end + 1;
    }
  } else {
    const counter = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: counter, prettyErrors: false });
    for (const doc of Array.isArray(docs) ? docs : []) {
      const start = counter.linePos(doc.range[0]).line;
      const error = doc.errors[0];
      if (error) {
        // RESOURCE_EXHAUSTION: the stack ran out on lists or maps nested thousands deep.
        fail(counter.linePos(error.pos[0]).line, `YAML error: ${error.code === 'RESOURCE_EXHAUSTION' ? 'maps or lists nested too deeply to read' : error.message}`, error);
        continue;
      }
      let value: unknown;
      try {
        // Aliases can nest into an exponential blow-up ("billion laughs"); past 100 the yaml package refuses.
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (cause) {
        fail(start, `YAML error: ${(cause as Error).message}`, cause);
        continue;
      }
      if (value === null || value === undefined) continue;
      if (Array.isArray(value)) {
        const nodes = isSeq(doc.contents) ? doc.contents.items : [];
        value.forEach((item, index) => {
          const range = (nodes[index] as Node | undefined)?.range;
          add(item, range ? counter.linePos(range[0]).line : start, `item ${index}`);
        });
      } else {
        add(value, doc.contents?.range ? counter.linePos(doc.contents.range[0]).line : start, 'the document');
      }
    }
  }
  return { views, lines, errors };
}

/** A line of an event file that is not valid UTF-8. */
export function notUtf8(source: string, line: number): InputError {
  return new InputError(`${source}:${line}: not valid UTF-8 (export the events as UTF-8); the line is not read`, { file: source, line });
}

/** Whether the first 4 KiB hold a control byte text does not (binary content, such as OTLP/protobuf). */
function hasControlBytes(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 4096);
  for (const byte of sample) if (byte < 0x09 || (byte > 0x0d && byte < 0x20)) return true;
  return false;
}

/** Does `bytes` look like text (JSON or YAML) rather than OTLP/protobuf? */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (hasControlBytes(bytes)) return false;
  const sample = bytes.subarray(0, 4096);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.length < bytes.length ? sample.subarray(0, Math.max(0, sample.length - 4)) : sample);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads events from a file's content, text or bytes: everything readEvents
 * reads, and an OTLP/protobuf logs request (an OTLP/HTTP body). Bytes that
 * are neither text nor a protobuf logs request are one InputError at line 1.
 */
export function readEventContent(content: string | Uint8Array, source: string, domain?: string, fast?: JsonLineReader): EventReadResult {
  const views: EventView[] = [];
  const lines: number[] = [];
  const errors: InputError[] = [];
  // Text that is not valid UTF-8 is refused at its line: read with U+FFFD in place, a value would silently stop matching.
  const badLine = typeof content === 'string' || hasControlBytes(content) ? undefined : firstNonUtf8Line(content);
  if (badLine !== undefined) return { views, lines, errors: [notUtf8(source, badLine)] };
  if (typeof content === 'string' || content.length === 0 || looksLikeText(content)) return readEvents(typeof content === 'string' ? content : Buffer.from(content).toString('utf8'), source, domain, fast);
  let records: DecodedLogRecord[];
  try {
    records = decodeLogsRequest(decodeLogsRequestProto(content, source));
  } catch (error) {
    errors.push(new InputError(`${source}:1: binary content that is not an OTLP/protobuf logs request (${(error as Error).message}); readable formats: ${EVENT_FORMATS}`, { file: source, line: 1 }, { cause: error }));
    return { views, lines, errors };
  }
  records.forEach((record, index) => {
    try {
      views.push(viewOfLogRecord(record));
      lines.push(1);
    } catch (error) {
      errors.push(new InputError(`${source}:1: log record ${index}: ${(error as Error).message}`, { file: source, line: 1 }, { cause: error }));
    }
  });
  return { views, lines, errors };
}

/**
 * Reads events from a file's text (see readEvents); throws the first
 * InputError, naming the file and line, when any line or event is bad.
 */
export function readEventViews(text: string, source: string, domain?: string): EventView[] {
  const { views, errors } = readEvents(text, source, domain);
  if (errors[0]) throw errors[0];
  return views;
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
