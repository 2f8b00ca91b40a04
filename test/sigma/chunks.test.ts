// Reading a file as lines a chunk at a time (src/sigma/chunks.ts): the same
// lines as splitting the whole decoded file, wherever the chunks end (in a
// UTF-8 sequence, in a line longer than a chunk), and the scanner, told which
// chunks hold no backslash or control character, still equals JSON.parse on
// every line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstNonUtf8Line, forEachLine, hasSpecialByte } from '../../src/sigma/chunks.js';
import { readValue, scanObject, ScanFields, STRIDE } from '../../src/sigma/scan.js';

const SCALE = Number(process.env.SIGMA_FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const dir = mkdtempSync(join(tmpdir(), 'sigma-chunks-'));
let files = 0;
const write = (content: string | Uint8Array) => {
  const file = join(dir, `f${files++}`);
  writeFileSync(file, content);
  return file;
};
const linesOf = (file: string, chunk: number) => {
  const lines: [number, string][] = [];
  forEachLine(file, (text, start, end, number) => lines.push([number, text.slice(start, end)]), chunk);
  return lines;
};

describe('hasSpecialByte', () => {
  it('finds a backslash or a control character other than \\n, at any offset and alignment', () => {
    // eslint-disable-next-line no-control-regex -- control characters are what it looks for
    const special = /[\x00-\x09\x0b-\x1f\\]/;
    const byteArb = fc.oneof(fc.integer({ min: 0x20, max: 0xff }).filter((b) => b !== 0x5c), fc.constantFrom(0x0a, 0x0a, 0x00, 0x09, 0x0d, 0x1f, 0x5c, 0x7f, 0x80, 0xdc));
    fc.assert(
      fc.property(fc.array(byteArb, { maxLength: 40 }), fc.nat(7), fc.nat(7), (bytes, offset, cut) => {
        const backing = new Uint8Array(bytes.length + 8);
        backing.set(bytes, offset);
        const view = backing.subarray(offset, offset + bytes.length);
        const start = Math.min(cut, bytes.length);
        const expected = special.test(String.fromCharCode(...bytes.slice(start)));
        expect(hasSpecialByte(view, start, bytes.length)).toBe(expected);
      }),
      { numRuns: runs(5000) },
    );
  });
});

describe('forEachLine', () => {
  it('gives the lines of the whole decoded file, numbered, wherever the chunks end', () => {
    const lineArb = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('', '\r', 'x'.repeat(200), 'é😀\\"'));
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 12 }), fc.boolean(), fc.integer({ min: 1, max: 70 }), (lines, newlineAtEnd, chunk) => {
        const content = lines.join('\n') + (newlineAtEnd ? '\n' : '');
        const file = write(content);
        const decoded = Buffer.from(content).toString('utf8').split('\n');
        if (content.endsWith('\n') || content === '') decoded.pop(); // no line after the last newline
        expect(linesOf(file, chunk)).toEqual(decoded.map((line, i) => [i + 1, line]));
      }),
      { numRuns: runs(500) },
    );
  });

  it('decodes invalid UTF-8 as Buffer.toString does, when a chunk ends inside a sequence too', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}\n{"b":"é'), Buffer.from([0xff]), Buffer.from('"}\n')]);
    const file = write(bytes);
    const expected = bytes.toString('utf8').split('\n').slice(0, 2).map((line, i) => [i + 1, line]);
    for (let chunk = 1; chunk <= bytes.length + 1; chunk++) expect(linesOf(file, chunk)).toEqual(expected);
  });

  it('lets the scanner equal JSON.parse on every line, escapes and control characters in some chunks and not others', () => {
    const keys = ['a', 'b', 'event.name'];
    const valueArb = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('"', '\\', '\u0001', '\t', 'a\\"b'), fc.integer(), fc.boolean());
    const lineArb = fc.oneof(
      fc.dictionary(fc.constantFrom(...keys, 'c'), valueArb).map((o) => JSON.stringify(o)),
      fc.constantFrom('{"a":"x\u0001"}', '{"a":"\\q"}', '{"a":"tab\there"}', '{"a":"\\"}', '{"a":"\\\\"}', '{"b":"\\u0041"}', 'not json', ''),
    );
    const fields = new ScanFields(keys);
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 10 }), fc.integer({ min: 1, max: 90 }), (lines, chunk) => {
        const file = write(lines.join('\n') + '\n');
        forEachLine(
          file,
          (text, start, end, number) => {
            const line = lines[number - 1]!;
            const positions = new Array<number>(STRIDE * fields.count).fill(0);
            const scanned = scanObject(text, start, end, fields, positions) ? keys.map((_, index) => readValue(text, start, end, fields, positions, 0, index)) : 'refused';
            let expected: unknown[] | 'refused';
            try {
              const value = JSON.parse(line) as Record<string, unknown>;
              expected = keys.map((key) => (Object.hasOwn(value, key) ? value[key] : undefined));
            } catch {
              expected = 'refused';
            }
            expect(scanned, line).toEqual(expected);
          },
          chunk,
        );
      }),
      { numRuns: runs(500) },
    );
  });
});

describe('lines that are not valid UTF-8', () => {
  it('go to `invalid` by number, undecoded, wherever the chunks end; the others are read as before', () => {
    const parts = [Buffer.from('{"a":"é"}'), Buffer.from([0x7b, 0xff, 0x7d]), Buffer.from(''), Buffer.from('{"b":"ü€"}'), Buffer.from([0xe2, 0x82]), Buffer.from('last')];
    const file = write(Buffer.concat(parts.flatMap((part, i) => (i === parts.length - 1 ? [part] : [part, Buffer.from('\n')]))));
    for (const chunk of [1, 2, 3, 5, 8, 13, 64, 1 << 16]) {
      const read: [number, string][] = [];
      const invalid: number[] = [];
      const count = forEachLine(file, (text, start, end, number) => read.push([number, text.slice(start, end)]), chunk, (number) => invalid.push(number));
      expect(count).toBe(6);
      expect(invalid).toEqual([2, 5]);
      expect(read).toEqual([[1, '{"a":"é"}'], [3, ''], [4, '{"b":"ü€"}'], [6, 'last']]);
    }
    expect(firstNonUtf8Line(Buffer.concat(parts.slice(0, 3).flatMap((part) => [part, Buffer.from('\n')])))).toBe(2);
    expect(firstNonUtf8Line(Buffer.from('é\nü\n'))).toBeUndefined();
  });
});
