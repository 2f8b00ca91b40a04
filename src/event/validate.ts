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

let envelope: ValidateFunction | undefined;

/** The event schema without `time` (a Date is accepted there, which JSON Schema cannot say; checked by hand). */
function envelopeValidator(): ValidateFunction {
  if (!envelope) {
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'event.schema.json'), 'utf8')) as { properties: Record<string, unknown>; required: string[] };
    schema.properties.time = {};
    // The name is checked against the catalog instead, and emit() passes it beside the event.
    schema.required = schema.required.filter((field) => field !== 'name');
    envelope = new Ajv2020({ strict: false, allErrors: false }).compile(schema);
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
  const validate = envelopeValidator();
  if (!validate(event)) {
    const error = validate.errors![0]!;
    throw new AuditValidationError(name, ajvErrorPath(error), ajvReason(error));
  }
  // The time is checked before the data, as validateEvent always did.
  checkedTime = eventTime(event, name, now);
  const validateData = catalogEvent.validateData;
  if (validateData && !validateData(event.data ?? EMPTY_DATA)) {
    const error = validateData.errors![0]!;
    throw new AuditValidationError(name, ajvErrorPath(error, 'data'), ajvReason(error));
  }
  return catalogEvent;
}

/** Stands for absent data; frozen so that no validator (ajv `default`s are not enabled) can change it for the next event. */
const EMPTY_DATA = Object.freeze({});

/** The event time in Unix milliseconds (`now` when absent); throws AuditValidationError for an invalid time. */
export function eventTime(event: AuditEvent, name: string, now: number): number {
  const time = event.time;
  if (time === undefined) return now;
  const ms = time instanceof Date ? time.getTime() : typeof time === 'string' && /^\d{4}-\d\d-\d\dT/.test(time) ? Date.parse(time) : Number.NaN;
  if (Number.isNaN(ms)) throw new AuditValidationError(name, 'time', 'must be a valid Date or an RFC 3339 date-time string');
  return ms;
}
