// The two redaction rules of the contract (schemas/contract.json `sensitive`):
// - by name: a data path is sensitive when, lower-cased with '_', '-' and '.'
//   removed, it ends with one of the contract's names (apiToken, client_secret,
//   db-password, api.key; not tokenCount), or when the catalog lists it;
// - by value: secrets inside free text (bearer tokens, JWTs, URL passwords,
//   cloud keys, private key blocks) match one of the contract's value patterns,
//   and the matched secret is replaced.
// Values are replaced, never dropped, so a reader sees that something was there.
import { contract } from '../event/contract.js';

const verdicts = new Map<string, boolean>();
const MAX_REMEMBERED = 10_000;
/**
 * How much of a key or path the name rule reads: the end is all that matters,
 * and every key the contract's attributePattern matches ends in fewer
 * characters (a name with one separator between its words).
 */
const NAME_TAIL = 128;

/**
 * True when a data key's name, or a dotted data path, marks it as sensitive
 * (the contract's names). Given a path (`api.key`, `session.id`), the dots
 * count as separators, like `_` and `-`.
 */
export function isSensitiveName(key: string): boolean {
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    const normalized = (key.length > NAME_TAIL ? key.slice(-NAME_TAIL) : key).toLowerCase().replace(/[._-]/g, '');
    verdict = contract().sensitive.names.some((name) => normalized.endsWith(name));
    // Keys are usually a small fixed set; do not let hostile input grow the map forever.
    if (verdicts.size < MAX_REMEMBERED) verdicts.set(key, verdict);
  }
  return verdict;
}

/** The value that replaces a sensitive one ("[REDACTED]"). */
export function redactionReplacement(): string {
  return contract().sensitive.replacement;
}

interface ValuePattern {
  name: string;
  /** Global, with indices (the first group's position says what to replace), and unicode, so that classes and counts read code points as RE2 does. */
  regex: RegExp;
  triggers: string[];
  minLength: number;
}

interface ValueRules {
  patterns: ValuePattern[];
  /** Matches a string that contains any pattern's trigger. */
  trigger: RegExp;
  /** Shorter strings cannot hold a match of any pattern. */
  minLength: number;
  replacement: string;
}

let rules: ValueRules | undefined;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Compiles the contract's value patterns and the one pre-check built from their triggers. */
function valueRules(): ValueRules {
  if (!rules) {
    const { valuePatterns, replacement } = contract().sensitive;
    const triggers = [...new Set(valuePatterns.flatMap((p) => p.triggers))];
    // Single characters go into one class, which V8 scans fastest; longer triggers are alternatives.
    const singles = triggers.filter((t) => t.length === 1);
    const alternatives = triggers.filter((t) => t.length > 1).map(escapeRegExp);
    if (singles.length > 0) alternatives.unshift(`[${singles.map(escapeRegExp).join('')}]`);
    rules = {
      patterns: valuePatterns.map((p) => ({ name: p.name, regex: new RegExp(p.regex, 'gdu'), triggers: p.triggers, minLength: p.minLength })),
      trigger: new RegExp(alternatives.join('|')),
      minLength: Math.min(...valuePatterns.map((p) => p.minLength)),
      replacement,
    };
  }
  return rules;
}

/** True when `text` is long enough for a value pattern and contains one of their triggers: the cheap test every string value gets. */
export function hasSecretTrigger(text: string): boolean {
  const r = rules ?? valueRules();
  return text.length >= r.minLength && r.trigger.test(text);
}

/**
 * `text` with every secret the contract's value patterns find replaced (the
 * pattern's first capturing group, else its whole match); `text` itself when
 * there is none. Strings without a trigger cost one pre-check.
 */
export function redactText(text: string): string {
  const r = rules ?? valueRules();
  if (text.length < r.minLength || !r.trigger.test(text)) return text;
  return applyValuePatterns(text, r);
}

function applyValuePatterns(text: string, r: ValueRules): string {
  let result = text;
  for (const pattern of r.patterns) {
    if (result.length < pattern.minLength || !pattern.triggers.some((t) => result.includes(t))) continue;
    const regex = pattern.regex;
    regex.lastIndex = 0;
    let out = '';
    let done = 0;
    for (let match = regex.exec(result); match !== null; match = regex.exec(result)) {
      if (match[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      const group = match.length > 1 && match[1] !== undefined ? match.indices![1]! : undefined;
      const [from, to] = group ?? [match.index, match.index + match[0].length];
      out += result.slice(done, from) + r.replacement;
      done = to;
    }
    if (done > 0 || out !== '') result = out + result.slice(done);
  }
  return result;
}

const DATA_ATTRIBUTE_PREFIX = 'audit.data.';

/** `path` or one of its dotted parents is in `paths`. */
function underSensitivePath(path: string, paths: ReadonlySet<string>): boolean {
  for (let end = path.indexOf('.'); end !== -1; end = path.indexOf('.', end + 1)) if (paths.has(path.slice(0, end))) return true;
  return paths.has(path);
}

/** The largest estimated size redactValue keeps by default (the default limits.maxRecordBytes). */
export const REDACT_VALUE_MAX_BYTES = 262_144;

const TRUNCATED = '[Truncated]';

/**
 * A JSON-safe, redacted copy of any value, that never throws: for records that
 * failed validation but still leave the process (policy "mark"), and for
 * attributes set by hand. Keys are redacted by name (with their dotted path),
 * strings by value. Cycles become "[Circular]"; nesting past `maxDepth`, and
 * everything past `maxBytes` (estimated: key and string lengths, 8 per other
 * value), becomes "[Truncated]" (a string is cut where the budget ends), so a
 * marked record stays as small as a valid one may be. `sensitivePaths` are
 * dotted paths from `value` (array indices left out) whose values are replaced
 * too: a catalog's sensitive data paths, under `data.`.
 */
export function redactValue(value: unknown, maxDepth = 32, maxBytes: number = REDACT_VALUE_MAX_BYTES, sensitivePaths?: ReadonlySet<string>): unknown {
  const seen = new WeakSet<object>();
  let budget = maxBytes;
  const text = (s: string): string => {
    if (budget <= 0) return TRUNCATED;
    if (s.length > budget) {
      // Cut first (the patterns then see the part that stays), and never inside a surrogate pair.
      let end = budget;
      const code = s.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end--;
      s = `${s.slice(0, end)}…${TRUNCATED}`;
      budget = 0;
      return redactText(s);
    }
    budget -= s.length;
    return redactText(s);
  };
  const copy = (v: unknown, depth: number, path: string): unknown => {
    if (typeof v === 'string') return text(v);
    if (budget <= 0) return TRUNCATED;
    budget -= 8;
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'function' || typeof v === 'symbol') return text(String(v));
    if (typeof v !== 'object' || v === null) return v;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (v instanceof Uint8Array) {
      budget -= v.byteLength;
      return v;
    }
    if (seen.has(v)) return '[Circular]';
    if (depth > maxDepth) return TRUNCATED;
    seen.add(v);
    let result: unknown;
    if (Array.isArray(v)) result = v.map((item) => copy(item, depth + 1, path));
    else {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) {
        if (item === undefined) continue;
        budget -= key.length;
        const keyPath = path === '' ? key : `${path}.${key}`;
        const redacted = isSensitiveName(key) || isSensitiveName(keyPath) || sensitivePaths?.has(keyPath) ? redactionReplacement() : copy(item, depth + 1, keyPath);
        if (key === '__proto__') Object.defineProperty(out, key, { value: redacted, enumerable: true, writable: true, configurable: true });
        else out[key] = redacted;
      }
      result = out;
    }
    seen.delete(v);
    return result;
  };
  return copy(value, 0, '');
}

/**
 * An attribute set by hand on a record of the catalog, as it may leave the
 * process: masked when its key's last segment is a sensitive name
 * (`db.password`), complex values copied by redactValue, strings searched for
 * secrets by value. Returns `value` itself when nothing changes. With the
 * event's sensitive data paths (catalog), `audit.data.<path>` is masked when
 * the path or one of its parents is one of them.
 */
export function redactAttribute(key: string, value: unknown, sensitivePaths?: ReadonlySet<string>): unknown {
  if (isSensitiveName(key.slice(key.lastIndexOf('.') + 1))) return redactionReplacement();
  if (sensitivePaths !== undefined && sensitivePaths.size > 0 && key.startsWith(DATA_ATTRIBUTE_PREFIX) && underSensitivePath(key.slice(DATA_ATTRIBUTE_PREFIX.length), sensitivePaths)) return redactionReplacement();
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) return redactValue(value);
  return value;
}
