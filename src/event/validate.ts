// Checks a canonical event against schemas/event.schema.json and the catalog:
// a known name, the envelope fields, a valid time, and data that passes the
// event's compiled data schema. Errors name the event, the field path and why.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { packageRoot } from '../package-root.js';
import { ajvErrorPath, ajvReason, type Catalog, type CatalogEvent } from './catalog.js';
import { AuditValidationError } from './errors.js';
import type { AuditEvent } from './event.js';
import { compilePrecheck, type Precheck } from './precheck.js';

let envelope: ValidateFunction | undefined;
/** Says no: ajv decides. */
const NO_PRECHECK: Precheck = () => false;
/** The envelope's pre-check: true only for events ajv accepts too (precheck.ts). */
let envelopeOk: Precheck = NO_PRECHECK;
/** Each catalog event's pre-check of its data, compiled at its first check. */
const dataPrechecks = new WeakMap<CatalogEvent, Precheck>();

/** The event schema without `time` (a Date is accepted there, which JSON Schema cannot say; checked by hand). */
function envelopeValidator(): ValidateFunction {
  if (!envelope) {
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'event.schema.json'), 'utf8')) as { properties: Record<string, unknown>; required: string[] };
    schema.properties.time = {};
    // The name is checked against the catalog instead, and emit() passes it beside the event.
    schema.required = schema.required.filter((field) => field !== 'name');
    envelope = new Ajv2020({ strict: false, allErrors: false }).compile(schema);
    envelopeOk = compilePrecheck(schema) ?? NO_PRECHECK;
  }
  return envelope;
}

export interface ValidatedEvent {
  catalogEvent: CatalogEvent;
  /** The event time in Unix milliseconds (`now` when absent). */
  timeMs: number;
}

/** Throws AuditValidationError unless `event` is a valid event of `catalog`; `name` defaults to `event.name`. */
export function validateEvent(event: AuditEvent, catalog: Catalog, now: number = Date.now(), name: string = event?.name): ValidatedEvent {
  const catalogEvent = checkEvent(event, catalog, name, now);
  return { catalogEvent, timeMs: checkedTime };
}

let checkedTime = 0;

/** The time (Unix ms) of the event the last successful checkEvent() call accepted. Read it right after the call. */
export function checkedTimeMs(): number {
  return checkedTime;
}

/**
 * validateEvent without the result object, for the emit hot path: checks the
 * name, the envelope, the time and the data, in the same order, and returns
 * the catalog event; checkedTimeMs() then gives the event's time.
 */
export function checkEvent(event: AuditEvent, catalog: Catalog, name: string, now: number): CatalogEvent {
  if (typeof event !== 'object' || event === null) throw new AuditValidationError(String(name), '', 'must be an object');
  if (typeof name !== 'string') throw new AuditValidationError(String(name), 'name', 'must be a string');
  const catalogEvent = catalog.events.get(name);
  if (!catalogEvent) {
    throw new AuditValidationError(name, 'name', `is not an event of the catalog ${catalog.source} (domain ${catalog.domain})`);
  }
  // The pre-check passes the usual valid event without ajv; ajv decides (and explains) the rest.
  const validate = envelope ?? envelopeValidator();
  if (!envelopeOk(event) && !validate(event)) {
    const error = validate.errors![0]!;
    throw new AuditValidationError(name, ajvErrorPath(error), ajvReason(error));
  }
  // The time is checked before the data, as validateEvent always did.
  checkedTime = eventTime(event, name, now);
  const validateData = catalogEvent.validateData;
  if (validateData) {
    let dataOk = dataPrechecks.get(catalogEvent);
    if (!dataOk) dataPrechecks.set(catalogEvent, (dataOk = compilePrecheck(catalogEvent.definition.data) ?? NO_PRECHECK));
    const data = event.data ?? EMPTY_DATA;
    if (dataOk(data) || validateData(data)) return catalogEvent;
    const error = validateData.errors![0]!;
    throw new AuditValidationError(name, ajvErrorPath(error, 'data'), ajvReason(error));
  }
  return catalogEvent;
}

/** Stands for absent data; frozen so that no validator (ajv `default`s are not enabled) can change it for the next event. */
const EMPTY_DATA = Object.freeze({});

/** The earliest event time accepted: 2000-01-01T00:00:00Z. */
export const MIN_EVENT_TIME_MS = Date.UTC(2000, 0, 1);
/** How far past now an event time may be: one day covers any time zone mistake and clock skew (a SIEM such as Splunk re-stamps events more than 2 days ahead). */
export const MAX_EVENT_TIME_AHEAD_MS = 86_400_000;

/** RFC 3339 date-time: date, T, time, optional fraction, Z or ±hh:mm. Fields are checked by value below. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Unix ms of an RFC 3339 date-time that names a real instant (a day the month has, hours 00–23, …), else NaN. */
export function parseRfc3339(text: string): number {
  if (text.length > 40) return Number.NaN;
  const m = RFC3339.exec(text);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  let offset = 0;
  if (m[8] !== undefined) {
    const offsetHours = Number(m[9]);
    const offsetMinutes = Number(m[10]);
    if (offsetHours > 23 || offsetMinutes > 59) return Number.NaN;
    offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  let ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (year < 100) {
    // Date.UTC reads years 0–99 as 1900–1999.
    const date = new Date(ms);
    date.setUTCFullYear(year, month - 1, day);
    ms = date.getTime();
  }
  return ms - offset;
}

/**
 * The event time in Unix milliseconds (`now` when absent); throws
 * AuditValidationError for a time that is not a real RFC 3339 date-time or a
 * valid Date, or that lies before 2000-01-01 or more than a day after `now`.
 */
export function eventTime(event: AuditEvent, name: string, now: number): number {
  const time = event.time;
  if (time === undefined) return now;
  const ms = time instanceof Date ? dateValue(time) : typeof time === 'string' ? parseRfc3339(time) : Number.NaN;
  if (Number.isNaN(ms)) throw new AuditValidationError(name, 'time', 'must be a valid Date or an RFC 3339 date-time string naming a real date and time (e.g. 2026-02-28T10:00:00Z)');
  if (ms < MIN_EVENT_TIME_MS) throw new AuditValidationError(name, 'time', `is ${isoOf(ms)}, before the earliest accepted time 2000-01-01T00:00:00.000Z`);
  if (ms > now + MAX_EVENT_TIME_AHEAD_MS) throw new AuditValidationError(name, 'time', `is ${isoOf(ms)}, more than a day after now (${isoOf(now)})`);
  return ms;
}

/** The instant a Date holds, read from the Date itself: a subclass's getTime() is not asked, and an object that only looks like a Date (a proxy, Object.create(Date.prototype)) gives NaN. */
function dateValue(date: Date): number {
  try {
    return Date.prototype.getTime.call(date);
  } catch {
    return Number.NaN;
  }
}

function isoOf(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
