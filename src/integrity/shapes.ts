// Verify's fast path: the canonical JSON of a stamped record written straight
// from its text, without building the record. Records of one event are written
// alike (the same members in the same order, each value of the same kind), so
// from one record read the slow way a reader learns its shape and compiles two
// things: a regular expression that matches exactly the texts of that shape
// (member names spelled plainly, strings without escapes, numbers as JSON
// writes them, no whitespace), capturing each value; and a function writing
// the captured values in RFC 8785 order, members that canonicalJson leaves out
// (null, empty objects) left out. A text the expression matches is JSON,
// decodes to an object with exactly those members (no repeats, no
// `__proto__`), and its canonical JSON is what the function writes. Anything
// else does not match and takes the generic path (JSON.parse, decodeAnyValue,
// canonicalJson), so a shape changes the speed, never a hash or a verdict
// (test/integrity/shapes.property.test.ts).
//
// Two forms: canonical events as JSON lines (`json`), and the AnyValue of an
// OTLP/JSON log record's body as the collector's file exporter writes it (`otlp`).
import { DIGEST_EVENT } from './chain.js';
import { ScannedRecord } from './scanned.js';

/** The shape of a value: an object's members in text order, or the kind of a scalar. */
type Node = { members: [string, Node][] } | { leaf: Leaf };
type Leaf = 'string' | 'number' | 'int' | 'boolean' | 'null' | 'array';

/** Member names written as they are: no character JSON escapes or that needs care, not `__proto__`. */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const PLAIN_NAME = /^(?![\s\S]*["\\\u0000-\u001f\ud800-\udfff])(?!__proto__$)[\s\S]*$/;
/** Top-level members that make readLine take a line for another form (an OTLP request, HEC, OpenSearch, a decoded OTLP record). */
const OTHER_FORMS = new Set(['resourceLogs', 'event', 'hits', '_source', 'body']);

/** Most shapes one reader learns, most learning attempts (texts no shape matched), most members per shape, deepest object. */
const MAX_SHAPES = 64;
const MAX_ATTEMPTS = 256;
const MAX_MEMBERS = 256;
const MAX_DEPTH = 16;

// Pieces of the expressions (no `u` flag: classes are of UTF-16 code units).
const STRING = String.raw`"[^"\\\u0000-\u001f\ud800-\udfff]*"`;
const NUMBER = String.raw`-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?`;
/** An integer Number() reads exactly and String() writes back the same (not -0): its text is its canonical form. */
const INT = String.raw`(?:0|-?[1-9]\d{0,14})`;
/** A JSON array of strings, such integers, booleans and nulls, written without whitespace: its text is its canonical form. */
const FLAT_ARRAY = (() => {
  const item = `(?:${STRING}|${INT}|true|false|null)`;
  return String.raw`\[(?:${item}(?:,${item})*)?\]`;
})();

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The shape of a parsed canonical event (JSON form); undefined when it has nothing the fast path can write. */
function jsonShape(value: unknown, depth: number): Node | undefined {
  switch (typeof value) {
    case 'string':
      return { leaf: 'string' };
    case 'number':
      // an integer is expected to be written as one (its text is then its canonical form); a record where it is not learns a shape of its own
      return { leaf: Number.isInteger(value) && Math.abs(value) < 1e15 ? 'int' : 'number' };
    case 'boolean':
      return { leaf: 'boolean' };
    case 'object': {
      if (value === null) return { leaf: 'null' };
      if (Array.isArray(value)) return { leaf: 'array' };
      if (depth > MAX_DEPTH) return undefined;
      const members: [string, Node][] = [];
      for (const [name, member] of Object.entries(value)) {
        const node = PLAIN_NAME.test(name) ? jsonShape(member, depth + 1) : undefined;
        if (!node) return undefined;
        members.push([name, node]);
      }
      return { members };
    }
    default:
      return undefined;
  }
}

/** The shape of a parsed OTLP AnyValue as the file exporter writes it (otlp form); undefined when it is anything else. */
function otlpShape(value: unknown, depth: number): Node | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length === 0) return { leaf: 'null' };
  if (keys.length !== 1) return undefined;
  const inner = value[keys[0]!];
  switch (keys[0]) {
    case 'stringValue':
      return typeof inner === 'string' ? { leaf: 'string' } : undefined;
    case 'boolValue':
      return typeof inner === 'boolean' ? { leaf: 'boolean' } : undefined;
    case 'intValue':
      return typeof inner === 'string' ? { leaf: 'int' } : undefined;
    case 'doubleValue':
      return typeof inner === 'number' ? { leaf: 'number' } : undefined;
    case 'kvlistValue': {
      if (depth > MAX_DEPTH || !isObject(inner) || Object.keys(inner).length !== 1 || !Array.isArray(inner.values)) return undefined;
      const members: [string, Node][] = [];
      const seen = new Set<string>();
      for (const entry of inner.values as unknown[]) {
        if (!isObject(entry) || Object.keys(entry).join() !== 'key,value' || typeof entry.key !== 'string' || !PLAIN_NAME.test(entry.key) || seen.has(entry.key)) return undefined;
        seen.add(entry.key);
        const node = otlpShape(entry.value, depth + 1);
        if (!node) return undefined;
        members.push([entry.key, node]);
      }
      return { members };
    }
    default:
      return undefined; // arrays and bytes: the generic path
  }
}

/** One learned shape: its expression, and the writer of its canonical JSON from the captures. */
interface Compiled {
  pattern: RegExp;
  write: (match: RegExpExecArray) => string;
  /** Capture numbers of the members verify reads (0: absent, or not a string). */
  name: number;
  id: number;
  stream: number;
  seq: number;
  prev: number;
}

/** Thrown (and caught) when a captured number has no canonical form (the generic path refuses it too). */
const GIVE_UP = new Error('not on the fast path');

/** A JSON number's canonical text: ECMAScript Number::toString, -0 as 0. */
function numberText(text: string): string {
  const n = Number(text);
  if (!Number.isFinite(n)) throw GIVE_UP;
  return String(n === 0 ? 0 : n);
}

/** Compiles a shape whose top level is an event with a valid integrity stamp; undefined otherwise. */
function compile(root: Node, form: 'json' | 'otlp'): Compiled | undefined {
  if (!('members' in root)) return undefined;
  let group = 0;
  let budget = MAX_MEMBERS;
  /** Per capture: how the writer turns it into canonical text. */
  const kinds: Leaf[] = [];
  const facts = { name: 0, id: 0, stream: 0, seq: 0, prev: 0 };

  /** The expression for a node, and its canonical text as a list of pieces: literal text, or a capture number. */
  const walk = (node: Node, path: string): { source: string; pieces: (string | number)[] } => {
    // `path`: the member names down to the node, JSON-encoded (a name may hold a dot)
    if ('leaf' in node) {
      const leaf = node.leaf;
      if (leaf === 'null') return { source: form === 'json' ? 'null' : String.raw`\{\}`, pieces: [] };
      const inner = leaf === 'string' ? STRING : leaf === 'number' ? NUMBER : leaf === 'int' ? INT : leaf === 'boolean' ? '(?:true|false)' : FLAT_ARRAY;
      const index = ++group;
      kinds[index] = leaf;
      if (path === '["name"]' && leaf === 'string') facts.name = index;
      if (path === '["id"]' && leaf === 'string') facts.id = index;
      if (path === '["integrity","stream"]' && leaf === 'string') facts.stream = index;
      if (path === '["integrity","prev"]' && leaf === 'string') facts.prev = index;
      if (path === '["integrity","seq"]' && (leaf === 'number' || leaf === 'int')) facts.seq = index;
      if (form === 'json') return { source: `(${inner})`, pieces: [index] };
      if (leaf === 'array') throw GIVE_UP; // an arrayValue's text is not its canonical form (otlpShape makes none)
      const wrapper = leaf === 'string' ? 'stringValue' : leaf === 'int' ? 'intValue' : leaf === 'number' ? 'doubleValue' : 'boolValue';
      // intValue is a string in protojson: the quotes are outside the capture
      const captured = leaf === 'int' ? `"(${inner})"` : `(${inner})`;
      return { source: String.raw`\{"${wrapper}":${captured}\}`, pieces: [index] };
    }
    budget -= node.members.length;
    if (budget < 0) throw GIVE_UP;
    const members = node.members.map(([name, child]) => ({ name, ...walk(child, JSON.stringify([...(JSON.parse(path) as string[]), name])) }));
    const source =
      form === 'json'
        ? String.raw`\{${members.map((m) => `"${escapeRegExp(m.name)}":${m.source}`).join(',')}\}`
        : String.raw`\{"kvlistValue":\{"values":\[${members.map((m) => String.raw`\{"key":"${escapeRegExp(m.name)}","value":${m.source}\}`).join(',')}\]\}\}`;
    // RFC 8785 order (UTF-16 code units, Array#sort's); members with no text (null, empty objects) left out.
    const kept = members.filter((m) => m.pieces.length > 0).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (kept.length === 0 && path !== '[]') return { source, pieces: [] }; // an empty object member is left out
    const pieces: (string | number)[] = ['{'];
    kept.forEach((m, i) => pieces.push(`${i === 0 ? '' : ','}"${m.name}":`, ...m.pieces));
    pieces.push('}');
    return { source, pieces };
  };

  let built: { source: string; pieces: (string | number)[] };
  try {
    built = walk(root, '[]');
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
  if (!facts.name || !facts.stream || !facts.seq || !facts.prev) return undefined;
  if (form === 'json' && root.members.some(([name]) => OTHER_FORMS.has(name))) return undefined;
  // The writer: one join of literal text and captures (numbers in canonical form): one flat string,
  // which hashing reads as it is, rather than a tree of concatenations it would first have to flatten.
  const parts: string[] = [];
  for (const piece of built.pieces) {
    if (typeof piece === 'number') parts.push(kinds[piece] === 'number' ? `n(m[${piece}])` : `m[${piece}]`);
    else if (parts.length > 0 && parts[parts.length - 1]!.startsWith('"')) parts[parts.length - 1] = JSON.stringify((JSON.parse(parts[parts.length - 1]!) as string) + piece);
    else parts.push(JSON.stringify(piece));
  }
  // Only JSON-quoted text and capture numbers reach the source.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('n', `"use strict"; return (m) => [${parts.join(', ')}].join('');`) as (n: typeof numberText) => Compiled['write'];
  const write = factory(numberText);
  // json: a whole line (anchored); otlp: a body inside a line (sticky, at the body's position).
  const pattern = form === 'json' ? new RegExp(`^${built.source}$`) : new RegExp(built.source, 'y');
  return { pattern, write, ...facts };
}

/** The string a capture of a string leaf holds (no escapes: its text without the quotes). */
const unquote = (text: string) => text.slice(1, -1);

/**
 * What a match gives verify: a stamped record, or undefined when verify must
 * read it the generic way. The id is parsed from its capture: a string of its
 * own, not a view into the line that would keep all of it alive.
 */
function recordOf(shape: Compiled, match: RegExpExecArray, text: string, from: number, to: number, otlp: boolean): ScannedRecord | undefined {
  const name = unquote(match[shape.name]!);
  if (name === DIGEST_EVENT) return undefined;
  const seq = Number(match[shape.seq]);
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  let canonical: string;
  try {
    canonical = shape.write(match);
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
  return new ScannedRecord(canonical, shape.id ? (JSON.parse(match[shape.id]!) as string) : undefined, unquote(match[shape.stream]!), seq, unquote(match[shape.prev]!), text, from, to, otlp);
}

/** How far into a record its name is looked for. */
const NAME_WITHIN = 4096;
/** Where a text names its event, for picking the shapes to try: `"name":"` (json) or the name member of a kvlist (otlp). */
const NAME_AT = { json: '"name":"', otlp: '{"key":"name","value":{"stringValue":"' } as const;

/**
 * The shapes one reader has learned (one per file read: what a file holds
 * cannot grow a cache shared with other reads), by event name. Records that
 * match none take the generic path; from the first few of them the reader
 * learns more shapes.
 */
export class Shapes {
  private readonly byName = new Map<string, Compiled[]>();
  private count = 0;
  private attempts = 0;

  constructor(private readonly form: 'json' | 'otlp') {}

  /** Whether a record read the generic way is still worth learning from. */
  get learning(): boolean {
    return this.attempts < MAX_ATTEMPTS && this.count < MAX_SHAPES;
  }

  /** Learns the shape of a record read the generic way: its parsed text (a canonical event, or an OTLP body's AnyValue). */
  learn(parsed: unknown): void {
    // Digests and records without a stamp are read the generic way: they neither teach a shape nor use up an attempt.
    const name = this.form === 'json' ? stampedName(parsed) : stampedName(kvlistObject(parsed));
    if (!this.learning || name === undefined) return;
    this.attempts++;
    const node = this.form === 'json' ? jsonShape(parsed, 0) : otlpShape(parsed, 0);
    const compiled = node && compile(node, this.form);
    if (!compiled) return;
    const list = this.byName.get(name) ?? [];
    if (list.some((shape) => shape.pattern.source === compiled.pattern.source)) return; // a text its own shape does not match (whitespace, index-like names)
    list.push(compiled);
    this.byName.set(name, list);
    this.count++;
  }

  /** The shapes learned for the event the text at `at` names (a hint: the expression decides). */
  private candidates(text: string, at: number): Compiled[] | undefined {
    if (this.count === 0) return undefined;
    const marker = NAME_AT[this.form];
    const start = text.indexOf(marker, at);
    // Only near the start of the record: an OTLP line holds hundreds (the expression decides anyway).
    if (start < 0 || start - at > NAME_WITHIN) return undefined;
    const end = text.indexOf('"', start + marker.length);
    return end < 0 ? undefined : this.byName.get(text.slice(start + marker.length, end));
  }

  /** A canonical JSON line (json form) read on the fast path; undefined: read it the generic way. */
  line(line: string): ScannedRecord | undefined {
    const shapes = this.candidates(line, 0);
    if (!shapes) return undefined;
    for (let k = 0; k < shapes.length; k++) {
      const shape = shapes[k]!;
      const match = exec(shape.pattern, line, 0);
      if (match) return recordOf(shape, match, line, 0, line.length, false);
    }
    return undefined;
  }

  /**
   * The body at `at` in an OTLP line (otlp form) read on the fast path: the
   * record (undefined: one verify reads the generic way, such as a digest),
   * and where its text ends; undefined when no shape matches.
   */
  body(text: string, at: number): { record: ScannedRecord | undefined; end: number } | undefined {
    const shapes = this.candidates(text, at);
    if (!shapes) return undefined;
    for (let k = 0; k < shapes.length; k++) {
      const shape = shapes[k]!;
      const match = exec(shape.pattern, text, at);
      if (match) return { record: recordOf(shape, match, text, at, shape.pattern.lastIndex, true), end: shape.pattern.lastIndex };
    }
    return undefined;
  }
}

/** The event name of a stamped record that is not a digest; undefined for anything else. */
function stampedName(value: unknown): string | undefined {
  return isObject(value) && typeof value.name === 'string' && value.name !== DIGEST_EVENT && isObject(value.integrity) ? value.name : undefined;
}

/** Whether a decoded body is a stamped record that is not a digest: one a reader learns a shape from. */
export const isStampedEvent = (body: unknown): boolean => stampedName(body) !== undefined;

/** The top-level members of a kvlist AnyValue, one level deep (name as a string, integrity as present), for stampedName. */
function kvlistObject(parsed: unknown): Record<string, unknown> | undefined {
  const values = isObject(parsed) && isObject(parsed.kvlistValue) ? parsed.kvlistValue.values : undefined;
  if (!Array.isArray(values)) return undefined;
  const out: Record<string, unknown> = {};
  for (const entry of values as unknown[]) {
    if (!isObject(entry) || typeof entry.key !== 'string' || !isObject(entry.value)) continue;
    if (entry.key === 'name') out.name = entry.value.stringValue;
    else if (entry.key === 'integrity') out.integrity = entry.value.kvlistValue;
  }
  return out;
}

/** A match at `at`; null when there is none, or the text is too long for the engine's backtracking stack. */
function exec(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  try {
    return pattern.exec(text);
  } catch {
    return null;
  }
}
