// UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, the version 7, then random
// bits. Sorts by time, so SIEMs and the dedupe key index well. The random part
// comes from node:crypto's randomUUID (v4, pooled entropy, RFC variant bits
// already set); only its time and version digits are replaced.
import { randomUUID } from 'node:crypto';

let cachedMs = Number.NaN;
let cachedPrefix = '';

/** `xxxxxxxx-xxxx` from the 48-bit millisecond timestamp, formatted once per millisecond. */
function timePrefix(ms: number): string {
  if (ms !== cachedMs) {
    const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0').slice(-12);
    cachedPrefix = `${hex.slice(0, 8)}-${hex.slice(8)}`;
    cachedMs = ms;
  }
  return cachedPrefix;
}

export function uuidv7(now: number = Date.now()): string {
  // randomUUID: 8-4-4-4-12 with the version at index 14; keep everything after it.
  return `${timePrefix(now)}-7${randomUUID().slice(15)}`;
}
