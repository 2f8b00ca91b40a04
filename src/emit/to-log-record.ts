// toLogRecord: a canonical event → an OTLP log record, per schemas/contract.json.
// The attribute names come from the contract rows, not from this file, so a
// renamed attribute changes the output and fails the tests that read the contract.
import type { AnyValue, HrTime, LogRecord } from '@opentelemetry/api';
import type { Catalog } from '../event/catalog.js';
import { contract } from '../event/contract.js';
import type { AuditEvent, CanonicalEvent } from '../event/event.js';
import { uuidv7 } from '../event/uuid.js';
import { validateEvent } from '../event/validate.js';
import { flattenData } from './flatten.js';

export interface MappingLimits {
  /** The LoggerProvider's `logRecordLimits.attributeCountLimit` (SDK default 128); data past it goes to `audit.data._overflow`. */
  attributeCountLimit?: number;
  /** Deepest nesting accepted in data (default 32). */
  maxDepth?: number;
  /** Approximate largest data accepted, in bytes (default 65536). */
  maxDataBytes?: number;
}

export interface MappingOptions extends MappingLimits {
  /** Clock for the default time (Unix ms). */
  now?: () => number;
  /** Id maker for events without an id (default UUIDv7). */
  newId?: () => string;
}

/** A log record as toLogRecord builds it: every field set, attributes a plain object. */
export interface AuditLogRecord extends LogRecord {
  eventName: string;
  /** [seconds, nanoseconds]: a number before 1985 would be read as a performance.now() offset by the SDK. */
  timestamp: HrTime;
  severityNumber: number;
  severityText: string;
  body: CanonicalEvent & Record<string, AnyValue>;
  attributes: Record<string, AnyValue>;
}

export const DEFAULT_LIMITS: Required<MappingLimits> = { attributeCountLimit: 128, maxDepth: 32, maxDataBytes: 65_536 };

interface AttributeRule {
  read: (event: CanonicalEvent, catalog: Catalog) => unknown;
  keys: string[];
}

let rules: AttributeRule[] | undefined;

/** Compiles the contract's attribute rows into readers, once. */
function attributeRules(): AttributeRule[] {
  rules ??= contract()
    .fields.filter((row) => row.attribute !== undefined)
    .map((row) => {
      const keys = [row.attribute!, ...(row.alsoAttributes ?? [])];
      if (row.from === 'catalog') return { read: (_e, catalog) => (catalog as unknown as Record<string, unknown>)[row.field], keys };
      const path = row.field.split('.');
      return { read: (event) => path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], event), keys };
    });
  return rules;
}

const mapped = new WeakSet<object>();

/** True for a body toLogRecord built: such records are already validated, mapped and redacted. */
export function isMappedBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && mapped.has(body);
}

/**
 * Maps a canonical event to a log record: eventName, timestamp, severity, the
 * canonical event as the body (id and time filled, data redacted) and the
 * contract's attributes. Throws AuditValidationError when the event does not
 * match the catalog or its data cannot be mapped (circular, too large, colliding keys).
 */
export function toLogRecord(event: AuditEvent, catalog: Catalog, options: MappingOptions = {}): AuditLogRecord {
  const now = options.now?.() ?? Date.now();
  const { catalogEvent, timeMs } = validateEvent(event, catalog, now);
  const severity = event.severity ?? catalogEvent.severity;
  const level = contract().severities[severity];

  const body = {
    id: event.id ?? options.newId?.() ?? uuidv7(now),
    name: event.name,
    time: new Date(timeMs).toISOString(),
    severity,
  } as CanonicalEvent & Record<string, AnyValue>;
  if (event.source !== undefined) body.source = event.source;
  if (event.outcome !== undefined) body.outcome = event.outcome;
  if (event.actor !== undefined) body.actor = { ...event.actor };
  if (event.target !== undefined) body.target = { ...event.target };
  if (event.organization !== undefined) body.organization = event.organization;
  if (event.team !== undefined) body.team = event.team;
  if (event.cloudAccount !== undefined) body.cloudAccount = event.cloudAccount;
  if (event.subscription !== undefined) body.subscription = event.subscription;
  if (event.transactionId !== undefined) body.transactionId = event.transactionId;

  const attributes: Record<string, AnyValue> = {};
  let count = 0;
  for (const rule of attributeRules()) {
    const value = rule.read(body, catalog);
    if (value === undefined) continue;
    for (const key of rule.keys) {
      attributes[key] = value;
      count++;
    }
  }

  if (event.data !== undefined) {
    const limit = options.attributeCountLimit ?? DEFAULT_LIMITS.attributeCountLimit;
    const flat = flattenData(event.name, event.data, catalogEvent.sensitivePaths, {
      attributeBudget: limit - count,
      maxDepth: options.maxDepth ?? DEFAULT_LIMITS.maxDepth,
      maxDataBytes: options.maxDataBytes ?? DEFAULT_LIMITS.maxDataBytes,
    });
    Object.assign(attributes, flat.attributes);
    body.data = flat.data;
  }

  mapped.add(body);
  return { eventName: event.name, timestamp: toHrTime(timeMs), severityNumber: level.number, severityText: level.text, body, attributes };
}

function toHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}
