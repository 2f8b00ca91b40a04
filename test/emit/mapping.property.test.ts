// Property tests of the whole mapping (toLogRecord, and the processor's marking
// of records it cannot map) over hostile, JSON-ish input: nested objects and
// arrays, holes, unicode, huge and odd numbers, keys with dots, prototype keys
// (__proto__, constructor), secrets in keys' values and inside free text,
// fields over their limits and odd times. Whatever the input, the mapping
// throws nothing but AuditValidationError, leaves no sensitive-looking key with
// its value and no secret in the output, never changes the caller's objects or
// Object.prototype, and finishes.
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { contract } from '../../src/event/contract.js';
import { AuditValidationError } from '../../src/event/errors.js';
import { AuditLogRecordProcessor } from '../../src/emit/processor.js';
import { toLogRecord, type AuditLogRecord, type MappingOptions } from '../../src/emit/to-log-record.js';
import { catalog } from './fixtures/catalog.js';

const { replacement, attributePattern } = contract().sensitive;
const sensitiveAttribute = new RegExp(attributePattern);
const NOW = Date.UTC(2026, 11, 3);

/** What every injected secret carries; nothing else in the input can spell it. */
const MARK = 'Zq9SeCrEt';
const secretText = fc.constantFrom(
  `Bearer ${MARK}1`,
  `Authorization: Basic ${MARK}2`,
  `eyJhbGciOiJub25lIn0.eyJ${MARK}3.c2ln`,
  `https://svc:${MARK}4@db.example.com:5432/x`,
  `AKIA${MARK.toUpperCase()}ABCDEFG`,
  `ghp_${MARK}${'a'.repeat(27)}`,
  `xoxb-${MARK}-123456`,
  `AIza${MARK}${'b'.repeat(26)}`,
  `sk_live_${MARK}1234567`,
  `-----BEGIN EC PRIVATE KEY-----\n${MARK}\n-----END EC PRIVATE KEY-----`,
);

const keyArb = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: 'grapheme' }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__',
      'a', 'b', 'a.b', '.', '..', 'a..b', '', ' ', 'id', 'session', 'api', 'key',
      'password', 'apiKeys', 'secret_key', 'private_key_pem', 'Authorization-Header', 'session.id', 'api.key', 'credentials', 'pwd', 'jwt',
      'tokens_used', 'tokenCount', 'author', 'authority', '_overflow', '_overflow_count', '😀', 'ключ', '\u0000',
    ),
  },
);

const leafArb = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ maxLength: 8, unit: 'grapheme' }),
  fc.string({ maxLength: 4, unit: 'binary' }),
  fc.tuple(fc.string({ maxLength: 6 }), secretText, fc.string({ maxLength: 6 })).map(([a, s, b]) => `${a} ${s} ${b}`),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 2, -0, Number.NaN, Infinity, -Infinity, 1e308),
  fc.bigInt({ min: -(2n ** 256n), max: 2n ** 256n }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date(),
  fc.uint8Array({ maxLength: 6 }),
);

/** An object with exactly these own enumerable keys (also "__proto__", as JSON.parse makes it). */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

const { data: dataArb } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafArb, tie('data'), fc.array(tie('value'), { maxLength: 4 }), fc.sparseArray(tie('value'), { maxLength: 4 })),
  data: fc.array(fc.tuple(keyArb, tie('value')), { maxLength: 6 }).map(objectOf),
}));

// Mostly valid events, so that most runs reach the output; the rest exercise the refusals.
const fieldArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 8, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 3, arbitrary: secretText },
  { weight: 1, arbitrary: fc.constant('x'.repeat(5000)) },
);
const timeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(NOW) }) },
  { weight: 1, arbitrary: fc.date() },
  { weight: 1, arbitrary: fc.constantFrom('2024-02-30T00:00:00Z', '2024-02-29T10:00:00+01:00', '9999-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '2026-12-02T00:00:00.123456Z', 'now', 42) },
);
const eventArb = fc.record(
  {
    name: fc.oneof({ weight: 8, arbitrary: fc.constant('settings.update') }, { weight: 1, arbitrary: fc.constantFrom('auth.login', 'repo.fork', 'nope', '__proto__') }),
    id: fieldArb,
    source: fieldArb,
    time: timeArb,
    actor: fc.oneof(fc.constant(undefined), fc.record({ id: fieldArb, email: fieldArb, userAgent: fieldArb, ip: fieldArb }, { requiredKeys: [] })),
    target: fc.oneof(fc.constant(undefined), fc.record({ name: fieldArb, id: fieldArb }, { requiredKeys: [] })),
    organization: fieldArb,
    data: fc.oneof({ weight: 5, arbitrary: dataArb }, { weight: 1, arbitrary: fc.constant(undefined) }),
  },
  { requiredKeys: ['name'] },
);
const optionsArb = fc.record({ maxFieldLength: fc.constantFrom(undefined, undefined, undefined, 16), attributeCountLimit: fc.constantFrom(undefined, 30), maxRecordBytes: fc.constantFrom(undefined, undefined, undefined, 8192) }).map((o): MappingOptions => ({ ...o, now: () => NOW }));

/** A description of a value that changes when anything reachable in it changes (own keys, holes, dates, bytes, bigints). */
function snapshot(value: unknown, seen = new Set<object>()): unknown {
  if (typeof value === 'bigint') return `bigint:${value}`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : Number.isNaN(value) ? 'NaN' : value;
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[seen]';
  seen.add(value);
  if (value instanceof Date) return `date:${value.getTime()}`;
  if (value instanceof Uint8Array) return `bytes:${Array.from(value).join(',')}`;
  if (Array.isArray(value)) return { array: Array.from({ length: value.length }, (_, i) => (i in value ? snapshot(value[i], seen) : '<hole>')) };
  return { proto: Object.getPrototypeOf(value) === Object.prototype, entries: Reflect.ownKeys(value).map((k) => [String(k), snapshot((value as Record<PropertyKey, unknown>)[k], seen)]) };
}

/** Every key path of a JSON value (array indices left out, as data paths do) with the value under it. */
function* paths(value: unknown, prefix = ''): Generator<[string, unknown]> {
  if (Array.isArray(value)) for (const item of value) yield* paths(item, prefix);
  else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      const item = (value as Record<string, unknown>)[key];
      yield [path, item];
      yield* paths(item, path);
    }
  }
}

/** No sensitive-looking attribute key keeps its value; no secret is left anywhere in the record. */
function expectRedacted(attributes: Record<string, unknown>, body: unknown): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    if (sensitiveAttribute.test(key)) expect(value, key).toBe(replacement);
    if (key === 'audit.data._overflow') {
      for (const [path, spilled] of Object.entries(JSON.parse(value as string) as Record<string, unknown>)) {
        if (sensitiveAttribute.test(`audit.data.${path}`)) expect(spilled, path).toBe(replacement);
      }
    }
  }
  const data = (body as { data?: unknown } | undefined)?.data;
  for (const [path, value] of paths(data)) if (sensitiveAttribute.test(`audit.data.${path}`)) expect(value, `body data.${path}`).toBe(replacement);
  const text = JSON.stringify([attributes, body], (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? Array.from(v) : v));
  expect(text).not.toContain(MARK);
  expect(text).not.toContain(MARK.toUpperCase());
}

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
afterAll(() => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
});

describe('mapping properties', () => {
  it('toLogRecord throws only AuditValidationError, redacts, leaves its input and Object.prototype alone', () => {
    fc.assert(
      fc.property(eventArb, optionsArb, (event, options) => {
        const before = snapshot(event);
        let record: AuditLogRecord | undefined;
        try {
          record = toLogRecord(event as never, catalog, options);
        } catch (error) {
          if (!(error instanceof AuditValidationError)) throw error;
          expect(error.code).toBe('AUDIT_EVENT_INVALID');
          expect(typeof error.path).toBe('string');
          expect(error.message.length).toBeLessThan(2000);
        }
        expect(snapshot(event)).toEqual(before);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        if (record) {
          expectRedacted(record.attributes, record.body);
          // What leaves is plain JSON values (array holes stay holes, docs/emit.md).
          expect(() => JSON.stringify(record.body)).not.toThrow();
        }
      }),
      { numRuns: 600, interruptAfterTimeLimit: 20_000 },
    );
  }, 30_000);

  it('the processor (policy mark) never throws, and what it passes on is redacted', () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new AuditLogRecordProcessor({ catalog }), new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('app');
    fc.assert(
      fc.property(eventArb, (event) => {
        exporter.reset();
        const { name, ...body } = event;
        const before = snapshot(body);
        expect(() => logger.emit({ eventName: name, body, attributes: { 'event.domain': 'acme.audit', 'audit.data.apiKeys': 'k', 'http.header': `Bearer ${MARK}` } })).not.toThrow();
        expect(snapshot(body)).toEqual(before);
        const [record] = exporter.getFinishedLogRecords();
        expect(record).toBeDefined();
        expectRedacted(record!.attributes, record!.body);
      }),
      { numRuns: 300, interruptAfterTimeLimit: 15_000 },
    );
  }, 30_000);
});
