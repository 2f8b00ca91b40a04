// Reads what a destination received back into record bodies, whatever form it
// stored them in: the collector file exporter's OTLP/JSON lines, an OTLP/JSON
// or OTLP/protobuf request, canonical events as JSON lines (webhooks, S3
// `body` objects), Splunk HEC events, and OpenSearch documents or search
// responses; any of them gzip-compressed (S3 objects). Lines it cannot read
// are reported, never skipped silently.
import { isAscii } from 'node:buffer';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decodeAnyValue, decodeLogsRequest, type OtlpLogsRequest } from '../event/otlp-json.js';
import { decodeLogsRequestProto } from '../event/otlp-proto.js';
import { scanRequest } from './otlp-scan.js';
import { ScannedRecord } from './scanned.js';
import { Shapes } from './shapes.js';
import type { TrailRecord } from './verify.js';

export interface ReadTrailResult {
  records: TrailRecord[];
  /** Lines that are none of the known forms. */
  unreadable: { where: string; reason: string }[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The bodies inside one parsed JSON value of any supported form. */
function bodiesOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return (value as unknown[]).flatMap((item): unknown[] => bodiesOf(item) ?? [item]);
  if (!isObject(value)) return undefined;
  if (Array.isArray(value.resourceLogs)) return requestBodies(value);
  if (isObject(value.hits) && Array.isArray(value.hits.hits)) return (value.hits.hits as unknown[]).flatMap((hit): unknown[] => bodiesOf(hit) ?? []);
  if (isObject(value._source)) return [bodyOfDocument(value._source)];
  // Splunk HEC: {"time": …, "event": {…}, "fields": {…}}
  if ('event' in value && ('fields' in value || 'sourcetype' in value || 'time' in value)) return [typeof value.event === 'string' ? tryJson(value.event) : value.event];
  // A decoded log record ({ body, attributes }) or a canonical event.
  if (isObject(value.body) && isObject(value.attributes)) return [value.body];
  if (typeof value.name === 'string') return [value];
  return undefined;
}

/** The bodies of an OTLP request's records; verify needs nothing else, so attributes and resources are not decoded. */
function requestBodies(request: OtlpLogsRequest): unknown[] {
  const bodies: unknown[] = [];
  for (const resourceLogs of request.resourceLogs ?? []) {
    for (const scopeLogs of (isObject(resourceLogs) && Array.isArray(resourceLogs.scopeLogs) ? resourceLogs.scopeLogs : [])) {
      for (const record of (isObject(scopeLogs) && Array.isArray(scopeLogs.logRecords) ? scopeLogs.logRecords : [])) bodies.push(isObject(record) ? decodeAnyValue(record.body as Parameters<typeof decodeAnyValue>[0]) : null);
    }
  }
  return bodies;
}

/**
 * The body of an OpenSearch document: `body` as an object, or, as the
 * `flatten_attributes` mapping mode stores it, `Body.actor.id`-style keys put
 * back together (a data key that itself holds a dot cannot be told from a
 * nested one there; such records do not verify from OpenSearch).
 */
function bodyOfDocument(source: Record<string, unknown>): unknown {
  if (isObject(source.body)) return source.body;
  if (isObject(source.Body)) return source.Body;
  const flat = Object.entries(source).filter(([key]) => key.startsWith('Body.'));
  if (flat.length === 0) return source;
  // Objects without a prototype: a key such as `Body.__proto__.x` from a hostile store stays a plain member.
  const body = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of flat) {
    const path = key.slice(5).split('.');
    let node = body;
    for (const segment of path.slice(0, -1)) {
      if (!isObject(node[segment])) node[segment] = Object.create(null) as Record<string, unknown>;
      node = node[segment] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  return body;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Reads one file's content (text, or bytes for OTLP/protobuf). */
export function readTrail(content: string | Uint8Array, source: string): ReadTrailResult {
  return readContent(content, source, undefined);
}

/**
 * As readTrail, on verify's fast path (shapes.ts): a stamped record of a shape
 * read before is a ScannedRecord, its canonical JSON with its body decoded
 * only when asked for. For verify (readTrailFile, the CLI); readTrail, the
 * public door, keeps its records plain objects.
 */
export function readTrailScanned(content: string | Uint8Array, source: string): ReadTrailResult {
  return readContent(content, source, newShapes());
}

function readContent(compressed: string | Uint8Array, source: string, shapes: LineShapes | undefined): ReadTrailResult {
  const records: TrailRecord[] = [];
  const unreadable: ReadTrailResult['unreadable'] = [];
  let content = compressed;
  if (isGzip(content)) {
    const gunzipped = gunzip(content, source);
    if ('reason' in gunzipped) return { records, unreadable: [gunzipped] };
    content = gunzipped.content;
  }
  const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  const trimmed = text.trimStart();
  if (trimmed === '') return { records, unreadable };
  if (typeof content !== 'string' && !(trimmed.startsWith('{') || trimmed.startsWith('['))) {
    try {
      const request = decodeLogsRequestProto(content, source);
      decodeLogsRequest(request).forEach((record, index) => records.push({ body: record.body, where: `${source}#${index}` }));
      return { records, unreadable };
    } catch (error) {
      return { records, unreadable: [{ where: source, reason: (error as Error).message }] };
    }
  }
  // One JSON document (a search response, an array) or JSON lines.
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && !trimmed.includes('\n{'))) {
    try {
      const bodies = bodiesOf(JSON.parse(text));
      if (bodies) {
        bodies.forEach((body, index) => records.push({ body, where: `${source}#${index}` }));
        return { records, unreadable };
      }
    } catch {
      // not one document: read it line by line below
    }
  }
  text.split('\n').forEach((line, index) => {
    if (line.trim()) readLine(line, source, index + 1, records, unreadable, shapes);
  });
  return { records, unreadable };
}

/** The shapes a reader learns from the records of one read (shapes.ts): canonical events, and OTLP bodies. */
interface LineShapes {
  json: Shapes;
  otlp: Shapes;
}

const newShapes = (): LineShapes => ({ json: new Shapes('json'), otlp: new Shapes('otlp') });

/** One line of JSON lines: its records, or why it cannot be read. */
function readLine(line: string, file: string, lineNumber: number, records: TrailRecord[], unreadable: ReadTrailResult['unreadable'], shapes: LineShapes | undefined): void {
  // A canonical event of a shape read before: straight into its canonical JSON (shapes.ts). A line a
  // shape matches is an object whose members are the shape's, so it is no OTLP request: no need to look for one first.
  const scanned = shapes?.json.line(line);
  if (scanned) {
    scanned.file = file;
    scanned.line = lineNumber;
    records.push(scanned);
    return;
  }
  const where = `${file}:${lineNumber}`;
  let bodies: unknown[] | undefined;
  // An OTLP request (the file exporter's lines) is read for its bodies only, without parsing the rest (otlp-scan.ts).
  try {
    bodies = line.includes('resourceLogs') ? scanRequest(line, shapes?.otlp) : undefined;
  } catch (error) {
    unreadable.push({ where, reason: `not a well-formed record (${reasonOf(error)})` });
    return;
  }
  if (bodies) {
    for (let n = 0; n < bodies.length; n++) {
      const body = bodies[n];
      if (body instanceof ScannedRecord) {
        body.file = file;
        body.line = lineNumber;
        body.part = bodies.length > 1 ? n : -1;
        records.push(body);
      } else {
        records.push({ body, where: bodies.length > 1 ? `${where}#${n}` : where });
      }
    }
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    unreadable.push({ where, reason: `not JSON (${(error as Error).message})` });
    return;
  }
  try {
    bodies = bodiesOf(value);
  } catch (error) {
    // A request whose values are not what OTLP says (an array where a list of values belongs): reported, not thrown.
    unreadable.push({ where, reason: `not a well-formed record (${reasonOf(error)})` });
    return;
  }
  if (!bodies) unreadable.push({ where, reason: 'neither an OTLP request, a canonical event, a HEC event nor an OpenSearch document' });
  else bodies.forEach((body, n) => records.push({ body, where: bodies.length > 1 ? `${where}#${n}` : where }));
  // A canonical event read the generic way: learn its shape for the lines after it.
  if (shapes?.json.learning && bodies?.length === 1 && bodies[0] === value) shapes.json.learn(value);
}

/** Why a line could not be read, in words: nesting deep enough to exhaust the stack is said as such. */
const reasonOf = (error: unknown) => (error instanceof RangeError && /call stack/i.test(error.message) ? 'values nested too deeply to read' : (error as Error).message);

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/** Where a reader takes bytes from: a file, or a buffer (a file decompressed). */
interface ByteSource {
  read(into: Buffer, offset: number, length: number, position: number): number;
  close(): void;
}

function fileSource(file: string): ByteSource {
  const fd = openSync(file, 'r');
  return { read: (into, offset, length, position) => readSync(fd, into, offset, length, position), close: () => closeSync(fd) };
}

function bufferSource(content: Buffer): ByteSource {
  return { read: (into, offset, length, position) => content.copy(into, offset, position, Math.min(content.length, position + length)), close: () => undefined };
}

/** The most a gzip file may decompress to: more than a string can hold is a bomb, or a file to gunzip first. */
const MAX_GUNZIPPED_BYTES = 512 * 1024 * 1024;

const isGzip = (content: string | Uint8Array): content is Uint8Array => typeof content !== 'string' && content[0] === 0x1f && content[1] === 0x8b;

/** The bytes of a gzip file (several members are read one after another), or why they cannot be read. */
function gunzip(content: Uint8Array, where: string): { content: Buffer } | { where: string; reason: string } {
  try {
    return { content: gunzipSync(content, { maxOutputLength: MAX_GUNZIPPED_BYTES }) };
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    return { where, reason: tooLarge ? `decompresses to more than ${MAX_GUNZIPPED_BYTES / 1024 / 1024} MiB: gunzip it and verify the result (read a line at a time)` : `not a readable gzip file (${(error as Error).message})` };
  }
}

/**
 * Reads a trail file. JSON lines (the file exporter's, canonical events, HEC
 * events) are read one line at a time as the records are iterated, so a file
 * larger than a string can be (hundreds of MB of OTLP lines) is fine and the
 * bodies are never all in memory; verifyTrail keeps only their hashes. Any
 * other form (OTLP/protobuf, one JSON document) is read whole, as readTrail
 * does. A gzip file (S3 objects, as the awss3 exporter writes them) is
 * decompressed first. `unreadable` fills as the records are iterated.
 */
export function readTrailFile(file: string): { records: Iterable<TrailRecord>; unreadable: ReadTrailResult['unreadable'] } {
  let first: Buffer;
  const probe = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    first = buffer.subarray(0, readSync(probe, buffer, 0, CHUNK_BYTES, 0));
  } finally {
    closeSync(probe);
  }
  if (isGzip(first)) {
    const gunzipped = gunzip(readFileSync(file), file);
    if ('reason' in gunzipped) return { records: [], unreadable: [gunzipped] };
    const { content } = gunzipped;
    return readLines(content.subarray(0, CHUNK_BYTES), file, () => bufferSource(content), () => content);
  }
  return readLines(first, file, () => fileSource(file), () => readFileSync(file));
}

/** Reads JSON lines a line at a time from `open()`; anything else whole, from `whole()`. `first`: the first bytes. */
function readLines(first: Buffer, file: string, open: () => ByteSource, whole: () => Buffer): { records: Iterable<TrailRecord>; unreadable: ReadTrailResult['unreadable'] } {
  const start = first.findIndex((byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== NEWLINE);
  const firstLineEnd = first.indexOf(NEWLINE, Math.max(start, 0));
  // JSON lines start with "{" and their first line is a JSON value of its own; a pretty-printed document's is not.
  const jsonLines = start >= 0 && first[start] === 0x7b && (firstLineEnd < 0 || isJson(first.subarray(start, firstLineEnd).toString('utf8')));
  if (!jsonLines) return readTrailScanned(whole(), file);
  const unreadable: ReadTrailResult['unreadable'] = [];
  // The records of a line at a time, as one batch.
  function* batches(): Generator<TrailRecord[]> {
    const source = open();
    // One buffer, grown when a line is longer: lines are read in place, not copied piece by piece.
    let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let start = 0; // the first byte not yet read as a line
    let filled = 0;
    let position = 0;
    let lineNumber = 0;
    const shapes = newShapes();
    const line = (end: number): TrailRecord[] => {
      lineNumber++;
      // ASCII reads the same as Latin-1 and UTF-8; Latin-1 is the cheaper decoder (a line is megabytes of OTLP).
      const text = isAscii(buffer.subarray(start, end)) ? buffer.toString('latin1', start, end) : buffer.toString('utf8', start, end);
      const batch: TrailRecord[] = [];
      if (text.trim()) readLine(text, file, lineNumber, batch, unreadable, shapes);
      return batch;
    };
    try {
      for (;;) {
        if (filled === buffer.length) {
          if (start > 0) buffer.copy(buffer, 0, start, filled);
          else buffer = Buffer.concat([buffer], buffer.length * 2);
          filled -= start;
          start = 0;
        }
        const read = source.read(buffer, filled, buffer.length - filled, position);
        if (read === 0) break;
        position += read;
        const view = buffer.subarray(0, filled + read);
        let from = filled; // the bytes before have no newline
        filled += read;
        for (let end = view.indexOf(NEWLINE, from); end >= 0; end = view.indexOf(NEWLINE, from)) {
          yield line(end);
          start = from = end + 1;
        }
      }
      if (start < filled) yield line(filled);
    } finally {
      source.close();
    }
  }
  return { records: flatten(batches()), unreadable };
}

/** The records of the batches, one at a time; a plain iterator, cheaper per record than a generator's yield*. */
function flatten(source: Generator<TrailRecord[]>): IterableIterator<TrailRecord> {
  let batch: TrailRecord[] = [];
  let index = 0;
  return {
    next(): IteratorResult<TrailRecord> {
      while (index >= batch.length) {
        const step = source.next();
        if (step.done) return { done: true, value: undefined };
        batch = step.value;
        index = 0;
      }
      return { done: false, value: batch[index++]! };
    },
    // A reader that stops early closes the file.
    return(): IteratorResult<TrailRecord> {
      source.return(undefined);
      return { done: true, value: undefined };
    },
    [Symbol.iterator]() {
      return this;
    },
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
