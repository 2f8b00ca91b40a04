// The sensitive-key rule of the contract: a data key is sensitive when its last
// segment, lower-cased with '_' and '-' removed, ends with one of the contract's
// names (apiToken, client_secret, db-password; not tokenCount), or when the
// catalog lists its dotted path. Values are replaced, never dropped.
import { contract } from '../event/contract.js';

const verdicts = new Map<string, boolean>();
const MAX_REMEMBERED = 10_000;

/** True when a data key's own name marks it as sensitive (the contract's default list). */
export function isSensitiveName(key: string): boolean {
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    const normalized = key.toLowerCase().replace(/[_-]/g, '');
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

/**
 * A JSON-safe, redacted copy of any value, that never throws: for records that
 * failed validation but still leave the process (policy "mark"). Cycles become
 * "[Circular]" and nesting past `maxDepth` becomes "[Truncated]".
 */
export function redactValue(value: unknown, maxDepth = 32): unknown {
  const seen = new WeakSet<object>();
  const copy = (v: unknown, depth: number): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'function' || typeof v === 'symbol') return String(v);
    if (typeof v !== 'object' || v === null) return v;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (v instanceof Uint8Array) return v;
    if (seen.has(v)) return '[Circular]';
    if (depth > maxDepth) return '[Truncated]';
    seen.add(v);
    let result: unknown;
    if (Array.isArray(v)) result = v.map((item) => copy(item, depth + 1));
    else {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) {
        if (item === undefined) continue;
        const redacted = isSensitiveName(key) ? redactionReplacement() : copy(item, depth + 1);
        if (key === '__proto__') Object.defineProperty(out, key, { value: redacted, enumerable: true, writable: true, configurable: true });
        else out[key] = redacted;
      }
      result = out;
    }
    seen.delete(v);
    return result;
  };
  return copy(value, 0);
}
