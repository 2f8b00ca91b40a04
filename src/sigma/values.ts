// Value matchers: one Sigma value with its modifiers compiled into a predicate
// over one event value. Strings compare case-insensitively unless `cased`;
// `*` and `?` are wildcards and a backslash escapes them.

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

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
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
  let body = '';
  for (const token of tokens) body += token.wildcard ? (token.text === '*' ? '.*' : '.') : escapeRegex(token.text);
  const start = mode === 'eq' || mode === 'startswith' ? '^' : '';
  const end = mode === 'eq' || mode === 'endswith' ? '$' : '';
  const regex = new RegExp(start + body + end, cased ? 's' : 'is');
  return (v) => {
    const s = asString(v);
    return s !== undefined && regex.test(s);
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
  let address = text;
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
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

/** Every form of a command line whose option characters are written with a dash, a slash or a Unicode dash. */
export function windashVariants(text: string): string[] {
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
