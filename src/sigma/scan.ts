// Decodes only the fields the compiled rules read from one JSON object line.
// JSON.parse builds every key and value of a line (about three quarters of the
// CPU of matching a JSON-lines file); this scanner checks the whole line's
// syntax but builds only the values of the wanted top-level keys. Whatever it
// returns equals what JSON.parse would give for those keys (the last of
// duplicate keys wins, `__proto__` is a plain key); anything it is not sure of
// (a line that is not a valid JSON object, nesting deeper than MAX_DEPTH) it
// refuses, and the caller parses the line with JSON.parse, which then gives the
// value or the syntax error. So a malformed line is never matched or skipped.

/** Deeper containers are left to JSON.parse (the scanner's depth stack is fixed). */
const MAX_DEPTH = 512;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The top-level keys a scanner looks for, each with its index (its position
 * in `names`). Marker keys, and keys starting with the marker prefix (checked
 * first), all share index names.length: the caller only needs to know
 * whether one was there.
 */
export class ScanFields {
  /**
   * Per key length: the position where that length's wanted keys differ most,
   * and per character code there (below 128), the key's index plus one (0:
   * none, -1: several, then `names` is searched). So a key in a line costs two
   * character reads and one comparison, even when every wanted key starts
   * with `audit.data.`.
   */
  private readonly byLength: ({ at: number; table: Int16Array } | undefined)[] = [];
  /** How many indexes there are: scanObject's `positions` hold STRIDE numbers per index. */
  readonly count: number;
  /** The names, then the marker keys; `indexes[k]` is key k's index (the marker index for marker keys). */
  private readonly names: readonly string[];
  private readonly indexes: readonly number[];
  private readonly markerPrefix: string | undefined;

  constructor(names: readonly string[], markers?: { keys: readonly string[]; prefix?: string }) {
    this.names = [...names, ...(markers?.keys ?? [])];
    this.indexes = this.names.map((_, k) => Math.min(k, names.length));
    this.markerPrefix = markers?.prefix;
    this.count = names.length + (markers === undefined ? 0 : 1);
    names = this.names;
    const groups = new Map<number, string[]>();
    for (const name of names) groups.set(name.length, [...(groups.get(name.length) ?? []), name]);
    for (const [length, group] of groups) {
      let at = 0;
      let distinct = 0;
      for (let position = 0; position < length; position++) {
        const codes = new Set(group.map((name) => name.charCodeAt(position))).size;
        if (codes > distinct) [at, distinct] = [position, codes];
      }
      const table = new Int16Array(128);
      for (const name of group) {
        const code = name.charCodeAt(at);
        if (code < 128) table[code] = table[code] === 0 ? names.indexOf(name) + 1 : -1;
      }
      // A non-ASCII character there: searched (table entries stay for the ASCII ones).
      this.byLength[length] = { at, table };
    }
  }

  /**
   * The index of the key text[start, end) (unescaped), or -1 when it is not
   * wanted. Unless `strict`, a key the table points to is not compared in
   * full: the index is a guess (`guessed` is set), which readValue() checks
   * when its value is read. Most keys of a line are never read, and comparing
   * them all cost more than the rest of the scan.
   */
  indexAt(text: string, start: number, end: number, strict = true): number {
    guessed = false;
    const prefix = this.markerPrefix;
    if (prefix !== undefined && text.charCodeAt(start) === prefix.charCodeAt(0) && end - start >= prefix.length && text.startsWith(prefix, start)) return this.count - 1;
    const bucket = this.byLength[end - start];
    if (bucket === undefined) return -1;
    if (end === start) return this.search(text, start, end); // the empty key: no character to look at
    const code = text.charCodeAt(start + bucket.at);
    const entry = code < 128 ? bucket.table[code]! : -1;
    if (entry > 0) {
      if (strict) return sameText(this.names[entry - 1]!, text, start) ? this.indexes[entry - 1]! : -1;
      guessed = true;
      return this.indexes[entry - 1]!;
    }
    if (entry === 0) return -1;
    return this.search(text, start, end);
  }

  /** indexAt's slow path: several wanted keys (or a non-ASCII character) where the table looks. */
  private search(text: string, start: number, end: number): number {
    for (let index = 0; index < this.names.length; index++) {
      const name = this.names[index]!;
      if (name.length === end - start && text.startsWith(name, start)) return this.indexes[index]!;
    }
    return -1;
  }

  /** The index of an already decoded key, or -1. */
  indexOf(name: string): number {
    return this.indexAt(name, 0, name.length);
  }

  /**
   * Whether the key before the value at `valueStart` (`"key" :`, which the scan
   * saw, so it has the length of wanted key `index`) is that key.
   */
  keyBefore(index: number, text: string, valueStart: number): boolean {
    let i = valueStart - 1;
    while (isSpace(text.charCodeAt(i))) i--; // to the colon
    i--;
    while (isSpace(text.charCodeAt(i))) i--; // to the key's closing quote
    const name = this.names[index]!;
    return sameText(name, text, i - name.length);
  }
}

/** Set by indexAt: the index it returned is a guess from the key's length and one character. */
let guessed = false;

/** Numbers per wanted key in scanObject's `positions`: value start + 1 (negated while the key is a guess), value end. */
export const STRIDE = 2;

/**
 * The value of wanted key `index` of the line text[start, end) that
 * scanObject scanned into `positions` at `base` (JSON.parse's value, or
 * undefined when the key is absent). The key is checked first: when its
 * guess was wrong (another key of the same length and character took the
 * slot), the line is scanned again, comparing every key.
 */
export function readValue(text: string, start: number, end: number, fields: ScanFields, positions: number[], base: number, index: number): unknown {
  const stored = positions[base + STRIDE * index]!;
  if (stored < 0 && !fields.keyBefore(index, text, -stored - 1)) {
    positions.fill(0, base, base + STRIDE * fields.count);
    scanObject(text, start, end, fields, positions, base, true);
  }
  return valueAt(text, positions, base, index);
}

/** Whether `text` holds `name` at `start` (which leaves room for it): a plain loop, cheaper than startsWith here. */
function sameText(name: string, text: string, start: number): boolean {
  for (let i = name.length - 1; i >= 0; i--) if (text.charCodeAt(start + i) !== name.charCodeAt(i)) return false;
  return true;
}

const isSpace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
const isDigit = (code: number) => code >= 0x30 && code <= 0x39;
const isHex = (code: number) => isDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);

/** Set by skipString: whether the string just skipped holds a backslash escape. */
let escaped = false;
/** Set by scanObject: the text has no backslash or control character before `end`, so a string ends at the next quote. */
let clean = false;

/** The index after the string starting at `i` (its opening quote), or -1 when it is not a valid JSON string. */
function skipString(text: string, i: number, end: number): number {
  escaped = false;
  if (clean) {
    // indexOf runs natively; nothing between the quotes can be an escape or a control character.
    const close = text.indexOf('"', i + 1);
    return close !== -1 && close < end ? close + 1 : -1;
  }
  for (i++; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) return i + 1;
    if (code < 0x20) return -1;
    if (code === BACKSLASH) {
      escaped = true;
      const next = text.charCodeAt(++i);
      if (next === 0x75 /* u */) {
        if (i + 4 >= end || !isHex(text.charCodeAt(i + 1)) || !isHex(text.charCodeAt(i + 2)) || !isHex(text.charCodeAt(i + 3)) || !isHex(text.charCodeAt(i + 4))) return -1;
        i += 4;
      } else if (!(next === QUOTE || next === BACKSLASH || next === 0x2f || next === 0x62 || next === 0x66 || next === 0x6e || next === 0x72 || next === 0x74)) {
        return -1;
      }
    }
  }
  return -1;
}

/** The index after the JSON number starting at `i`, or -1. */
function skipNumber(text: string, i: number, end: number): number {
  if (text.charCodeAt(i) === 0x2d /* - */) i++;
  if (i >= end) return -1;
  const lead = text.charCodeAt(i);
  if (lead === 0x30) i++;
  else if (lead >= 0x31 && lead <= 0x39) while (i < end && isDigit(text.charCodeAt(i))) i++;
  else return -1;
  if (i < end && text.charCodeAt(i) === 0x2e /* . */) {
    const from = ++i;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    if (i === from) return -1;
  }
  if (i < end && (text.charCodeAt(i) | 0x20) === 0x65 /* e or E */) {
    i++;
    if (i < end && (text.charCodeAt(i) === 0x2b || text.charCodeAt(i) === 0x2d)) i++;
    const from = i;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    if (i === from) return -1;
  }
  return i;
}

/** Open containers of skipValue: 1 for an object, 2 for an array. */
const stack = new Uint8Array(MAX_DEPTH);

/**
 * The index after the JSON value starting at `i` (no leading space), or -1
 * when it is not valid JSON (or nests deeper than MAX_DEPTH). Iterative:
 * nested objects and arrays are skipped by a depth stack, strings respected.
 */
function skipValue(text: string, i: number, end: number): number {
  let depth = 0;
  for (;;) {
    // A value at i.
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = skipString(text, i, end);
    } else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      const object = code === 0x7b;
      i++;
      while (i < end && isSpace(text.charCodeAt(i))) i++;
      if (i < end && text.charCodeAt(i) === (object ? 0x7d : 0x5d)) {
        i++; // empty container
      } else {
        if (depth === MAX_DEPTH) return -1;
        stack[depth++] = object ? 1 : 2;
        if (object) {
          i = skipKey(text, i, end);
          if (i < 0) return -1;
        }
        continue; // its first value
      }
    } else if (code === 0x74 /* t */) {
      i = text.startsWith('true', i) ? i + 4 : -1;
    } else if (code === 0x66 /* f */) {
      i = text.startsWith('false', i) ? i + 5 : -1;
    } else if (code === 0x6e /* n */) {
      i = text.startsWith('null', i) ? i + 4 : -1;
    } else {
      i = skipNumber(text, i, end);
    }
    if (i < 0 || i > end) return -1;
    // After a value: close containers, or go on to the next value.
    for (;;) {
      if (depth === 0) return i;
      while (i < end && isSpace(text.charCodeAt(i))) i++;
      if (i >= end) return -1;
      const next = text.charCodeAt(i);
      const object = stack[depth - 1] === 1;
      if (next === 0x2c /* , */) {
        i++;
        while (i < end && isSpace(text.charCodeAt(i))) i++;
        if (object) {
          i = skipKey(text, i, end);
          if (i < 0) return -1;
        }
        break;
      }
      if (next !== (object ? 0x7d : 0x5d)) return -1;
      i++;
      depth--;
    }
    if (i >= end) return -1;
  }
}

/** Skips `"key" :` and the space after it, from `i` (at the quote); returns the value's index or -1. */
function skipKey(text: string, i: number, end: number): number {
  if (i >= end || text.charCodeAt(i) !== QUOTE) return -1;
  i = skipString(text, i, end);
  if (i < 0) return -1;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  if (i >= end || text.charCodeAt(i) !== 0x3a /* : */) return -1;
  i++;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i < end ? i : -1;
}

/** The value scanObject recorded for wanted key `index`, its key taken as checked (readValue checks it). */
function valueAt(text: string, positions: number[], base: number, index: number): unknown {
  const stored = positions[base + STRIDE * index]!;
  if (stored === 0) return undefined;
  const start = (stored < 0 ? -stored : stored) - 1;
  const end = positions[base + STRIDE * index + 1]!;
  return end < 0 ? decode(text, start, ~end, true) : decode(text, start, end, false);
}

function decode(text: string, start: number, end: number, stringEscaped: boolean): unknown {
  const code = text.charCodeAt(start);
  if (code === QUOTE) return stringEscaped ? JSON.parse(text.slice(start, end)) : text.slice(start + 1, end - 1);
  if (code === 0x74) return true;
  if (code === 0x66) return false;
  if (code === 0x6e) return null;
  if (code === 0x7b || code === 0x5b) return JSON.parse(text.slice(start, end));
  return Number(text.slice(start, end)); // a valid JSON number: Number() reads it as JSON.parse does
}

/** A backslash or a control character other than \n (which only ends lines here). */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const SPECIAL = /[\x00-\x09\x0b-\x1f\\]/g;
/** The last text searched for SPECIAL, and the first such character found from `specialFrom` on in it (Infinity: none). */
let specialText = '';
let specialFrom = 0;
let special = 0;

/**
 * Records that `text` has no SPECIAL character: its reader checked the bytes
 * it decoded it from (chunks.ts), so isClean need not search it.
 */
export function knownClean(text: string): void {
  specialText = text;
  specialFrom = 0;
  special = Infinity;
}

/**
 * Whether text[start, end) has no SPECIAL character. Lines of one text are
 * usually scanned in order, so one regex search serves every line up to the
 * next special character (a file is searched once, not once per line).
 */
function isClean(text: string, start: number, end: number): boolean {
  if (text !== specialText || start < specialFrom || (special < start && special !== Infinity)) {
    SPECIAL.lastIndex = start;
    const found = SPECIAL.exec(text);
    specialText = text;
    specialFrom = start;
    special = found ? found.index : Infinity;
  }
  if (special < end) return false;
  // \n is left out of SPECIAL (it ends every line of a file); a text range holding one is scanned the careful way.
  const newline = text.indexOf('\n', start);
  return newline === -1 || newline >= end;
}

/**
 * Checks that text[start, end) is a JSON object (space around it allowed)
 * and records where the value of each wanted key is: `positions[base + 2i]` its
 * start plus one (0, as a new array holds, when absent; negated when its key is
 * a guess, see ScanFields.indexAt, never with `strict`), `positions[base + 2i + 1]`
 * its end (bitwise-not when a string holds escapes); readValue() checks the
 * key and decodes the value. Values are decoded only when read, so a line costs about one pass over its
 * quotes. Those STRIDE × fields.count numbers must be zeroed. Returns false, with `positions` in an
 * unspecified state, when the text is not a JSON object the scanner can vouch
 * for: the caller then parses it with JSON.parse, which gives the same values
 * or throws the syntax error.
 */
export function scanObject(text: string, start: number, end: number, fields: ScanFields, positions: number[], base = 0, strict = false): boolean {
  clean = isClean(text, start, end);
  let i = start;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  if (i >= end || text.charCodeAt(i) !== 0x7b) return false;
  i++;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  if (i < end && text.charCodeAt(i) === 0x7d) {
    i++;
  } else {
    for (;;) {
      if (i >= end || text.charCodeAt(i) !== QUOTE) return false;
      const keyStart = i;
      i = skipString(text, i, end);
      if (i < 0) return false;
      const index = escaped ? fields.indexOf(JSON.parse(text.slice(keyStart, i)) as string) : fields.indexAt(text, keyStart + 1, i - 1, strict);
      const guess = guessed && !escaped;
      while (i < end && isSpace(text.charCodeAt(i))) i++;
      if (i >= end || text.charCodeAt(i) !== 0x3a) return false;
      i++;
      while (i < end && isSpace(text.charCodeAt(i))) i++;
      if (i >= end) return false;
      const valueStart = i;
      const code = text.charCodeAt(i);
      // Top-level strings and numbers directly (most values); the rest through skipValue.
      let isString = false;
      if (code === QUOTE) {
        i = skipString(text, i, end);
        isString = true;
      } else if (isDigit(code) || code === 0x2d) {
        i = skipNumber(text, i, end);
      } else {
        i = skipValue(text, i, end);
      }
      if (i < 0) return false;
      if (index >= 0) {
        const at = base + STRIDE * index;
        positions[at] = guess ? -(valueStart + 1) : valueStart + 1;
        positions[at + 1] = isString && escaped ? ~i : i;
      }
      if (i >= end) return false;
      let next = text.charCodeAt(i++);
      if (isSpace(next)) {
        while (i < end && isSpace(text.charCodeAt(i))) i++;
        if (i >= end) return false;
        next = text.charCodeAt(i++);
      }
      if (next === 0x7d) break;
      if (next !== 0x2c) return false;
      while (i < end && isSpace(text.charCodeAt(i))) i++;
    }
  }
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i === end;
}
