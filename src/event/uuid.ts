// UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, the version 7, the RFC
// variant, then random bits. Sorts by time, so SIEMs and the dedupe key index
// well. Random bytes come from a pooled node:crypto buffer, hex-encoded once per
// refill: a syscall, or even a hex encoding, per event would cost more than the
// rest of emit's mapping.
import { randomFillSync } from 'node:crypto';

/** Random bytes taken per id: 9 for 18 hex digits, 1 for the variant. */
const BYTES_PER_ID = 10;
const IDS_PER_POOL = 1024;
const pool = Buffer.alloc(BYTES_PER_ID * IDS_PER_POOL);
let poolHex = '';
let next = IDS_PER_POOL;
const VARIANT = ['8', '9', 'a', 'b'];

let cachedMs = Number.NaN;
let cachedPrefix = '';

/** `xxxxxxxx-xxxx-7` from the 48-bit millisecond timestamp, formatted once per millisecond. */
function timePrefix(ms: number): string {
  if (ms !== cachedMs) {
    const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0').slice(-12);
    cachedPrefix = `${hex.slice(0, 8)}-${hex.slice(8)}-7`;
    cachedMs = ms;
  }
  return cachedPrefix;
}

export function uuidv7(now: number = Date.now()): string {
  if (next === IDS_PER_POOL) {
    randomFillSync(pool);
    poolHex = pool.toString('hex');
    next = 0;
  }
  const at = next * BYTES_PER_ID * 2; // hex digits
  const variant = VARIANT[pool[next * BYTES_PER_ID + 9]! & 3]!;
  next++;
  return `${timePrefix(now)}${poolHex.slice(at, at + 3)}-${variant}${poolHex.slice(at + 3, at + 6)}-${poolHex.slice(at + 6, at + 18)}`;
}
