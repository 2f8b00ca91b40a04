// Reads the `body` of every log record in one OTLP/JSON logs request (a line
// of the collector's file exporter) without building the rest of it: verify
// needs only the bodies, and JSON.parse of a whole request (attributes,
// resources, AnyValue wrappers) costs most of a read. The scanner walks the
// text once, checks that all of it is JSON as JSON.parse reads it (strings and
// their escapes, numbers, nesting, nothing after the value), and picks each
// record's body member as JSON.parse would keep it (the last of duplicate
// keys, keys written with escapes decoded). A body written as the file
// exporter writes one (no whitespace, one member per AnyValue) is decoded
// straight from the text into what decodeAnyValue makes of it; any other is
// parsed and decoded. Whenever the scanner is not sure (malformed text, a
// request of another shape, deep nesting) it gives up and the caller parses
// the whole line as before, so it changes only the speed, never what is read
// (test/integrity/otlp-scan.property.test.ts). With the shapes a reader has
// learned (shapes.ts), a stamped body of a known shape is not decoded at all:
// it is read straight into its canonical JSON.
import { decodeAnyValue } from '../event/otlp-json.js';
import { ScannedRecord } from './scanned.js';
import { isStampedEvent, type Shapes } from './shapes.js';

/** Thrown (and caught) when the scanner gives up. */
const GIVE_UP = new Error('not scanned');

/** Nesting the skipper follows (JSON.parse has no such limit: deeper text takes the parse path). */
const MAX_DEPTH = 512;

/** Nesting decoded straight from the text (deeper bodies are parsed and decoded as any other). */
const MAX_DECODED_DEPTH = 64;

/** Shorter slices are copies in V8, longer ones views into the string they are cut from. */
const SHORT_STRING = 13;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const UNICODE_ESCAPE = /[0-9a-fA-F]{4}/y;
/**
 * A JSON value written without whitespace, nesting at most three levels,
 * whose strings have no escapes (the file exporter's attribute lists).
 * Everything it matches is JSON; what it does not match is checked one
 * character at a time. Each alternative starts with its own character, so a
 * failed match gives up after one pass.
 */
const COMPACT_VALUE = (() => {
  const scalar = String.raw`"[^"\\\u0000-\u001f]*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null`;
  const string = String.raw`"[^"\\\u0000-\u001f]*"`;
  let value = scalar;
  for (let level = 0; level < 2; level++) value = String.raw`${scalar}|\{(?:${string}:(?:${value})(?:,${string}:(?:${value}))*)?\}|\[(?:(?:${value})(?:,(?:${value}))*)?\]`;
  return new RegExp(String.raw`(?:\{(?:${string}:(?:${value})(?:,${string}:(?:${value}))*)?\}|\[(?:(?:${value})(?:,(?:${value}))*)?\])`, 'y');
})();

/** Characters allowed after a backslash, besides `u`: " \ / b f n r t. */
const isSimpleEscape = (c: number) => c === QUOTE || c === BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74;

/** A body the scanner did not decode: its text is parsed and decoded after the scan. */
const UNDECODED = Symbol('undecoded');

class Scanner {
  private i = 0;
  /** Per record: its body, or UNDECODED (its span is in `spans`). */
  readonly bodies: unknown[] = [];
  /** Per record: the start and end of its body's text, for an undecoded body. */
  readonly spans: number[] = [];
  /** Whether the last string read had an escape. */
  private escaped = false;
  private readonly stack = new Uint8Array(MAX_DEPTH);

  /** `shapes`: bodies of a learned shape are read straight into canonical JSON (shapes.ts), not decoded. */
  constructor(
    private readonly s: string,
    private readonly shapes?: Shapes,
  ) {}

  /** Whether the text is a request whose `resourceLogs` is an array (then `bodies` holds its records' bodies); throws GIVE_UP when it is not JSON. */
  request(): boolean {
    this.ws();
    if (this.s.charCodeAt(this.i) !== OPEN_OBJECT) return false;
    let found = false;
    this.members((keyStart, keyEnd) => {
      if (!this.keyIs(keyStart, keyEnd, 'resourceLogs')) return false;
      // JSON.parse keeps the last of duplicate members: what an earlier one found is dropped.
      this.truncate(0);
      found = this.s.charCodeAt(this.i) === OPEN_ARRAY;
      if (found) this.elements(() => this.resourceLogs());
      else this.skipValue();
      return true;
    });
    this.ws();
    if (this.i !== this.s.length) throw GIVE_UP; // text after the value
    return found;
  }

  /** Drops the records read since there were `count`: what an earlier duplicate member held. */
  private truncate(count: number): void {
    this.bodies.length = count;
    this.spans.length = 2 * count;
  }

  private resourceLogs(): void {
    this.listMember('scopeLogs', () => this.scopeLogs());
  }

  private scopeLogs(): void {
    this.listMember('logRecords', () => this.logRecord());
  }

  /** An object whose member `name`, when an array, holds elements read by `element`; anything else is skipped. */
  private listMember(name: string, element: () => void): void {
    if (this.s.charCodeAt(this.i) !== OPEN_OBJECT) return this.skipValue();
    const mark = this.bodies.length;
    this.members((keyStart, keyEnd) => {
      if (!this.keyIs(keyStart, keyEnd, name)) return false;
      this.truncate(mark); // the last duplicate wins
      if (this.s.charCodeAt(this.i) === OPEN_ARRAY) this.elements(element);
      else this.skipValue();
      return true;
    });
  }

  private logRecord(): void {
    let body: unknown = null; // a record with no body, or that is not an object, reads as a null body
    let start = -1;
    let end = -1;
    if (this.s.charCodeAt(this.i) === OPEN_OBJECT) {
      this.members((keyStart, keyEnd) => {
        if (!this.keyIs(keyStart, keyEnd, 'body')) return false;
        start = this.i;
        const scanned = this.shapes?.body(this.s, start);
        if (scanned) {
          // a record verify reads straight from its text, or (undefined) one it reads the generic way
          body = scanned.record ?? UNDECODED;
          end = this.i = scanned.end;
          return true;
        }
        try {
          body = this.anyValue(0);
        } catch (error) {
          if (error !== GIVE_UP) throw error;
          // not as the file exporter writes it: checked here, parsed and decoded after the scan
          this.i = start;
          this.skipValue();
          body = UNDECODED;
        }
        end = this.i;
        return true;
      });
    } else {
      this.skipValue();
    }
    this.bodies.push(body);
    this.spans.push(start, end);
  }

  /**
   * An AnyValue as the file exporter writes it, decoded as decodeAnyValue
   * decodes it: `{}` or one member (stringValue, boolValue, intValue,
   * doubleValue, arrayValue or kvlistValue, with `values`), no whitespace.
   * Anything else throws GIVE_UP. What it reads is JSON by construction.
   */
  private anyValue(depth: number): unknown {
    const s = this.s;
    if (s.charCodeAt(this.i) !== OPEN_OBJECT || depth > MAX_DECODED_DEPTH) throw GIVE_UP;
    let value: unknown;
    if (s.startsWith('{"stringValue":"', this.i)) {
      this.i += 15;
      value = this.stringValue();
    } else if (s.startsWith('{"kvlistValue":{"values":[', this.i)) {
      this.i += 26;
      const result: Record<string, unknown> = {};
      if (s.charCodeAt(this.i) === CLOSE_ARRAY) this.i++;
      else {
        for (;;) {
          if (!s.startsWith('{"key":"', this.i)) throw GIVE_UP;
          this.i += 7;
          const key = this.stringValue();
          if (!s.startsWith(',"value":', this.i)) throw GIVE_UP;
          this.i += 9;
          // as decodeKeyValues assigns it (a "__proto__" key included)
          result[key] = this.anyValue(depth + 1);
          if (s.charCodeAt(this.i++) !== CLOSE_OBJECT) throw GIVE_UP;
          const c = s.charCodeAt(this.i++);
          if (c === CLOSE_ARRAY) break;
          if (c !== COMMA) throw GIVE_UP;
        }
      }
      if (s.charCodeAt(this.i++) !== CLOSE_OBJECT) throw GIVE_UP;
      value = result;
    } else if (s.startsWith('{"intValue":"', this.i)) {
      this.i += 12;
      const text = this.stringValue();
      const asNumber = Number(text);
      value = Number.isSafeInteger(asNumber) ? asNumber : text; // as decodeAnyValue
    } else if (s.startsWith('{"boolValue":', this.i)) {
      this.i += 13;
      if (s.startsWith('true', this.i)) value = true;
      else if (s.startsWith('false', this.i)) value = false;
      else throw GIVE_UP;
      this.i += value ? 4 : 5;
    } else if (s.startsWith('{"arrayValue":{"values":[', this.i)) {
      this.i += 25;
      const items: unknown[] = [];
      if (s.charCodeAt(this.i) === CLOSE_ARRAY) this.i++;
      else {
        for (;;) {
          items.push(this.anyValue(depth + 1));
          const c = s.charCodeAt(this.i++);
          if (c === CLOSE_ARRAY) break;
          if (c !== COMMA) throw GIVE_UP;
        }
      }
      if (s.charCodeAt(this.i++) !== CLOSE_OBJECT) throw GIVE_UP;
      value = items;
    } else if (s.startsWith('{"doubleValue":', this.i)) {
      this.i += 15;
      NUMBER.lastIndex = this.i;
      if (!NUMBER.test(s)) throw GIVE_UP;
      value = Number(s.slice(this.i, NUMBER.lastIndex)); // a JSON number reads the same with Number()
      this.i = NUMBER.lastIndex;
    } else if (s.charCodeAt(this.i + 1) === CLOSE_OBJECT) {
      this.i += 1;
      value = null;
    } else {
      throw GIVE_UP;
    }
    if (s.charCodeAt(this.i++) !== CLOSE_OBJECT) throw GIVE_UP;
    return value;
  }

  /**
   * The string at i (at its opening quote), read. A long slice would be a
   * view into the whole line and keep it alive as long as the value (verify
   * keeps ids and hashes of every record): such strings are copied.
   */
  private stringValue(): string {
    const start = this.i;
    this.string();
    if (this.escaped) return JSON.parse(this.s.slice(start, this.i)) as string;
    const text = this.s.slice(start + 1, this.i - 1);
    return text.length < SHORT_STRING ? text : (text + ' ').slice(0, -1); // the concatenation is flattened into a string of its own
  }

  /**
   * The members of the object at i. `member` is called with i at each value
   * and the span of its key (quotes included); it reads the value and returns
   * true, or returns false to have it skipped.
   */
  private members(member: (keyStart: number, keyEnd: number) => boolean): void {
    const s = this.s;
    this.i++;
    this.ws();
    if (s.charCodeAt(this.i) === CLOSE_OBJECT) {
      this.i++;
      return;
    }
    for (;;) {
      const keyStart = this.i;
      if (s.charCodeAt(keyStart) !== QUOTE) throw GIVE_UP;
      this.string();
      const keyEnd = this.i;
      this.ws();
      if (s.charCodeAt(this.i++) !== COLON) throw GIVE_UP;
      this.ws();
      if (!member(keyStart, keyEnd)) this.skipValue();
      this.ws();
      const c = s.charCodeAt(this.i++);
      if (c === CLOSE_OBJECT) return;
      if (c !== COMMA) throw GIVE_UP;
      this.ws();
    }
  }

  /** The elements of the array at i, each read by `element` (with i at it). */
  private elements(element: () => void): void {
    const s = this.s;
    this.i++;
    this.ws();
    if (s.charCodeAt(this.i) === CLOSE_ARRAY) {
      this.i++;
      return;
    }
    for (;;) {
      element();
      this.ws();
      const c = s.charCodeAt(this.i++);
      if (c === CLOSE_ARRAY) return;
      if (c !== COMMA) throw GIVE_UP;
      this.ws();
    }
  }

  /** Whether the key just read, at [start, end) (quotes included), is `name` once its escapes are read. */
  private keyIs(start: number, end: number, name: string): boolean {
    const s = this.s;
    if (this.escaped) return JSON.parse(s.slice(start, end)) === name;
    return end - start - 2 === name.length && s.startsWith(name, start + 1);
  }

  private ws(): void {
    const s = this.s;
    let c = s.charCodeAt(this.i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++this.i);
  }

  /** Past the string at i (at its opening quote), checking its escapes and that it has no raw control character. */
  private string(): void {
    const s = this.s;
    let i = this.i + 1;
    this.escaped = false;
    for (;;) {
      const c = s.charCodeAt(i++);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        this.escaped = true;
        const e = s.charCodeAt(i++);
        if (e === 0x75) {
          UNICODE_ESCAPE.lastIndex = i;
          if (!UNICODE_ESCAPE.test(s)) throw GIVE_UP;
          i += 4;
        } else if (!isSimpleEscape(e)) {
          throw GIVE_UP;
        }
      } else if (!(c >= 0x20)) {
        throw GIVE_UP; // a raw control character, or the end of the text (NaN)
      }
    }
    this.i = i;
  }

  /** Past one JSON value at i, checking it, without building it. */
  private skipValue(): void {
    const s = this.s;
    const c0 = s.charCodeAt(this.i);
    if (c0 === OPEN_ARRAY || c0 === OPEN_OBJECT) {
      // Most skipped values (attribute lists) are compact and shallow: one native match checks them.
      if (this.compact()) return;
    }
    const stack = this.stack;
    let depth = 0;
    for (;;) {
      // a value
      const c = s.charCodeAt(this.i);
      if (c === QUOTE) {
        this.string();
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        this.i++;
        this.ws();
        const close = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
        if (s.charCodeAt(this.i) === close) {
          this.i++;
        } else {
          if (depth === MAX_DEPTH) throw GIVE_UP;
          stack[depth++] = c;
          if (c === OPEN_OBJECT) this.key();
          continue;
        }
      } else if (c === 0x74) {
        this.literal('true');
      } else if (c === 0x66) {
        this.literal('false');
      } else if (c === 0x6e) {
        this.literal('null');
      } else {
        NUMBER.lastIndex = this.i;
        if (!NUMBER.test(s)) throw GIVE_UP;
        this.i = NUMBER.lastIndex;
      }
      // after a value: the next element or member, or the end of containers
      for (;;) {
        if (depth === 0) return;
        this.ws();
        const next = s.charCodeAt(this.i++);
        const open = stack[depth - 1];
        if (next === COMMA) {
          this.ws();
          if (open === OPEN_OBJECT) this.key();
          break;
        }
        if (next !== (open === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY)) throw GIVE_UP;
        depth--;
      }
    }
  }

  /** Past the compact value at i (COMPACT_VALUE) if there is one there. */
  private compact(): boolean {
    COMPACT_VALUE.lastIndex = this.i;
    let matched: boolean;
    try {
      matched = COMPACT_VALUE.test(this.s);
    } catch {
      return false; // a list too long for the regexp engine's backtracking stack: checked a character at a time
    }
    if (matched) this.i = COMPACT_VALUE.lastIndex;
    return matched;
  }

  /** A member name and its colon, leaving i at the value. */
  private key(): void {
    if (this.s.charCodeAt(this.i) !== QUOTE) throw GIVE_UP;
    this.string();
    this.ws();
    if (this.s.charCodeAt(this.i++) !== COLON) throw GIVE_UP;
    this.ws();
  }

  private literal(word: string): void {
    if (!this.s.startsWith(word, this.i)) throw GIVE_UP;
    this.i += word.length;
  }
}

/**
 * The bodies of the log records of `text`, an OTLP/JSON logs request, decoded
 * as decodeAnyValue decodes them: what `JSON.parse` and decodeAnyValue would
 * make of them. Undefined when the text is not JSON, not an object whose
 * `resourceLogs` is an array, or nests deeper than the scanner follows: then
 * the text must be read with JSON.parse. Throws decodeAnyValue's error for a
 * body that is not a well-formed AnyValue.
 */
export function scanRequestBodies(text: string): unknown[] | undefined {
  return scanRequest(text);
}

/**
 * As scanRequestBodies, but with `shapes` a record whose body has a learned
 * shape is a ScannedRecord (its canonical JSON, not its body); the reader
 * learns from the bodies it decodes the generic way.
 */
export function scanRequest(text: string, shapes?: Shapes): unknown[] | undefined {
  const scanner = new Scanner(text, shapes);
  try {
    if (!scanner.request()) return undefined;
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
  const { bodies, spans } = scanner;
  for (let k = 0; k < bodies.length; k++) {
    const from = spans[2 * k]!;
    const to = spans[2 * k + 1]!;
    const body = bodies[k];
    if (body === UNDECODED || (shapes?.learning && !(body instanceof ScannedRecord) && isStampedEvent(body))) {
      // a body of a shape learned from an earlier body of this line
      const again = shapes?.body(text, from);
      if (again?.record && again.end === to) {
        bodies[k] = again.record;
        continue;
      }
      // the generic path; a stamped body of no shape yet teaches one (learn() parses nothing it does not need)
      const value = JSON.parse(text.slice(from, to)) as Parameters<typeof decodeAnyValue>[0];
      bodies[k] = decodeAnyValue(value);
      if (!again) shapes?.learn(value);
    }
  }
  return bodies;
}
