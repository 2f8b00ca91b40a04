// Reads a file as whole lines, 64 KiB at a time, so a file of any size
// is matched with one chunk in memory. Each chunk is cut after its last
// newline, so no line and no UTF-8 sequence is split, and decoded once. While
// the bytes are at hand, one word-at-a-time pass tells whether the chunk holds
// a backslash or a control character: when it does not, the field scanner
// skips strings by searching for their closing quote (scan.ts, knownClean).
import { closeSync, openSync, readSync } from 'node:fs';
import { isAscii, isUtf8 } from 'node:buffer';
import { knownClean } from './scan.js';

/** Bytes read at a time (64 KiB: larger chunks measured slower, out of cache); a longer line grows the buffer. */
const CHUNK = 1 << 16;

/** Whether bytes[start, end) hold a backslash or a control character other than \n. */
export function hasSpecialByte(bytes: Uint8Array, start: number, end: number): boolean {
  const backslash = bytes.indexOf(0x5c, start); // native, fast
  if (backslash !== -1 && backslash < end) return true;
  const control = (byte: number) => byte < 0x20 && byte !== 0x0a;
  let i = start;
  for (; i < end && (bytes.byteOffset + i) % 4 !== 0; i++) if (control(bytes[i]!)) return true;
  if (i === end) return false;
  // Four bytes at a time, four words per step: (x - 0x20202020) & ~x & 0x80808080 is never zero when
  // a byte of x is below 0x20 (the classic has-less trick); its false alarms and newlines are checked byte by byte.
  const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, (end - i) >> 2);
  const steps = words.length & ~3;
  for (let w = 0; w < steps; w += 4) {
    const x0 = words[w]!;
    const x1 = words[w + 1]!;
    const x2 = words[w + 2]!;
    const x3 = words[w + 3]!;
    const low = ((((x0 - 0x20202020) | 0) & ~x0) | (((x1 - 0x20202020) | 0) & ~x1) | (((x2 - 0x20202020) | 0) & ~x2) | (((x3 - 0x20202020) | 0) & ~x3)) & 0x80808080;
    if (low !== 0) for (let at = i + 4 * w; at < i + 4 * w + 16; at++) if (control(bytes[at]!)) return true;
  }
  for (i += 4 * steps; i < end; i++) if (control(bytes[i]!)) return true;
  return false;
}

/** The number (from 1) of the first line of `bytes` that is not valid UTF-8; undefined when every line is. */
export function firstNonUtf8Line(bytes: Uint8Array): number | undefined {
  if (isUtf8(bytes)) return undefined;
  // No UTF-8 sequence holds a newline byte, so a bad sequence lies within one line.
  for (let start = 0, number = 1; start <= bytes.length; number++) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    if (!isUtf8(bytes.subarray(start, end))) return number;
    start = end + 1;
  }
  return undefined;
}

/**
 * Calls `line` for every line of `file` (text[start, end), without its \n;
 * `number` counts from 1), reading CHUNK bytes at a time. Returns the number
 * of lines. A line that is not valid UTF-8 goes to `invalid` instead, undecoded
 * (without `invalid`, its bad bytes become U+FFFD, as Buffer.toString makes them).
 */
export function forEachLine(file: string, line: (text: string, start: number, end: number, number: number) => void, chunkSize = CHUNK, invalid?: (number: number) => void): number {
  const fd = openSync(file, 'r');
  let buffer = Buffer.allocUnsafe(chunkSize);
  let held = 0; // bytes of an unfinished line at the buffer's start
  let number = 0;
  try {
    for (;;) {
      if (held === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]); // a line longer than the buffer
      const read = readSync(fd, buffer, held, buffer.length - held, null);
      const filled = held + read;
      // At the end of the file the last line needs no newline.
      const cut = read === 0 ? filled : buffer.lastIndexOf(0x0a, filled - 1) + 1;
      if (cut > 0 && invalid && !isAscii(buffer.subarray(0, cut)) && !isUtf8(buffer.subarray(0, cut))) {
        // A chunk with invalid UTF-8 (rare: a corrupted export) is taken a line at a time, the bad lines set aside.
        for (let start = 0; start < cut; ) {
          let end = buffer.indexOf(0x0a, start);
          if (end === -1 || end > cut) end = cut;
          const bytes = buffer.subarray(start, end);
          if (isUtf8(bytes)) {
            const text = bytes.toString('utf8');
            line(text, 0, text.length, ++number);
          } else invalid(++number);
          start = end + 1;
        }
      } else if (cut > 0) {
        const text = isAscii(buffer.subarray(0, cut)) ? buffer.toString('latin1', 0, cut) : buffer.toString('utf8', 0, cut);
        if (!hasSpecialByte(buffer, 0, cut)) knownClean(text);
        let from = 0;
        for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) {
          line(text, from, end, ++number);
          from = end + 1;
        }
        if (from < text.length) line(text, from, text.length, ++number);
      }
      if (read === 0) return number;
      buffer.copy(buffer, 0, cut, filled);
      held = filled - cut;
    }
  } finally {
    closeSync(fd);
  }
}
