// One test per row of schemas/contract.json: iterating the contract means a new
// row without a sample value here fails, and a renamed attribute fails too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contract } from '../../src/event/contract.js';
import { toLogRecord } from '../../src/emit/to-log-record.js';
import { catalog, fullEvent } from './fixtures/catalog.js';

function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);
}

describe('toLogRecord follows every contract row', () => {
  const event = fullEvent();
  const record = toLogRecord(event, catalog);

  for (const row of contract().fields) {
    it(`maps ${row.field}`, () => {
      const expected = row.from === 'catalog' ? catalog.domain : at(event, row.field);
      expect(expected, `the test event has no value for contract field ${row.field}; add one to fullEvent()`).toBeDefined();
      let checked = false;
      if (row.attribute) {
        expect(record.attributes[row.attribute]).toEqual(expected);
        checked = true;
      }
      for (const also of row.alsoAttributes ?? []) expect(record.attributes[also]).toEqual(expected);
      if (row.recordField === 'eventName') {
        expect(record.eventName).toBe(expected);
        checked = true;
      }
      if (row.recordField === 'timestamp') {
        const [s, ns] = record.timestamp;
        expect(new Date(s * 1000 + ns / 1e6).toISOString()).toBe(expected);
        checked = true;
      }
      if (row.recordField === 'severityNumber') {
        const level = contract().severities[expected as keyof ReturnType<typeof contract>['severities']];
        expect([record.severityNumber, record.severityText]).toEqual([level.number, level.text]);
        checked = true;
      }
      if (row.attributePrefix) {
        expect(record.attributes[`${row.attributePrefix}repo.id`]).toBe('r-9');
        expect(record.attributes[`${row.attributePrefix}forks`]).toBe(3);
        checked = true;
      }
      expect(checked, `contract row ${row.field} has a mapping kind this test does not know`).toBe(true);
      // The body is the canonical event.
      if (row.field !== 'domain' && row.field !== 'data') expect(at(record.body, row.field)).toEqual(expected);
    });
  }

  it('writes no attribute the contract does not name', () => {
    const mark = contract().sensitive.emitterMark.attribute;
    const named = new Set([mark, ...contract().fields.flatMap((r) => [r.attribute, ...(r.alsoAttributes ?? [])]).filter(Boolean)]);
    const prefix = contract().fields.find((r) => r.attributePrefix)!.attributePrefix!;
    for (const key of Object.keys(record.attributes)) expect(named.has(key) || key.startsWith(prefix), key).toBe(true);
  });

  it('marks every record as redacted by the emitter, so the collector can skip its own pass', () => {
    const { attribute, value } = contract().sensitive.emitterMark;
    expect(record.attributes[attribute]).toBe(value);
    expect(toLogRecord({ name: 'auth.login' }, catalog).attributes[attribute]).toBe(value);
  });

  it('maps each severity to its contract number and text', () => {
    for (const [severity, level] of Object.entries(contract().severities)) {
      const r = toLogRecord({ ...fullEvent(), severity: severity as 'info' }, catalog);
      expect([r.severityNumber, r.severityText, r.body.severity]).toEqual([level.number, level.text, severity]);
    }
    expect(toLogRecord({ name: 'repo.fork', data: { repo: { id: 'x' } } }, catalog).severityText).toBe(contract().severities.warning.text);
    expect(toLogRecord({ name: 'auth.login' }, catalog).severityText).toBe(contract().severities.info.text);
  });

  it('fills id (UUIDv7) and time when absent, and the body carries them', () => {
    const before = Date.now();
    const r = toLogRecord({ name: 'auth.login' }, catalog);
    const idAttribute = contract().fields.find((f) => f.field === 'id')!.attribute!;
    expect(r.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.attributes[idAttribute]).toBe(r.body.id);
    expect(Date.parse(r.body.time)).toBeGreaterThanOrEqual(before - 1);
    // UUIDv7 starts with the millisecond timestamp, so ids sort by time.
    expect(parseInt(r.body.id.replace('-', '').slice(0, 12), 16)).toBe(Date.parse(r.body.time));
    expect(new Set(Array.from({ length: 1000 }, () => toLogRecord({ name: 'auth.login' }, catalog).body.id)).size).toBe(1000);
  });

  it('redacts the catalog-marked and default-named keys in attributes and body', () => {
    const { replacement } = contract().sensitive;
    const r = toLogRecord({ name: 'auth.login', data: { method: 'pw', password: 'hunter2', nested: { client_secret: 's', tokenCount: 2 } } }, catalog);
    expect(r.attributes['audit.data.password']).toBe(replacement);
    expect(r.attributes['audit.data.nested.client_secret']).toBe(replacement);
    expect(r.attributes['audit.data.nested.tokenCount']).toBe(2);
    expect(r.body.data).toEqual({ method: 'pw', password: replacement, nested: { client_secret: replacement, tokenCount: 2 } });
    expect(record.attributes['audit.data.deployKey']).toBe(replacement);
    expect(JSON.stringify(record)).not.toContain('ssh-ed25519');
    // The contract's own regex agrees on which attributes were redacted.
    const pattern = new RegExp(contract().sensitive.attributePattern);
    for (const [key, value] of Object.entries(r.attributes)) if (pattern.test(key)) expect(value, key).toBe(replacement);
  });

  it('writes the body time exactly as Date#toISOString and the timestamp to the nanosecond', () => {
    fc.assert(
      // Every time the time rule accepts: from 2000-01-01 to a day after now.
      fc.property(fc.date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2036, 0, 1)), noInvalidDate: true }), (date) => {
        const r = toLogRecord({ name: 'auth.login', time: date }, catalog, { now: () => Date.UTC(2036, 0, 1) });
        expect(r.body.time).toBe(date.toISOString());
        expect(r.timestamp[0] * 1000 + r.timestamp[1] / 1e6).toBe(date.getTime());
      }),
    );
  });

  it('builds a body that survives JSON unchanged (plain JSON values only)', () => {
    expect(JSON.parse(JSON.stringify(record.body))).toEqual(record.body);
    expect(Object.keys(record.body)).toEqual(['id', 'name', 'time', 'severity', 'source', 'outcome', 'actor', 'target', 'organization', 'team', 'cloudAccount', 'subscription', 'transactionId', 'data']);
  });
});
