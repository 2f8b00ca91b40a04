// The envelope pre-check lets emit() skip ajv: it must never accept an event
// that ajv refuses, and it must accept the usual valid event (else it saves nothing).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileEnvelopeCheck } from '../../src/event/envelope-check.js';
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
const check = compileEnvelopeCheck(schema)!;
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
    expect(compileEnvelopeCheck({ type: 'object', properties: { id: { type: 'string', pattern: '^a' } } })).toBeUndefined();
    expect(compileEnvelopeCheck({ type: 'object', properties: { n: { type: 'number' } } })).toBeUndefined();
    expect(compileEnvelopeCheck({ type: 'object', oneOf: [] })).toBeUndefined();
  });
});
