// Verify's fast path (src/integrity/shapes.ts) writes a record's canonical JSON
// straight from its text, for texts of a shape it learned from earlier records.
// It must agree exactly with the generic path (JSON.parse, decodeAnyValue,
// canonicalJson) on every record it takes, and leave to the generic path every
// text it cannot read exactly: random events of random shapes, then the same
// texts with values of another kind, escapes, whitespace, repeated or
// `__proto__` members, added members, and single damaged characters. End to
// end, a trail read on the fast path gets the same report as the same trail
// read the generic way, with every kind of edit.
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { createAuditLogger } from '../../src/index.js';
import { canonicalJson } from '../../src/integrity/canonical.js';
import { DIGEST_EVENT, publicKeys, readTrail, verifyTrail, type TrailRecord } from '../../src/integrity/index.js';
import { readTrailFile, readTrailScanned } from '../../src/integrity/read.js';
import { scanRequest, scanRequestBodies } from '../../src/integrity/otlp-scan.js';
import { ScannedRecord } from '../../src/integrity/scanned.js';
import { Shapes } from '../../src/integrity/shapes.js';
import { catalog } from '../emit/fixtures/catalog.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsedBodies } from './parsed-bodies.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What verify takes from a stamped event read the generic way; undefined when it is not one (or canonicalJson refuses it). */
function expectedFacts(body: unknown) {
  if (!isObject(body) || typeof body.name !== 'string' || body.name === DIGEST_EVENT) return undefined;
  const stamp = body.integrity;
  if (!isObject(stamp) || typeof stamp.stream !== 'string' || typeof stamp.seq !== 'number' || !Number.isSafeInteger(stamp.seq) || stamp.seq < 1 || typeof stamp.prev !== 'string') return undefined;
  let canonical: string;
  try {
    canonical = canonicalJson(body);
  } catch {
    return undefined;
  }
  return { canonical, id: typeof body.id === 'string' ? body.id : undefined, stream: stamp.stream, seq: stamp.seq, prev: stamp.prev };
}

const factsOf = (record: ScannedRecord) => ({ canonical: record.canonical, id: record.id, stream: record.stream, seq: record.seq, prev: record.prev });

/** As readLine tells a canonical event from the other forms a line can hold. */
function isCanonicalEvent(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (Array.isArray(value.resourceLogs) || (isObject(value.hits) && Array.isArray(value.hits.hits)) || isObject(value._source)) return false;
  if ('event' in value && ('fields' in value || 'sourcetype' in value || 'time' in value)) return false;
  if (isObject(value.body) && isObject(value.attributes)) return false;
  return typeof value.name === 'string';
}

// ---- random shapes and values

type Kind = 'string' | 'int' | 'float' | 'boolean' | 'null' | 'array' | 'objects' | 'empty' | 'name' | 'seq';
type Shape = { members: [string, Shape][] } | { kind: Kind };

const names = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('a', 'b', 'B', 'é', 'z', 'type', 'value', 'key', 'x.y', '10', '2', '', 'A b', '\u{1F600}', 'seq', 'prev', 'stream') }, { weight: 1, arbitrary: fc.string({ maxLength: 3 }) });
const kinds = fc.constantFrom<Kind>('string', 'string', 'string', 'int', 'int', 'float', 'boolean', 'null', 'array', 'objects', 'empty');
const shapeArb: fc.Arbitrary<Shape> = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof({ depthSize: 'small' }, kinds.map((kind): Shape => ({ kind })), fc.uniqueArray(fc.tuple(names, tie('shape')), { selector: ([name]) => name, maxLength: 4 }).map((members): Shape => ({ members }))),
})).shape;
/** An event shape: the members verify reads, in a random place among others. */
/** Top-level names that make a line another form than a canonical event (an OTLP request, HEC, OpenSearch), now and then. */
const topNames = fc.oneof({ weight: 12, arbitrary: names }, { weight: 1, arbitrary: fc.constantFrom('resourceLogs', 'event', 'fields', 'hits', '_source', 'body', 'attributes') });
const eventShape = fc.tuple(fc.uniqueArray(fc.tuple(topNames, shapeArb), { selector: ([name]) => name, maxLength: 5 }), fc.nat(), fc.nat(), fc.boolean()).map(([others, at, at2, withId]): Shape => {
  const own = new Set(['name', 'id', 'integrity']);
  const members = others.filter(([name]) => !own.has(name));
  const stamp: Shape = { members: [['stream', { kind: 'string' }], ['seq', { kind: 'seq' }], ['prev', { kind: 'string' }]].sort(() => (at2 % 2 ? 1 : -1)) as [string, Shape][] };
  members.splice(at % (members.length + 1), 0, ['name', { kind: 'name' }]);
  if (withId) members.splice(at2 % (members.length + 1), 0, ['id', { kind: 'string' }]);
  members.splice((at + at2) % (members.length + 1), 0, ['integrity', stamp]);
  return { members };
});

const strings = fc.oneof(
  { weight: 16, arbitrary: fc.stringMatching(/^[a-z0-9 .@:-]{0,12}$/) },
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('a"b', 'back\\slash', 'tab\t', 'nl\n', '\u0001', '\u2028', '\u{1F600}', '\ud800', 'x\udc00y', '', '{}', 'null', DIGEST_EVENT) },
);
const ints = fc.oneof(fc.integer(), fc.constantFrom(0, 1, 7, -1, 2 ** 53 - 1, 2 ** 53, 1e15, 123456789012345));
const floats = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(-0, 0.5, 1e21, 5e-324, 1.5e-7, -1e300));

function valueOf(shape: Shape): fc.Arbitrary<unknown> {
  if ('members' in shape) return fc.tuple(...shape.members.map(([, child]) => valueOf(child))).map((values) => Object.fromEntries(shape.members.map(([name], i) => [name, values[i]])));
  switch (shape.kind) {
    case 'string':
      return strings;
    case 'int':
      return ints;
    case 'float':
      return floats;
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fc.oneof(strings, ints, floats, fc.boolean(), fc.constant(null)), { maxLength: 3 });
    case 'objects':
      return fc.array(fc.dictionary(names, strings, { maxKeys: 2 }), { maxLength: 2 });
    case 'empty':
      return fc.constant({});
    case 'name': // one event name per trail, now and then another (a digest among them)
      return fc.oneof({ weight: 12, arbitrary: fc.constant('repo.fork') }, { weight: 1, arbitrary: fc.constantFrom('auth.login', DIGEST_EVENT, 'a"b', '') });
    case 'seq': // valid sequence numbers, now and then one verify refuses
      return fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 1, max: 2 ** 40 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -1, 2 ** 53, 1.5, 9007199254740991) });
  }
}

/** Any JSON value, for a member that changes kind. */
const anyJson = fc.oneof(strings, ints, floats, fc.boolean(), fc.constant(null), fc.constant({}), fc.constant([]), fc.dictionary(names, strings, { maxKeys: 2 }), fc.array(strings, { maxLength: 2 }));

/** A value of the shape, with one member (at any depth) now and then of another kind, left out, or added. */
function variantOf(shape: Shape): fc.Arbitrary<unknown> {
  return fc.tuple(valueOf(shape), fc.nat(), fc.constantFrom('same', 'same', 'same', 'kind', 'drop', 'add'), anyJson).map(([generated, pick, how, other]) => {
    if (how === 'same') return generated;
    const value = structuredClone(generated); // generated values may be shared: edit a copy
    const objects: Record<string, unknown>[] = [];
    const walk = (v: unknown) => {
      if (isObject(v)) {
        objects.push(v);
        Object.values(v).forEach(walk);
      }
    };
    walk(value);
    const target = objects[pick % objects.length]!;
    const keys = Object.keys(target);
    if (how === 'add') Object.defineProperty(target, `n${pick % 3}`, { value: other, enumerable: true, writable: true, configurable: true });
    else if (keys.length > 0 && how === 'kind') target[keys[pick % keys.length]!] = other;
    else if (keys.length > 0) delete target[keys[pick % keys.length]!];
    return value;
  });
}

/** One character deleted, inserted or replaced, from the characters that matter to JSON. */
const damage = (text: string) =>
  fc.tuple(fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom('"', '\\', ',', ':', '{', '}', '[', ']', '\u0001', 'x', '0', '-', '.', 'e', ' ', '\t', '\ufeff', 'n')).map(([at, how, c]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    return how === 'delete' ? text.slice(0, i) + text.slice(i + 1) : how === 'insert' ? text.slice(0, i) + c + text.slice(i) : text.slice(0, i) + c + text.slice(i + 1);
  });

/** Text-level edits JSON.stringify never writes: whitespace, an escaped member name, a repeated member, `__proto__`. */
const textEdit = (text: string) =>
  fc.tuple(fc.nat(), fc.constantFrom('space', 'escape', 'repeat', 'proto', 'damage')).chain(([at, how]) => {
    const quotes = [...text.matchAll(/"([^"\\]*)":/g)];
    const member = quotes[at % Math.max(quotes.length, 1)];
    if (how === 'damage' || !member) return damage(text);
    const i = member.index;
    if (how === 'space') return fc.constant(`${text.slice(0, i)} ${text.slice(i)}`);
    if (how === 'escape') return fc.constant(member[1]!.length === 0 ? text : `${text.slice(0, i + 1)}\\u${member[1]!.charCodeAt(0).toString(16).padStart(4, '0')}${text.slice(i + 2)}`);
    if (how === 'proto') return fc.constant(`${text.slice(0, i)}"__proto__":{"seq":2},${text.slice(i)}`);
    // the member again, with another value: JSON.parse keeps the last
    return fc.constant(`${text.slice(0, i)}${member[0]}"forged",${text.slice(i)}`);
  });

/** A trail of lines of one shape: the first as JSON.stringify writes it (the reader learns from it), then variants and edits. */
const jsonTrail = eventShape.chain((shape) =>
  fc.tuple(
    valueOf(shape),
    fc.array(
      variantOf(shape).chain((value) => {
        const text = JSON.stringify(value);
        return fc.oneof({ weight: 3, arbitrary: fc.constant(text) }, { weight: 2, arbitrary: textEdit(text) });
      }),
      { minLength: 1, maxLength: 12 },
    ),
  ).map(([first, rest]) => [JSON.stringify(first), ...rest]),
);

describe('verify reads canonical JSON lines on the fast path exactly as the generic path', () => {
  it('agrees with JSON.parse + canonicalJson on every record it takes, and takes none the generic path would not', () => {
    let fast = 0;
    let lines = 0;
    fc.assert(
      fc.property(jsonTrail, (texts) => {
        const text = texts.map((line) => line.replace(/\n/g, ' ')).join('\n');
        const read = readTrailScanned(text, 'f');
        const byLine = new Map<string, TrailRecord>(read.records.map((record) => [record.where, record]));
        text.split('\n').forEach((line, index) => {
          lines++;
          const record = byLine.get(`f:${index + 1}`);
          if (!(record instanceof ScannedRecord)) return;
          fast++;
          // taken on the fast path: the line is JSON, one canonical event, and every fact is the generic one
          const value = JSON.parse(line) as unknown;
          expect(isCanonicalEvent(value)).toBe(true);
          expect(factsOf(record)).toEqual(expectedFacts(value));
          expect(record.body).toEqual(value);
        });
      }),
      { numRuns: 1500 },
    );
    // the fast path is taken often enough to be tested (most random lines have an escape, an array of objects or an edit somewhere)
    expect(fast).toBeGreaterThan(lines / 20);
  });

  it('leaves to the generic path what it cannot read exactly', () => {
    const stamp = '"integrity":{"stream":"s","seq":1,"prev":"p"}';
    const learnt = `{"id":"i","name":"e",${stamp},"n":1,"a":[1,"x",null]}`;
    const cases = [
      `{"id":"i","name":"e",${stamp},"n":1,"a":[1,"x",null],"n":2}`, // a repeated member
      `{"id":"i","name":"e",${stamp},"n":1e400,"a":[1,"x",null]}`, // no JSON form
      `{"id":"i","name":"e",${stamp},"n":-0.0,"a":[1.0,"x",null]}`, // numbers written otherwise
      `{"id":"i","name":"e",${stamp},"n":1,"a":[1,"x\\"",null]}`, // an escape
      `{"id":"i","name":"e",${stamp},"n":1,"a":[1,"\ud800",null]}`, // a lone surrogate
      `{"id":"i","name":"e",${stamp},"n":1,"a":[1,"x",null]} `, // whitespace
      `{"id":"i","name":"${DIGEST_EVENT}",${stamp},"n":1,"a":[1,"x",null]}`,
      `{"id":"i","name":"e","integrity":{"stream":"s","seq":0,"prev":"p"},"n":1,"a":[1,"x",null]}`,
      `{"id":"i","name":"e","integrity":{"stream":"s","seq":9007199254740993,"prev":"p"},"n":1,"a":[1,"x",null]}`,
    ];
    for (const line of cases) {
      // the first line teaches the shape, the second is read on the fast path, the third is not
      const read = readTrailScanned(`${learnt}\n${learnt}\n${line}`, 'f');
      expect(read.records[1]).toBeInstanceOf(ScannedRecord);
      expect(read.records[2]).not.toBeInstanceOf(ScannedRecord);
    }
    // the public readTrail keeps its records plain objects: { body, where }
    expect(readTrail(`${learnt}\n${learnt}`, 'f').records).toEqual([1, 2].map((n) => ({ body: JSON.parse(learnt) as unknown, where: `f:${n}` })));
    // digests and records without a stamp do not use up what a reader learns: a shape first seen after many of them is still learnt
    const others = Array.from({ length: 300 }, (_, i) => (i % 2 ? `{"name":"${DIGEST_EVENT}","integrity":{"stream":"s","seq":${i + 1},"prev":"p"},"data":{"stream":"s"}}` : `{"name":"plain","n":${i}}`));
    const late = readTrailScanned([...others, learnt, learnt].join('\n'), 'f');
    expect(late.records.filter((record) => record instanceof ScannedRecord)).toHaveLength(1);
    // a member JSON.parse keeps as an own `__proto__` is left to the generic path
    const shapes = new Shapes('json');
    shapes.learn(JSON.parse(`{"name":"e",${stamp},"__proto__":{"x":1}}`));
    expect(shapes.line(`{"name":"e",${stamp},"__proto__":{"x":1}}`)).toBeUndefined();
    // nor is a line readLine reads as another form (an OTLP request, a HEC event, an OpenSearch document)
    for (const other of ['"resourceLogs":[]', '"event":{},"time":1', '"hits":{"hits":[]}', '"_source":{"a":1}', '"body":{"a":1},"attributes":{"b":1}']) {
      const line = `{"name":"e",${stamp},${other}}`;
      shapes.learn(JSON.parse(line));
      expect(shapes.line(line)).toBeUndefined();
    }
  });
});

// ---- OTLP bodies

/** An AnyValue as the file exporter writes it, from a JSON value (ints as intValue strings, null as {}). */
const anyValue = (value: unknown): unknown =>
  typeof value === 'string' ? { stringValue: value } : typeof value === 'number' ? (Number.isInteger(value) && Math.abs(value) < 2 ** 63 ? { intValue: String(value) } : { doubleValue: value }) : typeof value === 'boolean' ? { boolValue: value } : value === null ? {} : Array.isArray(value) ? { arrayValue: { values: value.map(anyValue) } } : { kvlistValue: { values: Object.entries(value as object).map(([key, v]) => ({ key, value: anyValue(v) })) } };

/** AnyValue texts the exporter does not write, for a member: other spellings of ints and doubles, extra members, empty kvlists. */
const oddAnyValue = fc.constantFrom('{"intValue":"-0"}', '{"intValue":"007"}', '{"intValue":"9007199254740993"}', '{"intValue":" 7"}', '{"intValue":7}', '{"doubleValue":1E400}', '{"doubleValue":"1.5"}', '{"doubleValue":-0.0}', '{"kvlistValue":{}}', '{"stringValue":"a","intValue":"1"}', '{"bytesValue":"AAE="}', '{"stringValue":null}', '{"kvlistValue":{"values":[{"key":"a","value":{}},{"key":"a","value":{"stringValue":"b"}}]}}', '{"kvlistValue":{"values":[{"key":"__proto__","value":{"kvlistValue":{"values":[]}}}]}}', '{"kvlistValue":{"values":[{"value":{"stringValue":"b"},"key":"a"}]}}');

/** The body texts of a line: the first as the exporter writes it, then variants, some with one member's AnyValue replaced or the text edited. */
const otlpBodies = eventShape.chain((shape) =>
  fc.tuple(
    valueOf(shape),
    fc.array(
      fc.tuple(variantOf(shape), fc.nat(), oddAnyValue, fc.constantFrom('same', 'same', 'odd', 'edit')).chain(([value, at, odd, how]) => {
        const text = JSON.stringify(anyValue(value));
        if (how === 'same') return fc.constant(text);
        if (how === 'edit') return textEdit(text);
        const values = [...text.matchAll(/"value":(\{"(?:stringValue|intValue|doubleValue|boolValue)":(?:"[^"\\]*"|[^{}]*)\}|\{\})/g)];
        const target = values[at % Math.max(values.length, 1)];
        return fc.constant(target ? `${text.slice(0, target.index)}"value":${odd}${text.slice(target.index + target[0].length)}` : text);
      }),
      { minLength: 1, maxLength: 10 },
    ),
  ).map(([first, rest]) => [JSON.stringify(anyValue(first)), ...rest]),
);

const requestOf = (bodies: string[]) => `{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"x"}}]},"scopeLogs":[{"scope":{"name":"s"},"logRecords":[${bodies.map((body) => `{"timeUnixNano":"1","body":${body},"attributes":[{"key":"k","value":{"intValue":"1"}}]}`).join(',')}]}]}]}`;

describe('verify reads OTLP bodies on the fast path exactly as the generic path', () => {
  it('agrees with JSON.parse + decodeAnyValue + canonicalJson on every body it takes', () => {
    let fast = 0;
    let bodies = 0;
    fc.assert(
      fc.property(otlpBodies, (texts) => {
        const text = requestOf(texts);
        const shapes = new Shapes('otlp');
        let scanned: unknown[] | undefined;
        let error: unknown;
        try {
          scanned = scanRequest(text, shapes);
        } catch (e) {
          error = e;
        }
        let expected: unknown[] | undefined;
        let expectedError: unknown;
        try {
          expected = parsedBodies(text);
        } catch (e) {
          expectedError = e;
        }
        // a body decodeAnyValue refuses fails the line either way
        if (expectedError || error) {
          expect((error as Error | undefined)?.message).toBe((expectedError as Error | undefined)?.message);
          return;
        }
        if (expected === undefined) {
          expect(scanned).toBeUndefined();
          return;
        }
        expect(scanned).toHaveLength(expected.length);
        scanned!.forEach((body, k) => {
          bodies++;
          if (body instanceof ScannedRecord) {
            fast++;
            expect(factsOf(body)).toEqual(expectedFacts(expected[k]));
            expect(body.body).toEqual(expected[k]);
          } else {
            expect(body).toEqual(expected[k]);
          }
        });
        // and without shapes, the bodies are decoded as before
        expect(scanRequestBodies(text)).toEqual(expected);
      }),
      { numRuns: 1500 },
    );
    expect(fast).toBeGreaterThan(bodies / 40); // bodies with arrays take the generic path

  });

  it('never takes a damaged request', () => {
    fc.assert(
      fc.property(otlpBodies.chain((texts) => damage(requestOf(texts))), (text) => {
        let json = true;
        try {
          JSON.parse(text);
        } catch {
          json = false;
        }
        let scanned: unknown[] | undefined;
        try {
          scanned = scanRequest(text, new Shapes('otlp'));
        } catch {
          return; // decodeAnyValue refused a body: the line is reported unreadable
        }
        if (!json) expect(scanned).toBeUndefined();
        else if (scanned) {
          const expected = parsedBodies(text)!;
          scanned.forEach((body, k) => (body instanceof ScannedRecord ? expect(factsOf(body)).toEqual(expectedFacts(expected[k])) : expect(body).toEqual(expected[k])));
        }
      }),
      { numRuns: 3000 },
    );
  });
});

// ---- end to end: the same report as the generic path, for real trails with edits

describe('verify on the fast path gives the report the generic path gives', () => {
  it('for canonical lines and OTLP lines, untouched and edited', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keys = publicKeys([publicKey.export({ type: 'spki', format: 'pem' }).toString()]);
    const exporter = new InMemoryLogRecordExporter();
    const audit = createAuditLogger({ catalog, exporter, integrity: { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), digestEvery: 8 } });
    for (let i = 0; i < 40; i++) {
      if (i % 3 === 0) audit.emit('auth.login', { actor: { id: `u-${i}` }, data: { method: 'password', password: 'x' } });
      else audit.emit('repo.fork', { actor: { id: `u-${i}`, email: `u${i}@example.com` }, target: { type: 'repository', id: `r-${i}` }, data: { repo: { id: `r-${i}`, visibility: 'private' }, forks: i, deployKey: 'k' } });
    }
    await audit.integrity!.digest();
    await audit.flush();
    const bodies = exporter.getFinishedLogRecords().map((r) => r.body);
    await audit.shutdown();
    const canonicalLines = bodies.map((b) => JSON.stringify(b));
    const otlpBodyTexts = bodies.map((b) => JSON.stringify(anyValue(b)));
    const dir = mkdtempSync(join(tmpdir(), 'otel-audit-shapes-'));

    /** The report of verify reading `text` (a file, as the CLI reads it), and of the generic path reading it. */
    const reports = (text: string) => {
      const file = join(dir, 'trail.jsonl');
      writeFileSync(file, text);
      const read = readTrailFile(file);
      const fast = verifyTrail(read.records, { keys });
      // generic: every record built with JSON.parse (and decodeAnyValue), none of it scanned
      const generic: TrailRecord[] = [];
      text.split('\n').forEach((line, index) => {
        if (!line.trim()) return;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          return;
        }
        let found: unknown[];
        try {
          // as readLine: an OTLP request's bodies, or a canonical event (a line that is neither is unreadable)
          found = isObject(value) && Array.isArray(value.resourceLogs) ? parsedBodies(line)! : isCanonicalEvent(value) ? [value] : [];
        } catch {
          return; // a body decodeAnyValue refuses: the line is unreadable either way
        }
        found.forEach((body, n) => generic.push({ body, where: found.length > 1 ? `${file}:${index + 1}#${n}` : `${file}:${index + 1}` }));
      });
      return { fast, generic: verifyTrail(generic, { keys }), unreadable: read.unreadable.length };
    };

    const untouched = reports(canonicalLines.join('\n'));
    expect(untouched.fast).toMatchObject({ ok: true, exitCode: 0 });
    expect(untouched.fast).toEqual(untouched.generic);
    const untouchedOtlp = reports(`${requestOf(otlpBodyTexts.slice(0, 20))}\n${requestOf(otlpBodyTexts.slice(20))}\n`);
    expect(untouchedOtlp.fast).toMatchObject({ ok: true, exitCode: 0 });
    expect(untouchedOtlp.fast).toEqual(untouchedOtlp.generic);

    const edits = fc.tuple(fc.nat(), fc.boolean()).chain(([at, otlp]) => {
      const texts = otlp ? otlpBodyTexts : canonicalLines;
      const k = 3 + (at % (texts.length - 3)); // the first records teach the shapes
      return textEdit(texts[k]!).map((edited) => ({ otlp, texts: texts.map((text, i) => (i === k ? edited : text)) }));
    });
    let readable = 0;
    fc.assert(
      fc.property(edits, ({ otlp, texts }) => {
        const { fast, generic, unreadable } = reports(otlp ? `${requestOf(texts.slice(0, 20))}\n${requestOf(texts.slice(20))}\n` : texts.join('\n'));
        expect(fast).toEqual(generic);
        if (unreadable === 0) readable++;
      }),
      { numRuns: 400 },
    );
    expect(readable).toBeGreaterThan(100);
  });
});
