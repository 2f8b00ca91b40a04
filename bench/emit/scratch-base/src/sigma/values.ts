// Value matchers: one Sigma value with its modifiers compiled into a predicate
// over one event value. Strings compare case-insensitively unless `cased`;
// `*` and `?` are wildcards and a backslash escapes them. Wildcard values are
// matched by compileGlob, never by a (backtracking) RegExp: O(n·m) at worst.

export type ValuePredicate = (value: unknown) => boolean;
export type StringMode = 'eq' | 'contains' | 'startswith' | 'endswith';

/** An event value as the string Sigma compares against; objects and null have none. */
export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/**
 * `text.toLowerCase()`, but `text` itself when it is ASCII without capital
 * letters, as most event values are: toLowerCase() always makes a new string,
 * which on the matching path is garbage per event and value. Any other
 * character (non-ASCII can lower-case to ASCII, e.g. U+212A to "k") takes
 * toLowerCase().
 */
export function lowerCase(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f || (code >= 0x41 && code <= 0x5a)) return text.toLowerCase();
  }
  return text;
}

/** A Sigma string as literal text and wildcards (`*`, `?`). */
export interface SigmaStringToken {
  text: string;
  wildcard: boolean;
}

/**
 * Parses wildcards and escapes: `\*`, `\?` and `\\` are literal; a backslash
 * before any other character is itself literal (spec 2.1, "Escaping").
 */
export function parseSigmaString(value: string): SigmaStringToken[] {
  const tokens: SigmaStringToken[] = [];
  let literal = '';
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char === '\\' && (value[i + 1] === '*' || value[i + 1] === '?' || value[i + 1] === '\\')) {
      literal += value[++i];
    } else if (char === '*' || char === '?') {
      if (literal) tokens.push({ text: literal, wildcard: false });
      literal = '';
      tokens.push({ text: char, wildcard: true });
    } else {
      literal += char;
    }
  }
  if (literal) tokens.push({ text: literal, wildcard: false });
  return tokens;
}

/** A run of a glob between stars: literal code units, where `any` marks the `?` positions. */
interface GlobSegment {
  text: string;
  /** Positions holding `?` (any one code unit); undefined when there are none. */
  any: Uint8Array | undefined;
  /** The longest run of literal text in the segment and where it starts: what indexOf looks for. */
  run: string;
  runOffset: number;
}

function globSegment(tokens: readonly SigmaStringToken[]): GlobSegment {
  let text = '';
  const anyAt: number[] = [];
  for (const token of tokens) {
    if (token.wildcard) anyAt.push(text.length);
    text += token.wildcard ? '?' : token.text;
  }
  let any: Uint8Array | undefined;
  let run = text;
  let runOffset = 0;
  if (anyAt.length > 0) {
    any = new Uint8Array(text.length);
    for (const at of anyAt) any[at] = 1;
    run = '';
    for (let start = 0; start < text.length;) {
      if (any[start]) {
        start++;
        continue;
      }
      let end = start;
      while (end < text.length && !any[end]) end++;
      if (end - start > run.length) {
        run = text.slice(start, end);
        runOffset = start;
      }
      start = end;
    }
  }
  return { text, any, run, runOffset };
}

/** Whether `segment` matches `s` at `at` (which leaves room for it). */
function segmentAt(segment: GlobSegment, s: string, at: number): boolean {
  const { text, any } = segment;
  if (any === undefined) return s.startsWith(text, at);
  for (let i = 0; i < text.length; i++) {
    if (any[i] === 0 && s.charCodeAt(at + i) !== text.charCodeAt(i)) return false;
  }
  return true;
}

/** The leftmost position from `from` on where `segment` matches `s` and ends by `limit`, or -1. */
function findSegment(segment: GlobSegment, s: string, from: number, limit: number): number {
  const { text, run, runOffset } = segment;
  const last = limit - text.length;
  if (last < from) return -1;
  if (run === '') return from; // only `?`: any position with room
  // Candidates are where the segment's longest literal run occurs: indexOf
  // skips the rest, and each candidate costs at most the segment's length.
  for (let found = s.indexOf(run, from + runOffset); found !== -1; found = s.indexOf(run, found + 1)) {
    const at = found - runOffset;
    if (at > last) return -1;
    if (segment.any === undefined || segmentAt(segment, s, at)) return at;
  }
  return -1;
}

/**
 * A glob (Sigma's `*` and `?`, tokens from parseSigmaString) compiled for one
 * match mode into a test on strings. No backtracking regex: the text between
 * stars is a list of fixed-length segments; the first must match at the start
 * and the last at the end (when the mode and the pattern anchor them), and each
 * middle one is found at its leftmost position after the previous one, which is
 * all a star allows. Literal segments are found with indexOf; a segment with
 * `?` is tried only where its longest literal run occurs. So a test costs
 * O(n·m) at worst (n the string's length, m the pattern's) and O(n) for
 * `*a*b*c*` patterns. `?` stands for one UTF-16 code unit, as `.` in a RegExp
 * without the `u` flag. Case is the caller's business (lower-case both sides).
 */
export function compileGlob(tokens: readonly SigmaStringToken[], mode: StringMode): (s: string) => boolean {
  const segments: GlobSegment[] = [];
  let current: SigmaStringToken[] = [];
  let anchoredStart = mode === 'eq' || mode === 'startswith';
  let anchoredEnd = mode === 'eq' || mode === 'endswith';
  tokens.forEach((token, index) => {
    if (token.wildcard && token.text === '*') {
      if (index === 0) anchoredStart = false;
      if (index === tokens.length - 1) anchoredEnd = false;
      if (current.length > 0) segments.push(globSegment(current));
      current = [];
    } else {
      current.push(token);
    }
  });
  if (current.length > 0) segments.push(globSegment(current));
  if (segments.length === 0) return () => true; // only stars (or nothing): any string
  const first = segments[0]!;
  if (segments.length === 1 && anchoredStart && anchoredEnd) {
    // No star: the whole string, one code unit per `?`.
    return (s) => s.length === first.text.length && segmentAt(first, s, 0);
  }
  const lastSegment = segments[segments.length - 1]!;
  const middleFrom = anchoredStart ? 1 : 0;
  const middleTo = anchoredEnd ? segments.length - 1 : segments.length;
  return (s) => {
    let start = 0;
    let end = s.length;
    if (anchoredStart) {
      if (first.text.length > end || !segmentAt(first, s, 0)) return false;
      start = first.text.length;
    }
    if (anchoredEnd) {
      const at = end - lastSegment.text.length;
      if (at < start || !segmentAt(lastSegment, s, at)) return false;
      end = at;
    }
    for (let i = middleFrom; i < middleTo; i++) {
      const segment = segments[i]!;
      const at = findSegment(segment, s, start, end);
      if (at < 0) return false;
      start = at + segment.text.length;
    }
    return true;
  };
}

/** Compiles a string value with a match mode into a predicate on event values; `literal` skips wildcard parsing. */
export function stringPredicate(value: string, mode: StringMode, cased: boolean, literal = false): ValuePredicate {
  const tokens = literal ? [{ text: value, wildcard: false }] : parseSigmaString(value);
  if (!tokens.some((token) => token.wildcard)) {
    const text = tokens.map((token) => token.text).join('');
    const expected = cased ? text : text.toLowerCase();
    if (mode === 'eq' && !cased && !/[^\x20-\x7e]/.test(expected)) {
      // Lower-casing never shortens a string, and only non-ASCII letters lengthen
      // one, so a value of another length cannot equal an ASCII expectation.
      return (v) => {
        const s = asString(v);
        return s !== undefined && s.length === expected.length && (s === expected || lowerCase(s) === expected);
      };
    }
    const compare = {
      eq: (s: string) => s === expected,
      contains: (s: string) => s.includes(expected),
      startswith: (s: string) => s.startsWith(expected),
      endswith: (s: string) => s.endsWith(expected),
    }[mode];
    return (v) => {
      const s = asString(v);
      return s !== undefined && compare(cased ? s : lowerCase(s));
    };
  }
  // Case-insensitive globs compare lower-cased text, as plain values do: the
  // pattern lower-cased here once, the event value per test.
  const glob = compileGlob(cased ? tokens : parseSigmaString(value.toLowerCase()), mode);
  return (v) => {
    const s = asString(v);
    return s !== undefined && glob(cased ? s : lowerCase(s));
  };
}

export function numberPredicate(operator: 'lt' | 'lte' | 'gt' | 'gte', limit: number): ValuePredicate {
  const test = { lt: (n: number) => n < limit, lte: (n: number) => n <= limit, gt: (n: number) => n > limit, gte: (n: number) => n >= limit }[operator];
  return (v) => {
    if (typeof v === 'number') return test(v);
    if (typeof v === 'string' && v.trim() !== '') {
      const n = Number(v);
      return Number.isFinite(n) && test(n);
    }
    return false;
  };
}

// ---- IP ranges (cidr) ----

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let result = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    result = (result << 8n) | BigInt(part);
  }
  return result;
}

function parseIpv6(text: string): bigint | undefined {
  // The longest IPv6 text (with an IPv4 tail and a zone) is far shorter; a longer value is no address, and is not scanned.
  if (text.length > 100) return undefined;
  let address = text;
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(?:^|[^\d.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(address);
  if (v4) {
    const tail = parseIpv4(v4[1]!);
    if (tail === undefined) return undefined;
    address = address.slice(0, -v4[1]!.length) + ((tail >> 16n) & 0xffffn).toString(16) + ':' + (tail & 0xffffn).toString(16);
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let result = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    result = (result << 16n) | BigInt(parseInt(group, 16));
  }
  return result;
}

/** Throws when `cidr` is not a valid IPv4 or IPv6 network. */
export function cidrPredicate(cidr: string): ValuePredicate {
  const [address = '', prefixText] = cidr.split('/');
  const isV6 = address.includes(':');
  const bits = isV6 ? 128 : 32;
  const base = isV6 ? parseIpv6(address) : parseIpv4(address);
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) throw new Error(`"${cidr}" is not a CIDR network`);
  const shift = BigInt(bits - prefix);
  const network = base >> shift;
  return (v) => {
    const s = asString(v);
    if (s === undefined) return false;
    const ip = isV6 ? (s.includes(':') ? parseIpv6(s) : undefined) : parseIpv4(s);
    return ip !== undefined && ip >> shift === network;
  };
}

// ---- encodings (base64, base64offset, utf16*, wide, windash) ----

export function base64(text: string | Buffer): string {
  return Buffer.from(text).toString('base64');
}

/** The three base64 forms of `text` at byte offsets 0, 1 and 2 inside a longer string (pySigma's algorithm). */
export function base64Offsets(text: Buffer): string[] {
  const startOffsets = [0, 2, 3];
  const endOffsets = [0, -3, -2];
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset, ' '), text]).toString('base64');
    const end = endOffsets[(offset + text.length) % 3]!;
    return encoded.slice(startOffsets[offset], end === 0 ? undefined : end);
  });
}

export function utf16(text: string, encoding: 'le' | 'be' | 'bom'): Buffer {
  const le = Buffer.from(text, 'utf16le');
  if (encoding === 'le') return le;
  if (encoding === 'bom') return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  const be = Buffer.from(le);
  be.swap16();
  return be;
}

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];

/** At most this many variants of one value: windash makes 5^k of a value with k options (and expand multiplies). */
export const MAX_VARIANTS = 4096;

/** Every form of a command line whose option characters are written with a dash, a slash or a Unicode dash; throws past MAX_VARIANTS. */
export function windashVariants(text: string): string[] {
  let options = 0;
  for (let i = 0; i < text.length; i++) if ((text[i] === '-' || text[i] === '/') && (i === 0 || /\s/.test(text[i - 1]!))) options++;
  if (DASHES.length ** options > MAX_VARIANTS) throw new Error(`"windash" would make ${DASHES.length}^${options} variants of this value (at most ${MAX_VARIANTS}): split it into several values`);
  let variants = [''];
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const optionStart = (char === '-' || char === '/') && (i === 0 || /\s/.test(text[i - 1]!));
    variants = optionStart ? variants.flatMap((v) => DASHES.map((d) => v + d)) : variants.map((v) => v + char);
  }
  return variants;
}

// ---- timestamp parts ----

export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

function isoWeek(date: Date): number {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  return Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

/** The UTC part of a timestamp value (ISO string, epoch milliseconds, or nanoseconds as a digit string). */
export function timePart(value: unknown, part: TimePart): number | undefined {
  let millis: number | undefined;
  if (typeof value === 'number') millis = value;
  else if (typeof value === 'string' && /^\d{16,}$/.test(value)) millis = Number(BigInt(value) / 1_000_000n);
  else if (typeof value === 'string') millis = Date.parse(value);
  if (millis === undefined || Number.isNaN(millis)) return undefined;
  const date = new Date(millis);
  switch (part) {
    case 'minute': return date.getUTCMinutes();
    case 'hour': return date.getUTCHours();
    case 'day': return date.getUTCDate();
    case 'week': return isoWeek(date);
    case 'month': return date.getUTCMonth() + 1;
    case 'year': return date.getUTCFullYear();
  }
}
