// The size limits of one event at emit: a longest length for every canonical
// string field, and a largest estimated record (attributes + body). A field
// over its limit is refused before anything else reads the event, with length
// reads only, so refusing an 8 MB actor.id costs no more than accepting a
// normal one; the record estimate is summed during mapping (no serialization).
import { contract } from '../event/contract.js';
import { AuditValidationError } from '../event/errors.js';
import { OtelAuditError } from '../errors.js';
import { hasSecretTrigger } from './redact.js';

/** The canonical string fields with a length limit (name is the catalog's; time, severity and outcome have their own rules). */
export const LIMITED_FIELDS = [
  'id',
  'source',
  'actor.id',
  'actor.type',
  'actor.email',
  'actor.name',
  'actor.ip',
  'actor.userAgent',
  'target.type',
  'target.id',
  'target.name',
  'organization',
  'team',
  'cloudAccount',
  'subscription',
  'transactionId',
] as const;

export type LimitedField = (typeof LIMITED_FIELDS)[number];

/** Identifiers and names: room for any real one (emails are at most 254, URLs in practice 2 KiB). */
export const DEFAULT_MAX_FIELD_LENGTH = 4096;
/** Fields whose default differs: id is at most 128 by the event schema; an address or a user agent is never near 1024. */
export const DEFAULT_FIELD_LENGTHS: Readonly<Partial<Record<LimitedField, number>>> = Object.freeze({ id: 128, 'actor.ip': 1024, 'actor.userAgent': 1024 });
/**
 * 256 KiB: 1/80 of the collector's default OTLP/HTTP request limit (20 MiB),
 * so no single record can make the collector refuse a request, and well above
 * what a valid event with the default limits needs (64 KiB of data counts twice).
 */
export const DEFAULT_MAX_RECORD_BYTES = 262_144;
/** The parts of every record the field lengths do not cover: attribute keys of the contract, id, time, severity, the mark. */
export const FIXED_RECORD_BYTES = 512;

/** The limits for one mapping, resolved once per limits object. */
export interface FieldLimits {
  /** Limit of name (maxFieldLength). */
  name: number;
  /** One per LIMITED_FIELDS entry. */
  lengths: number[];
  /** The option that set each limit, for the error message. */
  sources: string[];
}

const DEFAULT_SOURCE = 'limits.maxFieldLength';

function resolve(maxFieldLength: number, perField: Readonly<Partial<Record<string, number>>> | undefined): FieldLimits {
  const check = (value: unknown, option: string): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new OtelAuditError('OPTION_INVALID', `${option} must be a positive integer (got ${String(value)})`);
    return value;
  };
  check(maxFieldLength, 'limits.maxFieldLength');
  for (const key of Object.keys(perField ?? {})) {
    if (!(LIMITED_FIELDS as readonly string[]).includes(key)) throw new OtelAuditError('OPTION_INVALID', `limits.maxFieldLengths: "${key}" is not a limited field (${LIMITED_FIELDS.join(', ')})`);
  }
  const lengths: number[] = [];
  const sources: string[] = [];
  for (const field of LIMITED_FIELDS) {
    const own = perField?.[field];
    const fallback = DEFAULT_FIELD_LENGTHS[field];
    if (own !== undefined) {
      lengths.push(check(own, `limits.maxFieldLengths["${field}"]`));
      sources.push(`limits.maxFieldLengths["${field}"]`);
    } else if (fallback !== undefined) {
      lengths.push(fallback);
      sources.push(`limits.maxFieldLengths["${field}"]`);
    } else {
      lengths.push(maxFieldLength);
      sources.push(DEFAULT_SOURCE);
    }
  }
  return { name: maxFieldLength, lengths, sources };
}

let defaults: FieldLimits | undefined;
let lastPerField: object | undefined;
let lastMax = Number.NaN;
let last: FieldLimits | undefined;

/** The field limits of a limits object; cached, so passing the same object every time costs two comparisons. */
export function fieldLimits(maxFieldLength: number | undefined, perField: Readonly<Partial<Record<string, number>>> | undefined): FieldLimits {
  const max = maxFieldLength ?? DEFAULT_MAX_FIELD_LENGTH;
  if ((perField === undefined || perField === DEFAULT_FIELD_LENGTHS) && max === DEFAULT_MAX_FIELD_LENGTH) return (defaults ??= resolve(DEFAULT_MAX_FIELD_LENGTH, undefined));
  if (perField !== lastPerField || max !== lastMax || !last) {
    last = resolve(max, perField);
    lastPerField = perField;
    lastMax = max;
  }
  return last;
}

function tooLong(name: string, limits: FieldLimits, index: number, length: number): never {
  const field = LIMITED_FIELDS[index]!;
  throw new AuditValidationError(name, field, `is ${length} characters long, over the limit of ${limits.lengths[index]} (${limits.sources[index]})`);
}

/** What the last scanFields() call saw besides sizes. */
export const scanned = { triggered: false };

type Scanner = (event: object, name: string, limits: FieldLimits, lengths: number[], trigger: (text: string) => boolean, fail: typeof tooLong, out: typeof scanned) => number;

let scanner: Scanner | undefined;

/**
 * Compiles, once, the check of every limited field: for each one that holds a
 * string, its length against its limit, its size times the places it goes
 * (the body, plus each attribute the contract maps it to), and the pre-check
 * for secrets. Constant property names keep every read monomorphic.
 */
function compileScanner(): Scanner {
  const copies = (field: string) => {
    const row = contract().fields.find((f) => f.field === field);
    return 1 + (row?.attribute ? 1 : 0) + (row?.alsoAttributes?.length ?? 0);
  };
  const check = (read: string, index: number, field: string) =>
    `v = ${read}; if (typeof v === "string") { if (v.length > L[${index}]) tooLong(name, limits, ${index}, v.length); n += v.length * ${copies(field)}; if (!t) t = trigger(v); }`;
  const lines = ['"use strict";', 'return function scanFields(event, name, limits, L, trigger, tooLong, out) {', '  let n = 0, t = false, v, p;'];
  const groups = new Map<string, { index: number; field: string; key: string }[]>();
  LIMITED_FIELDS.forEach((field, index) => {
    const [head, key] = field.split('.') as [string, string | undefined];
    if (key === undefined) lines.push(`  ${check(`event[${JSON.stringify(head)}]`, index, field)}`);
    else groups.set(head, [...(groups.get(head) ?? []), { index, field, key }]);
  });
  for (const [head, fields] of groups) {
    lines.push(`  p = event[${JSON.stringify(head)}];`, '  if (typeof p === "object" && p !== null) {');
    for (const { index, field, key } of fields) lines.push(`    ${check(`p[${JSON.stringify(key)}]`, index, field)}`);
    lines.push('  }');
  }
  lines.push('  out.triggered = t;', '  return n;', '};');
  // Only JSON-quoted field names from this file and numbers reach the source text.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return (new Function(lines.join('\n')) as () => Scanner)();
}

/**
 * Checks the name and every limited field of `event` against `limits`; throws
 * AuditValidationError naming the field and its limit. Returns the estimated
 * bytes the fields take in the record; `scanned.triggered` then says whether
 * one of them may hold a secret (hasSecretTrigger). Fields of the wrong type
 * are left to the schema check.
 */
export function scanFields(event: unknown, name: unknown, limits: FieldLimits): number {
  if (typeof name === 'string' && name.length > limits.name) {
    throw new AuditValidationError(name, 'name', `is ${name.length} characters long, over the limit of ${limits.name} (${DEFAULT_SOURCE})`);
  }
  if (typeof event !== 'object' || event === null) {
    scanned.triggered = false;
    return 0;
  }
  return (scanner ??= compileScanner())(event, name as string, limits, limits.lengths, hasSecretTrigger, tooLong, scanned);
}
