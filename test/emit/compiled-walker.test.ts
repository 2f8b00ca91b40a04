// The data walker compiled from a catalog event's schema (the emit fast path)
// must give exactly what the generic walker gives: the same attributes in the
// same order, the same body copy (key order included), the same size count,
// the same errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineCatalog } from '../../src/event/catalog.js';
import { compileDataWalker, flattenData, flattenWalk, type FlattenLimits } from '../../src/emit/flatten.js';
import { toLogRecord } from '../../src/emit/to-log-record.js';

const schema = {
  type: 'object',
  properties: {
    repo: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, 'a.b': { type: 'string' }, apiKey: { type: 'string' }, deep: { properties: { x: { type: 'integer' } } } } },
    forks: { type: 'integer' },
    topics: { type: 'array', items: { type: 'string' } },
    password: { type: 'string' },
    note: { type: 'string' },
    'repo.id': { type: 'string' },
    __proto__: { type: 'string' },
    _overflow: { type: 'string' },
    '0': { type: 'number' },
    marked: { type: 'object', properties: { inner: { type: 'string' } } },
  },
} as const;
const sensitivePaths = new Set(['note', 'marked.inner']);

const keyArb = fc.constantFrom('repo', 'id', 'name', 'a.b', 'a', 'b', 'apiKey', 'deep', 'x', 'forks', 'topics', 'password', 'note', 'repo.id', '__proto__', '_overflow', '_overflow_count', '0', 'marked', 'inner', 'other');
const leafArb = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  fc.constant({}),
);
const valueArb = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafArb, tie('object'), fc.array(tie('value'), { maxLength: 3 })),
  object: fc.dictionary(keyArb, tie('value'), { maxKeys: 6 }),
})).object;

type Outcome = { ok: true; attributes: [string, unknown][]; data: string; counts: number[] } | { ok: false; message: string };

function outcome(run: () => { attributes: Record<string, unknown>; data: Record<string, unknown>; bytes: number; leafCount: number; overflowCount: number }): Outcome {
  try {
    const { attributes, data, bytes, leafCount, overflowCount } = run();
    return { ok: true, attributes: Object.entries(attributes), data: JSON.stringify(data), counts: [bytes, leafCount, overflowCount] };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

describe('compiled data walker', () => {
  const walker = compileDataWalker(schema, sensitivePaths)!;

  it('compiles for a schema with properties, not for one without', () => {
    expect(walker).toBeTypeOf('function');
    expect(compileDataWalker({ type: 'object' }, new Set())).toBeUndefined();
    expect(compileDataWalker(undefined, new Set())).toBeUndefined();
  });

  for (const [label, limits] of [
    ['no limit reached', { attributeBudget: 100_000, maxDepth: 32, maxDataBytes: 10_000_000 }],
    ['tight limits (overflow, depth, size)', { attributeBudget: 4, maxDepth: 2, maxDataBytes: 40 }],
  ] as [string, FlattenLimits][]) {
    it(`gives what the generic walker gives: ${label}`, () => {
      fc.assert(
        fc.property(valueArb, (data) => {
          const generic = outcome(() => flattenWalk('t.e', data, sensitivePaths, limits, { 'audit.data.repo.id': undefined, x: 1 }));
          const compiled = outcome(() => flattenWalk('t.e', data, sensitivePaths, limits, { 'audit.data.repo.id': undefined, x: 1 }, walker));
          expect(compiled).toEqual(generic);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('is what toLogRecord uses, with the same records as the generic walker', () => {
    const catalog = defineCatalog({ domain: 'acme.audit', events: { 'repo.fork': { description: 'x', data: { type: 'object', properties: { repo: { type: 'object', properties: { id: { type: 'string' }, secret: { type: 'string' } } }, n: { type: 'number' } } } } } });
    const data = { n: 3, repo: { secret: 's', id: 'r-1', extra: [1, 2] } };
    const record = toLogRecord({ name: 'repo.fork', id: 'i', time: '2026-01-01T00:00:00.000Z', data }, catalog);
    const generic = flattenData('repo.fork', data, new Set(), { attributeBudget: 100, maxDepth: 32, maxDataBytes: 65_536 });
    expect(JSON.stringify(record.body.data)).toBe(JSON.stringify(generic.data));
    // (The order of attributes differs: toLogRecord declares the schema's keys up front.)
    const dataAttributes = Object.fromEntries(Object.entries(record.attributes).filter(([key, value]) => key.startsWith('audit.data.') && value !== undefined));
    expect(dataAttributes).toStrictEqual(generic.attributes);
  });
});
