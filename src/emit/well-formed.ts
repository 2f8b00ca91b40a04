// Lone UTF-16 surrogates ("\ud800" alone) have no UTF-8 form: the OTLP/protobuf
// exporter (TextEncoder) and the collector's JSON decoder deliver U+FFFD in
// their place. A hash chain must cover what arrives, so a stamped body holding
// one is rewritten with U+FFFD before it is hashed (integrity.ts). Rare: the
// check is one test of the canonical JSON, which escapes them as \udXXX.

/** String#isWellFormed and #toWellFormed: Node has them (ES2024), the TypeScript lib this project compiles against does not. */
type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };
const isWellFormed = (text: string): boolean => (text as WellFormedString).isWellFormed();
const toWellFormed = (text: string): string => (text as WellFormedString).toWellFormed();

/** A lone surrogate as JSON.stringify escapes it (a literal backslash before "ud800" may match too: harmless, the rewrite then changes nothing). */
export const LONE_SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/;

/**
 * Rewrites, in place, every string and object key of `value` (plain objects and
 * arrays, nested) that holds a lone surrogate, with U+FFFD in its place, as
 * String#toWellFormed does; true when something changed. A key that would then
 * equal another key of the same object gets one more U+FFFD, so nothing is lost.
 */
export function makeWellFormed(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null || depth > 64) return false;
  let changed = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string' && !isWellFormed(item)) {
        value[i] = toWellFormed(item);
        changed = true;
      } else if (makeWellFormed(item, depth + 1)) changed = true;
    }
    return changed;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    let fixed: unknown = item;
    if (typeof item === 'string' && !isWellFormed(item)) {
      fixed = toWellFormed(item);
      changed = true;
    } else if (makeWellFormed(item, depth + 1)) changed = true;
    if (isWellFormed(key)) {
      if (fixed !== item) record[key] = fixed;
      continue;
    }
    let wellFormedKey = toWellFormed(key);
    while (Object.hasOwn(record, wellFormedKey)) wellFormedKey += '\ufffd';
    // Re-added at the end: member order does not matter to canonical JSON, which sorts.
    delete record[key];
    Object.defineProperty(record, wellFormedKey, { value: fixed, enumerable: true, writable: true, configurable: true });
    changed = true;
  }
  return changed;
}
