// Property tests of flattening: for any JSON-like data, no crash, no lost key,
// deterministic output, and nothing sensitive left in attributes or body.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contract } from '../../src/event/contract.js';
import { AuditValidationError } from '../../src/event/errors.js';
import { DATA_PREFIX, flattenData, type FlattenLimits } from '../../src/emit/flatten.js';
import { isSensitiveName } from '../../src/emit/redact.js';

const limits: FlattenLimits = { attributeBudget: 100_000, maxDepth: 32, maxDataBytes: 10_000_000 };
const keyArb = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a', 'b', 'a.b', 'password', 'apiToken', 'tokenCount', '__proto__', ''));
const leafArb = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.bigInt(), fc.date({ noInvalidDate: true }));
const valueArb = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafArb, tie('object'), fc.array(tie('value'), { maxLength: 4 })),
  object: fc.dictionary(keyArb, tie('value'), { maxKeys: 5 }),
})).object;

/** Every leaf path that must appear as an attribute, with the paths under redacted keys (the name rule reads the dotted path) cut short. */
function expectedPaths(value: Record<string, unknown>, prefix?: string): string[] {
  const paths: string[] = [];
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === undefined) continue;
    // An empty key is a level of its own: {"": {a: 1}} flattens to ".a", not to "a".
    const path = prefix === undefined ? key : `${prefix}.${key}`;
    const isObject = typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
    if (!isSensitiveName(path) && isObject && Object.keys(v).length > 0) paths.push(...expectedPaths(v as Record<string, unknown>, path));
    else paths.push(path);
  }
  return paths;
}

describe('flattenData properties', () => {
  it('never crashes, loses no key and is deterministic', () => {
    fc.assert(
      fc.property(valueArb, (data) => {
        let result;
        try {
          result = flattenData('t.e', data, new Set(), limits);
        } catch (error) {
          // The only refusal for JSON-like data: two keys flattening to one attribute.
          expect(error).toBeInstanceOf(AuditValidationError);
          expect((error as AuditValidationError).reason).toMatch(/another data key already produced|reserved/);
          return;
        }
        const keys = Object.keys(result.attributes);
        expect(keys.sort()).toEqual(expectedPaths(data).map((p) => DATA_PREFIX + p).sort());
        expect(flattenData('t.e', data, new Set(), limits)).toEqual(result);
        // The body copy is plain JSON and has the same keys at the top.
        expect(Object.keys(result.data).sort()).toEqual(Object.keys(data).filter((k) => data[k] !== undefined).sort());
        expect(() => JSON.stringify(result.data)).not.toThrow();
      }),
      { numRuns: 400 },
    );
  });

  it('redacts every sensitive key, in attributes and in the body', () => {
    const { replacement } = contract().sensitive;
    fc.assert(
      fc.property(valueArb, fc.string({ minLength: 3 }), (data, secret) => {
        const withSecret = { ...data, nested: { password: `pw-${secret}`, list: [{ apiKey: `key-${secret}` }] } };
        let result;
        try {
          result = flattenData('t.e', withSecret, new Set(), limits);
        } catch {
          return;
        }
        expect(result.attributes[`${DATA_PREFIX}nested.password`]).toBe(replacement);
        expect(JSON.stringify(result)).not.toContain(`pw-${secret}`);
        expect(JSON.stringify(result)).not.toContain(`key-${secret}`);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps attribute count within the budget and puts the rest in one counted overflow attribute', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 0, max: 80 }), (budget, n) => {
        const data = Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
        const result = flattenData('t.e', data, new Set(), { ...limits, attributeBudget: budget });
        expect(Object.keys(result.attributes).length).toBeLessThanOrEqual(budget);
        const overflow = result.attributes[`${DATA_PREFIX}_overflow`];
        const kept = Object.keys(result.attributes).filter((k) => !k.includes('_overflow')).length;
        const spilled = overflow === undefined ? 0 : Object.keys(JSON.parse(overflow as string) as object).length;
        expect(kept + spilled).toBe(n);
        expect(result.overflowCount).toBe(spilled);
        if (spilled > 0) expect(result.attributes[`${DATA_PREFIX}_overflow_count`]).toBe(spilled);
      }),
    );
  });
});

describe('flattening rules (docs/emit.md)', () => {
  const flat = (data: Record<string, unknown>) => flattenData('t.e', data, new Set(), limits).attributes;
  it('joins nested keys with dots and keeps arrays of scalars as arrays', () => {
    expect(flat({ a: { b: { c: 1 } }, tags: ['x', 'y'], n: [1, 2], empty: [] })).toEqual({
      'audit.data.a.b.c': 1, 'audit.data.tags': ['x', 'y'], 'audit.data.n': [1, 2], 'audit.data.empty': [],
    });
  });
  it('turns arrays of objects and mixed arrays into one JSON string', () => {
    expect(flat({ members: [{ id: 1 }, { id: 2 }], mixed: [1, 'a'] })).toEqual({
      'audit.data.members': '[{"id":1},{"id":2}]', 'audit.data.mixed': '[1,"a"]',
    });
  });
  it('converts null, Date, BigInt, NaN and empty objects, and skips undefined', () => {
    expect(flat({ n: null, d: new Date(Date.UTC(2026, 0, 2)), b: 2n ** 70n, x: Number.NaN, e: {}, u: undefined })).toEqual({
      'audit.data.n': null, 'audit.data.d': '2026-01-02T00:00:00.000Z', 'audit.data.b': '1180591620717411303424', 'audit.data.x': 'NaN', 'audit.data.e': '{}',
    });
  });
  it('keeps dots in keys but refuses a collision instead of overwriting', () => {
    expect(flat({ 'a.b': 1 })).toEqual({ 'audit.data.a.b': 1 });
    expect(() => flat({ 'a.b': 1, a: { b: 2 } })).toThrow(/data\.a\.b flattens to the attribute "audit\.data\.a\.b"/);
  });
});
