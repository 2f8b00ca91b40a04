// UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, the version 7, the RFC
// variant, then random bits. Sorts by time, so SIEMs and the dedupe key index
// well. Random bytes come from a pooled node:crypto buffer, formatted once per
// refill: a syscall, or even a hex encoding, per event would cost more than the
// rest of emit's mapping.
import { randomFillSync } from 'node:crypto';

/** Random bytes taken per id: 9 for 18 hex digits, 1 for the variant. */
const BYTES_PER_ID = 10;
const IDS_PER_POOL = 1024;
/** The random part of an id as written in it: `xxx-Vxxx-xxxxxxxxxxxx` (V the variant digit). */
const TAIL_LENGTH = 21;
const pool = new Uint8Array(BYTES_PER_ID * IDS_PER_POOL);
const tails = new Uint8Array(TAIL_LENGTH * IDS_PER_POOL);
const tailsBuffer = Buffer.from(tails.buffer, tails.byteOffset, tails.byteLength);
/** The random parts of the pool's ids, formatted at refill into one flat string. */
let poolTails = '';
let next = IDS_PER_POOL;
const HEX = Uint8Array.from(Buffer.from('0123456789abcdef', 'latin1'));
/** The RFC variant digit from the low two bits of an id's tenth byte. */
const VARIANT = Uint8Array.from(Buffer.from('89ab', 'latin1'));
const DASH = 0x2d;

/**
 * Refills the pool and formats every id's random part into one string (hex
 * digits 0–2, a dash, the variant, hex digits 3–5, a dash, hex digits 6–17,
 * the hex of bytes 0–8). An id is then the cached time prefix plus one slice:
 * two heap objects instead of the ten or so that concatenating per id leaves,
 * and an id lives until its record is exported, so the garbage collector
 * copies each of them.
 */
function refill(): void {
  randomFillSync(pool);
  for (let id = 0; id < IDS_PER_POOL; id++) {
    const from = id * BYTES_PER_ID;
    const to = id * TAIL_LENGTH;
    let byte = pool[from]!;
    tails[to] = HEX[byte >> 4]!;
    tails[to + 1] = HEX[byte & 15]!;
    byte = pool[from + 1]!;
    tails[to + 2] = HEX[byte >> 4]!;
    tails[to + 3] = DASH;
    tails[to + 4] = VARIANT[pool[from + 9]! & 3]!;
    tails[to + 5] = HEX[byte & 15]!;
    byte = pool[from + 2]!;
    tails[to + 6] = HEX[byte >> 4]!;
    tails[to + 7] = HEX[byte & 15]!;
    tails[to + 8] = DASH;
    for (let b = 3; b < 9; b++) {
      byte = pool[from + b]!;
      tails[to + 2 * b + 3] = HEX[byte >> 4]!;
      tails[to + 2 * b + 4] = HEX[byte & 15]!;
    }
  }
  poolTails = tailsBuffer.toString('latin1', 0, tails.length);
  next = 0;
}

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
  if (next === IDS_PER_POOL) refill();
  const at = next++ * TAIL_LENGTH;
  return timePrefix(now) + poolTails.slice(at, at + TAIL_LENGTH);
}
