// The field scanner (src/sigma/scan.ts) against JSON.parse: whatever it
// returns for a wanted key equals JSON.parse's own property of that name, and
// any text JSON.parse refuses it refuses too (the caller then reports the
// line). Then `sigma match`'s reading of flat attribute lines with and without
// the scanner: the same views, the same errors at the same lines.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileField, readEvents, type EventView } from '../../src/sigma/events.js';
import { defaultRulesPath, SigmaEngine } from '../../src/sigma/index.js';
import { readValue, scanObject, ScanFields, STRIDE } from '../../src/sigma/scan.js';
import { generateAttributeEvents } from './generate.js';
import { sigmaCli } from './sigma-cli.js';

const SCALE = Number(process.env.SIGMA_FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

/** Keys that are prefixes of each other, share lengths and first characters, and the awkward ones. */
const keyPool = ['a', 'ab', 'abc', 'b', 'event.name', 'event.names', 'event', 'user.id', 'user.ix', '__proto__', 'constructor', 'toString', '', 'é', 'k\u212a', '😀', 'a"b', 'a\\b', 'line\nbreak', 'Body.name', 'Body'];
const keyArb = fc.oneof(fc.constantFrom(...keyPool), fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }));

/** JSON text of one value, compact or with random JSON whitespace and escapes. */
function jsonText(value: unknown, spaced: boolean, escapeAll: boolean): string {
  const text = JSON.stringify(value, null, spaced ? '\t ' : undefined);
  // \uXXXX for every non-ASCII character: the same value, written another way.
  return escapeAll ? text.replace(/[^\x20-\x7e\n\t]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}

/** An object's text from (key, value) pairs, duplicates kept (JSON.stringify cannot write them). */
const objectText = (pairs: [string, unknown][], spaced: boolean, escapeAll: boolean) => `{${pairs.map(([k, v]) => `${jsonText(k, false, escapeAll)}${spaced ? ' : ' : ':'}${jsonText(v, spaced, escapeAll)}`).join(spaced ? ' ,\n ' : ',')}}`;

/** What the scanner gives for `wanted` in text[start, end), or undefined when it refuses the text. */
function scan(text: string, wanted: readonly string[], start = 0, end = text.length): Map<string, unknown> | undefined {
  const fields = new ScanFields(wanted);
  const positions = new Array<number>(STRIDE * fields.count).fill(0);
  if (!scanObject(text, start, end, fields, positions)) return undefined;
  return new Map(wanted.map((key, index) => [key, readValue(text, start, end, fields, positions, 0, index)]));
}

/** JSON.parse's answer for the same keys: own properties only (`toString` is not in `{}`). */
function parsed(text: string, wanted: readonly string[]): Map<string, unknown> | 'throws' | 'not an object' {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'throws';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  return new Map(wanted.map((key) => [key, Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined]));
}

describe('the field scanner equals JSON.parse', () => {
  it('on random objects: nested values, unicode, escapes, numbers, duplicate keys, prefixes of keys, __proto__', () => {
    const pairsArb = fc.array(fc.tuple(keyArb, fc.jsonValue({ maxDepth: 4 })), { maxLength: 12 });
    fc.assert(
      fc.property(pairsArb, fc.uniqueArray(keyArb, { maxLength: 8 }), fc.boolean(), fc.boolean(), (pairs, extra, spaced, escapeAll) => {
        const text = objectText(pairs, spaced, escapeAll);
        const wanted = [...new Set([...extra, ...pairs.slice(0, 3).map(([k]) => k)])];
        const expected = parsed(text, wanted);
        expect(expected).toBeInstanceOf(Map);
        // JSON.parse keeps the last of duplicate keys; so must the scanner.
        expect(scan(text, wanted)).toEqual(expected);
      }),
      { numRuns: runs(2000) },
    );
  });

  it('on numbers, literals and strings of every kind as top-level values', () => {
    const valueText = fc.oneof(
      fc.double().filter(Number.isFinite).map((n) => JSON.stringify(n)),
      fc.integer().map(String),
      fc.constantFrom('0', '-0', '1e400', '-1E-400', '1.5e+3', '0.000001', '123456789012345678901234567890', 'true', 'false', 'null', '""', '"\\u0000"', '"\\ud83d\\ude00"', '"\\ud800"', '"a\\/b"', '"\\b\\f\\n\\r\\t\\"\\\\"', '[]', '{}', '[[[]]]', '{"a":{"b":[1,{"c":"}"}]}}', '"]}"'),
      fc.string({ unit: 'binary', maxLength: 10 }).map((s) => JSON.stringify(s)),
    );
    fc.assert(
      fc.property(valueText, fc.constantFrom('', ' ', '\r', '\t\n'), (value, space) => {
        const text = `{${space}"x"${space}:${space}${value}${space},"y":1${space}}`;
        expect(scan(text, ['x', 'y'])).toEqual(parsed(text, ['x', 'y']));
      }),
      { numRuns: runs(1000) },
    );
  });

  it('refuses every text JSON.parse refuses, and agrees on the rest (random edits of valid lines)', () => {
    const edit = fc.tuple(fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\n', '\u0001', '\t', 'u', '0', '-', '.', 'e', 't', 'n', 'x', 'é', '\ud800'));
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, fc.jsonValue({ maxDepth: 3 })), { minLength: 1, maxLength: 6 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (pairs, edits) => {
        let text = objectText(pairs, false, false);
        for (const [at, kind, char] of edits) {
          const i = at % (text.length + 1);
          text = kind === 'delete' ? text.slice(0, i) + text.slice(i + 1) : kind === 'insert' ? text.slice(0, i) + char + text.slice(i) : text.slice(0, i) + char + text.slice(i + 1);
        }
        const wanted = [...new Set(pairs.map(([k]) => k))];
        const expected = parsed(text, wanted);
        const got = scan(text, wanted);
        if (expected === 'throws' || expected === 'not an object') expect(got).toBeUndefined();
        else if (got !== undefined) expect(got).toEqual(expected);
      }),
      { numRuns: runs(3000) },
    );
  });

  it('reads one line of a longer text, whatever the other lines hold', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, fc.jsonValue({ maxDepth: 2 })), { maxLength: 5 }), fc.array(fc.constantFrom('{"a":"\\n"}', 'garbage "', '{"a":1}', '\u0001', '"\\"'), { maxLength: 3 }), (pairs, others) => {
        const line = objectText(pairs, false, false);
        const lines = [...others, line, ...others];
        const text = lines.join('\n');
        const start = others.reduce((n, l) => n + l.length + 1, 0);
        const wanted = [...new Set(pairs.map(([k]) => k))];
        // The lines before are scanned first, as a file is read.
        for (let from = 0, i = 0; i < others.length; i++) {
          scan(text, wanted, from, from + others[i]!.length);
          from += others[i]!.length + 1;
        }
        expect(scan(text, wanted, start, start + line.length)).toEqual(parsed(line, wanted));
      }),
      { numRuns: runs(1000) },
    );
  });

  it('refuses what is cut off, nested too deep for it, or not one object', () => {
    for (const text of ['', ' ', '{', '{"a"', '{"a":', '{"a":1', '{"a":1,}', '{"a":1}}', '{"a":1} x', '[{"a":1}]', '"a"', '{"a":01}', '{"a":1.}', '{"a":-}', '{"a":.5}', '{"a":"\u0001"}', '{"a":"\\x"}', '{"a":"\\u12"}', '{"a":tru}', '{"a":[1,]}', '{"a":{"b"}}', '{"a" "b"}', '\ufeff{"a":1}']) {
      expect(scan(text, ['a']), text).toBeUndefined();
      expect(parsed(text, ['a']), text).not.toBeInstanceOf(Map);
    }
    const deep = `{"a":${'['.repeat(600)}${']'.repeat(600)}}`;
    expect(scan(deep, ['a'])).toBeUndefined(); // left to JSON.parse, which reads it
    expect(parsed(deep, ['a'])).toBeInstanceOf(Map);
  });
});

describe('sigma match reads flat attribute lines the same with the scanner', () => {
  const engine = SigmaEngine.fromPaths([defaultRulesPath()]);
  const fast = engine.jsonLineReader()!;
  const fields = [...engine.fields, compileField('log.record.uid')];
  const describeView = (view: EventView) => ({ id: view.id, time: view.time, values: fields.map((f) => view.value(f)) });
  const both = (text: string) => {
    const slow = readEvents(text, 'f.jsonl');
    const quick = readEvents(text, 'f.jsonl', undefined, fast);
    return { slow, quick };
  };

  it('has a scanner for the pack (no keyword searches) and none for a rule with one', () => {
    expect(fast).toBeTypeOf('function');
    const keyword = SigmaEngine.fromText('title: k\nlogsource: {product: otel_audit}\ndetection:\n  keywords: [evil]\n  condition: keywords\n');
    expect(keyword.jsonLineReader()).toBeUndefined();
  });

  it('the same views, errors and lines on generated events mixed with other formats and bad lines', () => {
    const events = generateAttributeEvents(300, 3).map((e, i) => ({ ...e.attributes, ...(i % 7 === 0 ? { time: '2026-11-21T10:00:00Z' } : {}), ...(i % 11 === 0 ? { timeUnixNano: '1763719200000000000' } : {}) }));
    const lines = events.map((e) => JSON.stringify(e));
    lines.splice(5, 0, '{"event.name": "auth.login", "user.id": "a\\u0062c", "audit.outcome": "fail\\u0075re"}'); // escapes: the slow path inside the scanner
    lines.splice(9, 0, '{"event.name": "auth.login", "user.id": "x"'); // cut off
    lines.splice(12, 0, '{"name": "auth.login", "outcome": "failure"}'); // canonical
    lines.splice(14, 0, '{"event.name": 5}'); // not a flat record
    lines.splice(16, 0, '{"event.name": "auth.login", "Body.name": "auth.login"}'); // OpenSearch
    lines.splice(18, 0, '{"event.name": "auth.login", "time": "2024-02-30T00:00:00Z"}'); // a date that does not exist
    lines.splice(20, 0, '', '   ', '{"event.name": "a", "user.id": "\u0001"}'); // blank lines; a raw control character
    const text = lines.join('\n') + '\n';
    const { slow, quick } = both(text);
    expect(quick.views.map(describeView)).toEqual(slow.views.map(describeView));
    expect(quick.lines).toEqual(slow.lines);
    expect(quick.errors.map((e) => [e.line, e.message])).toEqual(slow.errors.map((e) => [e.line, e.message]));
    expect(slow.errors.map((e) => e.line)).toEqual([10, 15, 19, 23]);
    expect(quick.views.length).toBe(events.length + 3); // + the escaped, canonical and OpenSearch lines
  });

  it('`sigma match` over a flat attribute file: the matches of the same events as canonical lines, and each bad line with its number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-flat-'));
    const flat = join(dir, 'flat.jsonl');
    const attributes = { 'log.record.uid': 'f1', 'event.name': 'audit.stream.delete', 'user.id': 'mallory', 'audit.outcome': 'success', time: '2026-11-21T10:00:00Z' };
    writeFileSync(flat, `${JSON.stringify(attributes)}\n{"event.name": "audit.stream.delete", oops}\n`);
    const result = await sigmaCli('match', '-i', flat, '--format', 'json');
    expect(result.err).toMatch(/flat\.jsonl:2: not a JSON event/);
    expect(result.code).toBe(1);
    const matches = JSON.parse(result.out) as { title: string; events: string[] }[];
    expect(matches.map((m) => m.events)).toEqual([['f1']]);
    expect(matches[0]!.title).toMatch(/Stream Deleted/i);
  });
});
