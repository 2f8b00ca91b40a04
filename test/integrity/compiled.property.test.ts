// The serialiser compiled per catalog event (the emitter's fast path) writes
// byte for byte what the RFC 8785 reference (canonicalize, after the shared
// normalisation) writes, for records that match their shape and for records
// that do not (members the shape does not name, objects where it names
// scalars, numbers with no JSON form): those take the generic path. And the
// emitter's hashes, made on the fast path, verify with the generic one.
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { AuditValidationError, createAuditLogger, defineCatalog } from '../../src/index.js';
import { canonicalJson, canonicalSlow } from '../../src/integrity/canonical.js';
import { compileCanonical, schemaShape, type Shape } from '../../src/integrity/compiled.js';
import { publicKeys, verifyTrail } from '../../src/integrity/index.js';

const names = fc.oneof(fc.constantFrom('a', 'b', 'A', 'é', 'ä', 'z', '\u{1F600}', '\uFB33', '10', '2', '0', '', 'a.b', 'k"\\', '\u0001', '__proto__', 'toJSON'), fc.string({ maxLength: 4 }));
/** Names for shapes: index-like names (which a shape cannot compile) now and then. */
const shapeNames = fc.oneof({ weight: 12, arbitrary: names.filter((name) => !/^(?:0|[1-9]\d*)$/.test(name)) }, { weight: 1, arbitrary: fc.constantFrom('10', '2', '0') });
const wellFormed = (text: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
const strings = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }).filter(wellFormed), fc.constantFrom('a"b\\c\n\u0001\u007f\u2028 \u{1F600}', '{}', 'null', ''));
const numbers = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(1e21, -0, 0, 1e-7, 5e-324, Number.MAX_VALUE, 2 ** 53, -1.5e-300));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, strings, numbers, fc.boolean(), fc.constant(null), fc.constant(undefined), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(names, tie('value'), { maxKeys: 4 }),
}));

/** A random shape: member names, some with a nested shape. */
const shapes: fc.Arbitrary<Shape> = fc.letrec((tie) => ({
  shape: fc.uniqueArray(fc.tuple(shapeNames, fc.option(tie('shape'), { nil: undefined, depthSize: 'small' })), { selector: ([name]) => name, maxLength: 6 }).map((entries) => new Map(entries) as Shape),
})).shape;

/**
 * A record for `shape`: with `conforming`, only the members it names, with
 * scalars (or arrays of them) where it names no shape of their own; else also
 * anything anywhere, and members it does not name.
 */
function recordOf(shape: Shape, conforming: boolean): fc.Arbitrary<Record<string, unknown>> {
  const scalar = fc.oneof(strings, numbers, fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(fc.oneof(strings, numbers, fc.boolean(), fc.constant(null)), { maxLength: 3 }));
  const fitting = (child: Shape | undefined) => (child && child.size > 0 ? recordOf(child, conforming) : scalar);
  const value = (child: Shape | undefined) => (conforming ? fitting(child) : fc.oneof({ weight: 6, arbitrary: fitting(child) }, { weight: 1, arbitrary: json.value }));
  const members = [...shape].map(([name, child]) => fc.option(fc.tuple(fc.constant(name), value(child)), { nil: undefined, freq: 4 }));
  const extra = conforming ? fc.constant({}) : fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: json.object });
  return fc.tuple(fc.tuple(...members), extra).map(([picked, more]) => {
    const record: Record<string, unknown> = {};
    for (const entry of picked) if (entry) Object.defineProperty(record, entry[0], { value: entry[1], enumerable: true, writable: true, configurable: true });
    for (const [name, member] of Object.entries(more)) Object.defineProperty(record, name, { value: member, enumerable: true, writable: true, configurable: true });
    return record;
  });
}

/** Shapes the fast path compiles whole: no index-like names, no "__proto__". */
const isCompilable = (shape: Shape): boolean => shape.size > 0 && [...shape].every(([name, child]) => !/^(?:0|[1-9]\d*)$/.test(name) && name !== '__proto__' && (!child || child.size === 0 || isCompilable(child)));

const withLoneSurrogates = (value: unknown) => !wellFormed(JSON.stringify(value) ?? '');

describe('compileCanonical', () => {
  it('writes records that fit their shape on the fast path, as the RFC 8785 reference does', () => {
    fc.assert(
      fc.property(shapes.filter(isCompilable).chain((shape) => fc.tuple(fc.constant(shape), recordOf(shape, true))), ([shape, record]) => {
        let generic = 0;
        const compiled = compileCanonical(shape, () => generic++)(record);
        expect(generic).toBe(0);
        expect(compiled).toBe(canonicalJson(record));
        if (!withLoneSurrogates(record)) expect(compiled).toBe(canonicalSlow(record));
      }),
      { numRuns: 1000 },
    );
  });

  it('writes any record as the RFC 8785 reference does, taking the generic path for what does not fit', () => {
    let generic = 0;
    fc.assert(
      fc.property(shapes.chain((shape) => fc.tuple(fc.constant(shape), recordOf(shape, false))), ([shape, record]) => {
        const compiled = compileCanonical(shape, () => generic++)(record);
        expect(compiled).toBe(canonicalJson(record));
        if (!withLoneSurrogates(record)) expect(compiled).toBe(canonicalSlow(record));
      }),
      { numRuns: 1500 },
    );
    expect(generic).toBeGreaterThan(100); // the mix reaches the generic path often
  });

  it('writes the awkward cases as the reference does: escapes, unicode order, 1e21, -0, nulls, empty objects', () => {
    const shape: Shape = new Map<string, Shape | undefined>([
      ['z', undefined], ['é', undefined], ['E', undefined], ['\u{1F600}', undefined], ['\uFB33', undefined], ['n', undefined], ['empty', new Map([['x', undefined]])], ['list', undefined], ['k"\\', undefined],
    ]);
    let generic = 0;
    const serialise = compileCanonical(shape, () => generic++);
    const record = { z: 'a"b\\c\n\u0001\u007f\u2028 \u{1F600}', é: 1e21, E: -0, '\u{1F600}': 1e-7, '\uFB33': true, n: null, empty: { x: null }, list: ['x', 2, null, false], 'k"\\': 'v' };
    expect(serialise(record)).toBe(canonicalSlow(record));
    expect(generic).toBe(0);
    expect(serialise(record)).toBe('{"E":0,"k\\"\\\\":"v","list":["x",2,null,false],"z":"a\\"b\\\\c\\n\\u0001\u007f\u2028 \u{1F600}","é":1e+21,"\u{1F600}":1e-7,"\uFB33":true}');
  });

  it('takes the generic path for what it does not compile, and refuses what has no JSON form as the generic path does', () => {
    let generic = 0;
    const serialise = compileCanonical(new Map([['a', new Map([['b', undefined]])], ['c', undefined]]), () => generic++);
    // a member the shape does not name, an object where it names none, a Date, an array holding an object
    const records = [{ a: { b: 1, x: 2 } }, { a: { b: { deep: [{ y: 1, x: 2 }] } } }, { a: { b: new Date(0) } }, { c: [1, [2, { b: 3, a: 4 }]] }, { __proto__x: 1, a: { b: 2 } }];
    for (const record of records) expect(serialise(record)).toBe(canonicalSlow(record));
    expect(generic).toBe(records.length);
    // index-like names: JSON.stringify would put them first, so such a shape is not compiled
    const indexed = { 10: 'x', 2: 'y', a: { b: 'z' } };
    expect(compileCanonical(new Map([['10', undefined], ['2', undefined], ['a', undefined]]), () => generic++)(indexed)).toBe(canonicalSlow(indexed));
    expect(generic).toBe(records.length + 1);
    expect(() => serialise({ a: { b: Number.NaN } })).toThrow(/NaN has no JSON form/);
    expect(() => serialise({ a: { b: 10n } })).toThrow(/bigint has no JSON form/);
  });

  it('writes what the generic path writes where toJSON or getters could change what JSON.stringify sees', () => {
    // An array's own toJSON, on any record that fits its shape: JSON.stringify would write what it returns.
    fc.assert(
      fc.property(shapes.filter(isCompilable).chain((shape) => fc.tuple(fc.constant(shape), recordOf(shape, true))), ([shape, record]) => {
        const hijack = (value: unknown): void => {
          if (Array.isArray(value)) Object.defineProperty(value, 'toJSON', { value: () => 'hijacked', enumerable: false });
          else if (typeof value === 'object' && value !== null) Object.values(value).forEach(hijack);
        };
        hijack(record);
        expect(compileCanonical(shape)(record)).toBe(canonicalJson(record));
      }),
      { numRuns: 300 },
    );
    const shape: Shape = new Map<string, Shape | undefined>([['list', undefined], ['nested', new Map([['at', undefined], ['n', undefined]])], ['s', undefined]]);
    let generic = 0;
    const serialise = compileCanonical(shape, () => generic++);
    // Getters are read as the generic path reads them: their values, not the accessors.
    const nested = { n: -0 };
    Object.defineProperty(nested, 'at', { get: () => 'é"\ud800', enumerable: true });
    const record = { list: ['a', 1e21, null, true], nested };
    Object.defineProperty(record, 's', { get: () => '\u2028', enumerable: true });
    expect(serialise(record)).toBe(canonicalJson(record));
    expect(serialise(record)).toBe('{"list":["a",1e+21,null,true],"nested":{"at":"é\\"\\ud800","n":0},"s":"\u2028"}');
    expect(generic).toBe(0);
    // A getter the shape does not name: the generic path, which reads it too.
    Object.defineProperty(record, 'late', { get: () => 5e-324, enumerable: true });
    expect(serialise(record)).toBe('{"late":5e-324,"list":["a",1e+21,null,true],"nested":{"at":"é\\"\\ud800","n":0},"s":"\u2028"}');
    expect(generic).toBe(1);
    // A toJSON on the prototypes: JSON.stringify would call it, the generic path does not.
    for (const prototype of [Object.prototype, Array.prototype]) {
      Object.defineProperty(prototype, 'toJSON', { value: () => 'hijacked', configurable: true, writable: true, enumerable: false });
      try {
        const plain = { list: ['x'], nested: { at: 'y' }, s: 'z' };
        expect(serialise(plain)).toBe('{"list":["x"],"nested":{"at":"y"},"s":"z"}');
      } finally {
        delete (prototype as { toJSON?: unknown }).toJSON;
      }
    }
  });

  it('reads a catalog data schema into the shape the emitter compiles', () => {
    const shape = schemaShape({ type: 'object', properties: { repo: { type: 'object', properties: { id: { type: 'string' } } }, forks: { type: 'integer' } } });
    expect(shape).toEqual(new Map([['repo', new Map([['id', undefined]])], ['forks', undefined]]));
  });
});

describe('the emitter hashes on the compiled path', () => {
  const catalog = defineCatalog({
    domain: 'acme.audit',
    events: {
      'doc.share': {
        description: 'A document was shared.',
        data: { type: 'object', properties: { doc: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' }, size: { type: 'number' } } }, with: { type: 'array', items: { type: 'string' } }, note: { type: 'string' } } },
      },
      'free.form': { description: 'Data of any shape.' },
    },
  });
  const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('é\u{1F600}', 'a"b\\c\n\u0001', '\u2028'));
  const events = fc.array(
    fc.oneof(
      fc.record({ name: fc.constant('doc.share' as const), event: fc.record({ actor: fc.record({ id: text, email: text }, { requiredKeys: [] }), organization: text, data: fc.record({ doc: fc.record({ id: text, title: text, size: numbers }, { requiredKeys: [] }), with: fc.array(text, { maxLength: 3 }), note: text }, { requiredKeys: [] }) }, { requiredKeys: ['data'] }) }),
      fc.record({ name: fc.constant('free.form' as const), event: fc.record({ data: json.object }) }),
    ),
    { minLength: 1, maxLength: 12 },
  );

  it('makes hashes that verifyTrail (generic canonical JSON) proves, for random events', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keys = publicKeys([publicKey.export({ type: 'spki', format: 'pem' }).toString()]);
    await fc.assert(
      fc.asyncProperty(events, async (batch) => {
        const exporter = new InMemoryLogRecordExporter();
        const audit = createAuditLogger({ catalog, exporter, integrity: { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), digestEvery: 5 } });
        let emitted = 0;
        for (const { name, event } of batch) {
          try {
            audit.emit(name, event);
            emitted++;
          } catch (error) {
            if (!(error instanceof AuditValidationError)) throw error; // data the emitter refuses (colliding keys): not a record
          }
        }
        await audit.integrity!.digest();
        await audit.flush();
        const report = verifyTrail(exporter.getFinishedLogRecords().map((record, i) => ({ body: record.body, where: `#${i}` })), { keys });
        await audit.shutdown();
        if (emitted === 0) return;
        expect(report.streams[0]).toMatchObject({ records: emitted, modified: [], gaps: [], intact: [{ from: 1, to: emitted }] });
        expect(report.exitCode).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
