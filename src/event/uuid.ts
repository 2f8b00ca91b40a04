// UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, the version 7, the RFC
// variant, then random bits. Sorts by time, so SIEMs and the dedupe key index
// well. Random bytes come from a pooled node:crypto buffer: one syscall per
// event would cost more than the rest of emit's mapping.
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 10 * 1024;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;
const VARIANT = ['8', '9', 'a', 'b'];

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
  if (offset + 10 > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + 9); // 18 random hex digits
  const variant = VARIANT[pool[offset + 9]! & 3]!;
  offset += 10;
  return `${timePrefix(now)}-7${hex.slice(0, 3)}-${variant}${hex.slice(3, 6)}-${hex.slice(6)}`;
}
