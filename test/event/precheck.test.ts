// The pre-checks let emit() skip ajv: they must never accept an event or data
// that ajv refuses, and must accept the usual valid one (else they save nothing).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePrecheck } from '../../src/event/precheck.js';
import { validateEvent } from '../../src/event/validate.js';
import { AuditValidationError } from '../../src/event/errors.js';
import { packageRoot } from '../../src/package-root.js';
import { catalog, fullEvent } from '../emit/fixtures/catalog.js';

/** The schema as validate.ts compiles it: time is checked by hand, the name beside the event. */
function envelopeSchema(): Record<string, unknown> {
  const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'event.schema.json'), 'utf8')) as { properties: Record<string, unknown>; required: string[] };
  schema.properties.time = {};
  schema.required = schema.required.filter((field) => field !== 'name');
  return schema;
}

const schema = envelopeSchema();
const check = compilePrecheck(schema)!;
const ajv = new Ajv2020({ strict: false, allErrors: false }).compile(schema);

const text = fc.oneof(fc.string({ maxLength: 3 }), fc.string({ unit: 'grapheme', maxLength: 140 }), fc.constantFrom('', '😀', '😀'.repeat(64), 'x'.repeat(129), 'api'));
const anything = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(text, { maxLength: 2 }), fc.dictionary(fc.constantFrom('id', 'x', 'type'), text, { maxKeys: 2 }));
const field = (values: fc.Arbitrary<unknown>) => fc.oneof(values, anything);
const eventArb = fc.record(
  {
    id: field(text),
    name: field(text),
    source: field(text),
    time: anything,
    severity: field(fc.constantFrom('info', 'warning', 'alert', 'critical', 'Info')),
    outcome: field(fc.constantFrom('success', 'failure', 'unknown', 'ok')),
    actor: field(fc.record({ id: field(text), type: field(text), email: field(text), extra: text }, { requiredKeys: [] })),
    target: field(fc.record({ type: field(text), id: field(text), name: field(text), owner: text }, { requiredKeys: [] })),
    organization: field(text),
    data: field(fc.dictionary(fc.string({ maxLength: 3 }), anything, { maxKeys: 2 })),
    unknown: text,
  },
  { requiredKeys: [] },
);

describe('envelope pre-check', () => {
  it('accepts nothing ajv refuses (any mix of valid and invalid fields)', () => {
    fc.assert(
      fc.property(fc.oneof(eventArb, anything), (event) => {
        if (check(event)) expect(ajv(event)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts the usual valid event, so emit skips ajv for it', () => {
    const { name: _name, ...event } = fullEvent();
    expect(check(event)).toBe(true);
    expect(check({ source: 'api', actor: { id: 'u-1' }, data: {} })).toBe(true);
  });

  it('refuses inherited keys, arrays, null and strings over the id limit counted in code points, as ajv does', () => {
    expect(check(Object.create({ injected: 1 }) as object)).toBe(false);
    expect(ajv(Object.create({ injected: 1 }) as object)).toBe(false);
    expect(check([])).toBe(false);
    expect(check(null)).toBe(false);
    expect(check({ actor: [] })).toBe(false);
    // 128 emoji are 256 UTF-16 units but 128 code points: ajv accepts, the pre-check leaves it to ajv
    expect(check({ id: '😀'.repeat(128) })).toBe(false);
    expect(ajv({ id: '😀'.repeat(128) })).toBe(true);
  });

  it('leaves the error to ajv: an invalid event still gets its field and reason', () => {
    const { name, ...event } = fullEvent();
    expect(() => validateEvent({ ...event, name, actor: { id: 'u-1', role: 'admin' } } as never, catalog)).toThrow(AuditValidationError);
    expect(() => validateEvent({ ...event, name, actor: { id: 'u-1', role: 'admin' } } as never, catalog)).toThrow('actor.role is not allowed (unknown property)');
    expect(() => validateEvent({ ...event, name, outcome: 'ok' } as never, catalog)).toThrow(/outcome/);
  });

  it('compiles to no pre-check for a schema with a keyword it does not know', () => {
    expect(compilePrecheck({ type: 'object', properties: { id: { type: 'string', pattern: '^a' } } })).toBeUndefined();
    expect(compilePrecheck({ type: 'object', properties: { n: { type: ['number', 'null'] } } })).toBeUndefined();
    expect(compilePrecheck({ type: 'object', properties: { at: { type: 'string', format: 'date-time' } } })).toBeUndefined();
    expect(compilePrecheck({ type: 'object', oneOf: [] })).toBeUndefined();
    expect(compilePrecheck({ type: 'array' })).toBeUndefined();
  });
});

describe('data pre-check', () => {
  // Every keyword the pre-check understands, nested, as a catalog might write it.
  const dataSchema = {
    type: 'object',
    description: 'annotations change nothing',
    properties: {
      repo: { type: 'object', properties: { id: { type: 'string', minLength: 2, maxLength: 8 }, visibility: { enum: ['public', 'private'] } }, required: ['id'], additionalProperties: false },
      forks: { type: 'integer' },
      ratio: { type: 'number' },
      archived: { type: 'boolean' },
      free: {},
    },
    required: ['repo'],
  };
  const dataCheck = compilePrecheck(dataSchema)!;
  const dataAjv = new Ajv2020({ strict: false, allErrors: false }).compile(dataSchema);
  const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constantFrom(1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60));
  const dataArb = fc.record(
    {
      repo: fc.oneof(scalar, fc.array(scalar, { maxLength: 1 }), fc.record({ id: fc.oneof(text, scalar), visibility: fc.oneof(fc.constantFrom('public', 'private', 'internal'), scalar), extra: scalar }, { requiredKeys: [] })),
      forks: scalar,
      ratio: scalar,
      archived: scalar,
      free: fc.oneof(scalar, fc.dictionary(fc.string({ maxLength: 2 }), scalar, { maxKeys: 2 })),
      other: scalar,
    },
    { requiredKeys: [] },
  );

  it('accepts nothing ajv refuses', () => {
    fc.assert(
      fc.property(fc.oneof(dataArb, scalar), (data) => {
        if (dataCheck(data)) expect(dataAjv(data)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts the usual valid data, and an invalid one still gets ajv\'s error', () => {
    expect(dataCheck({ repo: { id: 'r-1', visibility: 'private' }, forks: 3, ratio: 0.5, archived: false, free: [1] })).toBe(true);
    expect(dataCheck({ repo: { id: 'r-1' }, forks: 1.5 })).toBe(false);
    const { name, ...event } = fullEvent();
    expect(() => validateEvent({ ...event, name, data: { repo: { id: 'r-1' }, forks: 1.5 } }, catalog)).toThrow('data.forks must be integer');
    expect(() => validateEvent({ ...event, name, data: { repo: { id: 'r-1' }, stars: 1 } }, catalog)).toThrow('data.stars is not allowed (unknown property)');
  });
});
