// The event time rule: a real RFC 3339 date-time (a day its month has, leap
// years, hours, minutes, seconds and offsets in range) or a valid Date, not
// before 2000-01-01T00:00:00Z and at most a day after now.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditValidationError } from '../../src/event/errors.js';
import { MAX_EVENT_TIME_AHEAD_MS, MIN_EVENT_TIME_MS, parseRfc3339 } from '../../src/event/validate.js';
import { toLogRecord } from '../../src/emit/to-log-record.js';
import { catalog } from '../emit/fixtures/catalog.js';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const map = (time: unknown) => toLogRecord({ name: 'auth.login', time: time as string }, catalog, { now: () => NOW });
const refusal = (time: unknown): AuditValidationError => {
  try {
    map(time);
  } catch (error) {
    expect(error).toBeInstanceOf(AuditValidationError);
    expect((error as AuditValidationError).path).toBe('time');
    return error as AuditValidationError;
  }
  throw new Error(`expected ${String(time)} to be refused`);
};

describe('event time', () => {
  it.each([
    ['2024-02-30T00:00:00Z', 'no 30 February'],
    ['2023-02-29T00:00:00Z', '2023 is not a leap year'],
    ['2100-02-29T00:00:00Z', 'nor is 2100 (divisible by 100)'],
    ['2026-04-31T00:00:00Z', 'April has 30 days'],
    ['2026-13-01T00:00:00Z', 'month 13'],
    ['2026-00-10T00:00:00Z', 'month 0'],
    ['2026-01-00T00:00:00Z', 'day 0'],
    ['2026-01-01T24:00:00Z', 'hour 24'],
    ['2026-01-01T10:60:00Z', 'minute 60'],
    ['2026-01-01T10:00:60Z', 'second 60 (a leap second cannot be represented)'],
    ['2026-01-01T10:00:00+24:00', 'offset hour 24'],
    ['2026-01-01T10:00:00+01:60', 'offset minute 60'],
    ['2026-01-01 10:00:00Z', 'a space instead of T'],
    ['2026-01-01T10:00:00', 'no offset'],
    ['2026-01-01T10:00Z', 'no seconds'],
    ['2026-01-01', 'a date only'],
    ['yesterday', 'not a date'],
    ['2026-01-01T10:00:00.1234567890Z', 'more than nanoseconds'],
    [`2026-01-01T10:00:00Z${' '.repeat(1_000_000)}`, 'trailing text, and long'],
  ])('refuses %j (%s)', (time) => {
    expect(refusal(time).reason).toMatch(/^must be a valid Date or an RFC 3339 date-time/);
  });

  it.each([
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T23:59:59.999Z', '2000-02-29T23:59:59.999Z'],
    ['2026-12-03T13:00:00+01:00', '2026-12-03T12:00:00.000Z'],
    ['2026-12-02t20:30:00-05:30', '2026-12-03T02:00:00.000Z'],
    ['2026-01-01T10:00:00.5z', '2026-01-01T10:00:00.500Z'],
    ['2026-01-01T10:00:00.123456789Z', '2026-01-01T10:00:00.123Z'],
    ['2000-01-01T00:00:00Z', '2000-01-01T00:00:00.000Z'],
  ])('accepts %j as %s', (time, iso) => {
    expect(map(time).body.time).toBe(iso);
  });

  it('refuses times before 2000-01-01 and more than a day after now, strings and Dates alike', () => {
    expect(refusal('9999-12-31T23:59:59Z').reason).toBe(`is 9999-12-31T23:59:59.000Z, more than a day after now (${new Date(NOW).toISOString()})`);
    expect(refusal(new Date(Date.UTC(9999, 0, 1))).reason).toMatch(/more than a day after now/);
    expect(refusal('1999-12-31T23:59:59.999Z').reason).toBe('is 1999-12-31T23:59:59.999Z, before the earliest accepted time 2000-01-01T00:00:00.000Z');
    expect(refusal('2000-01-01T00:30:00+01:00').reason).toMatch(/before the earliest accepted time/);
    expect(refusal('0001-01-01T00:00:00Z').reason).toMatch(/^is 0001-01-01T00:00:00.000Z, before/);
    expect(refusal(new Date(0)).reason).toMatch(/before the earliest accepted time/);
    expect(refusal(new Date(Number.NaN)).reason).toMatch(/must be a valid Date/);
    expect(refusal(1_700_000_000_000).reason).toMatch(/must be a valid Date/);
    expect(map(new Date(NOW + MAX_EVENT_TIME_AHEAD_MS)).body.time).toBe(new Date(NOW + MAX_EVENT_TIME_AHEAD_MS).toISOString());
    expect(refusal(new Date(NOW + MAX_EVENT_TIME_AHEAD_MS + 1)).reason).toMatch(/more than a day after now/);
    expect(map(new Date(MIN_EVENT_TIME_MS)).body.time).toBe('2000-01-01T00:00:00.000Z');
  });

  it('the default time (now) is not checked: a machine with a wrong clock still emits', () => {
    expect(toLogRecord({ name: 'auth.login' }, catalog, { now: () => 0 }).body.time).toBe('1970-01-01T00:00:00.000Z');
  });

  it('parses like Date for every valid date-time, and refuses every day a month does not have', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }), (date) => {
        const iso = date.toISOString();
        expect(parseRfc3339(iso)).toBe(date.getTime());
        expect(parseRfc3339(iso.replace('Z', '+00:00'))).toBe(date.getTime());
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (year, month, day) => {
        const text = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T00:00:00Z`;
        const real = new Date(0);
        real.setUTCFullYear(year, month - 1, day);
        const exists = real.getUTCMonth() === month - 1 && real.getUTCDate() === day;
        expect(Number.isNaN(parseRfc3339(text)), text).toBe(!exists);
      }),
    );
  });
});
