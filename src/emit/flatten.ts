// Flattening of an event's `data` into `audit.data.*` attributes, and the
// JSON-safe copy of it that goes into the body. One walk does both, plus
// redaction, so a sensitive value can never reach either. docs/emit.md lists
// the rules; each branch below names the rule it implements.
import { AuditValidationError } from '../event/errors.js';
import { isSensitiveName, redactionReplacement } from './redact.js';

export interface FlattenLimits {
  /** Attributes available for data (the record's limit minus the contract attributes already set). */
  attributeBudget: number;
  /** Deepest nesting of objects and arrays accepted (default 32). */
  maxDepth: number;
  /** Approximate size of data (key and string lengths, 8 bytes per other value) accepted (default 64 KiB). */
  maxDataBytes: number;
}

export interface FlattenResult {
  attributes: Record<string, unknown>;
  /** The data as it goes into the body: JSON values only, sensitive values replaced. */
  data: Record<string, unknown>;
  /** Leaves that did not fit the attribute budget; they are in `audit.data._overflow`. */
  overflowCount: number;
}

export const DATA_PREFIX = 'audit.data.';
export const OVERFLOW_KEY = '_overflow';
export const OVERFLOW_COUNT_KEY = '_overflow_count';

interface Walk {
  eventName: string;
  sensitivePaths: ReadonlySet<string>;
  limits: FlattenLimits;
  ancestors: object[];
  bytes: number;
  /** Written in walk order; rebalanced at the end when past the budget. */
  attributes: Record<string, unknown>;
  leafCount: number;
}

/**
 * Flattens, sanitizes and redacts `data`; throws AuditValidationError for circular, oversized or non-JSON data and key collisions.
 * `into` receives the attributes (toLogRecord passes the record's own, saving a copy); its other keys are left alone.
 */
export function flattenData(eventName: string, data: Record<string, unknown>, sensitivePaths: ReadonlySet<string>, limits: FlattenLimits, into: Record<string, unknown> = {}): FlattenResult {
  const walk: Walk = { eventName, sensitivePaths, limits, ancestors: [], bytes: 0, attributes: into, leafCount: 0 };
  const copy = walkObject(walk, data, ROOT, 0);
  const overflowCount = walk.leafCount > limits.attributeBudget ? spill(walk) : 0;
  return { attributes: walk.attributes, data: copy, overflowCount };
}

interface PathEntry {
  path: string;
  attribute: string;
  sensitiveName: boolean;
  /** The path is one of the overflow keys, which data may not use. */
  reserved: boolean;
  children: Map<string, PathEntry> | undefined;
}

// Data keys repeat from event to event. Caching the joined path and attribute
// name keeps the same string objects, so V8 hashes and internalizes each once;
// fresh concatenations on every event were most of flattening's cost. Each
// entry holds its children, so finding one costs one lookup by key.
const ROOT: PathEntry = { path: '', attribute: DATA_PREFIX, sensitiveName: false, reserved: false, children: undefined };
let cachedPaths = 0;
const MAX_CACHED_PATHS = 50_000;

function childEntry(parent: PathEntry, key: string): PathEntry {
  let entry = parent.children?.get(key);
  if (entry) return entry;
  const path = parent.path === '' ? key : `${parent.path}.${key}`;
  entry = { path, attribute: DATA_PREFIX + path, sensitiveName: isSensitiveName(key), reserved: path === OVERFLOW_KEY || path === OVERFLOW_COUNT_KEY, children: undefined };
  if (cachedPaths < MAX_CACHED_PATHS) {
    (parent.children ??= new Map<string, PathEntry>()).set(key, entry);
    cachedPaths++;
  }
  return entry;
}

function fail(walk: Walk, path: string, reason: string): never {
  throw new AuditValidationError(walk.eventName, path === '' ? 'data' : `data.${path}`, reason);
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // "__proto__" is an ordinary data key here, not the prototype.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function walkObject(walk: Walk, object: Record<string, unknown>, parent: PathEntry, depth: number): Record<string, unknown> {
  const path = parent.path;
  if (depth > walk.limits.maxDepth) fail(walk, path, `nests deeper than ${walk.limits.maxDepth} levels (limits.maxDepth)`);
  if (walk.ancestors.includes(object)) fail(walk, path, 'is a circular reference');
  walk.ancestors.push(object);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const raw = object[key];
    if (raw === undefined) continue; // rule: undefined is absent, as in JSON
    const entry = childEntry(parent, key);
    const childPath = entry.path;
    walk.bytes += key.length;
    if (entry.sensitiveName || (walk.sensitivePaths.size > 0 && walk.sensitivePaths.has(childPath))) {
      // rule: sensitive keys keep their key, the value is replaced (objects and arrays too)
      const replacement = redactionReplacement();
      setOwn(copy, key, replacement);
      addLeaf(walk, entry, replacement);
      continue;
    }
    const value = scalar(walk, raw, childPath);
    if (isPlainObject(value)) {
      if (Object.keys(value).length === 0) {
        // rule: an empty object stays visible as the JSON string "{}"
        setOwn(copy, key, {});
        addLeaf(walk, entry, '{}');
      } else {
        setOwn(copy, key, walkObject(walk, value, entry, depth + 1)); // rule: nested objects join keys with dots
      }
    } else if (Array.isArray(value)) {
      const items = walkArray(walk, value, childPath, depth + 1);
      setOwn(copy, key, items);
      // rule: an array of strings, of numbers or of booleans stays an array; anything else becomes one JSON string
      addLeaf(walk, entry, isHomogeneousScalarArray(items) ? items : JSON.stringify(items));
    } else {
      setOwn(copy, key, value);
      addLeaf(walk, entry, value);
    }
    if (walk.bytes > walk.limits.maxDataBytes) fail(walk, '', `is larger than ${walk.limits.maxDataBytes} bytes (limits.maxDataBytes)`);
  }
  walk.ancestors.pop();
  return copy;
}

/** A JSON-safe copy of an array; objects inside are redacted by key name and catalog path (indices are not part of paths). */
function walkArray(walk: Walk, array: unknown[], path: string, depth: number): unknown[] {
  if (depth > walk.limits.maxDepth) fail(walk, path, `nests deeper than ${walk.limits.maxDepth} levels (limits.maxDepth)`);
  if (walk.ancestors.includes(array)) fail(walk, path, 'is a circular reference');
  walk.ancestors.push(array);
  const copy: unknown[] = [];
  for (let index = 0; index < array.length; index++) {
    const item = array[index];
    if (item === undefined && !(index in array)) {
      copy.length = index + 1; // a hole stays a hole, as Array#map leaves it
      continue;
    }
    // Strings, numbers and booleans need no conversion, nor a path for an error.
    const kind = typeof item;
    if (kind === 'string' || kind === 'boolean' || (kind === 'number' && Number.isFinite(item))) {
      walk.bytes += kind === 'string' ? (item as string).length : 8;
      copy.push(item);
      continue;
    }
    const value = scalar(walk, item === undefined ? null : item, `${path}.${index}`);
    if (isPlainObject(value)) copy.push(walkNested(walk, value, path, depth + 1));
    else if (Array.isArray(value)) copy.push(walkArray(walk, value, path, depth + 1));
    else copy.push(value);
  }
  walk.ancestors.pop();
  return copy;
}

/** Objects inside arrays: copied and redacted like data, but they produce no attributes of their own. */
function walkNested(walk: Walk, object: Record<string, unknown>, path: string, depth: number): Record<string, unknown> {
  if (depth > walk.limits.maxDepth) fail(walk, path, `nests deeper than ${walk.limits.maxDepth} levels (limits.maxDepth)`);
  if (walk.ancestors.includes(object)) fail(walk, path, 'is a circular reference');
  walk.ancestors.push(object);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const raw = object[key];
    if (raw === undefined) continue;
    const childPath = `${path}.${key}`;
    walk.bytes += key.length;
    if (walk.sensitivePaths.has(childPath) || isSensitiveName(key)) {
      setOwn(copy, key, redactionReplacement());
      continue;
    }
    const value = scalar(walk, raw, childPath);
    if (isPlainObject(value)) setOwn(copy, key, walkNested(walk, value, childPath, depth + 1));
    else if (Array.isArray(value)) setOwn(copy, key, walkArray(walk, value, childPath, depth + 1));
    else setOwn(copy, key, value);
  }
  walk.ancestors.pop();
  return copy;
}

/** Converts the non-JSON values we accept and rejects the rest; objects and arrays pass through. */
function scalar(walk: Walk, value: unknown, path: string): unknown {
  switch (typeof value) {
    case 'string':
      walk.bytes += value.length;
      return value;
    case 'boolean':
      walk.bytes += 8;
      return value;
    case 'number':
      walk.bytes += 8;
      return Number.isFinite(value) ? value : String(value); // rule: NaN and ±Infinity become strings
    case 'bigint':
      walk.bytes += 8;
      return value.toString(); // rule: BigInt becomes its decimal string, no digit lost
    case 'object': {
      if (value === null) {
        walk.bytes += 8;
        return null; // rule: null stays null (an empty OTLP value)
      }
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) fail(walk, path, 'is an invalid Date');
        walk.bytes += 24;
        return value.toISOString(); // rule: Date becomes an RFC 3339 string
      }
      if (value instanceof Uint8Array) {
        const encoded = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
        walk.bytes += encoded.length;
        return encoded; // rule: bytes become base64
      }
      if (value instanceof Map || value instanceof Set) fail(walk, path, `is a ${value instanceof Map ? 'Map' : 'Set'}; use a plain object or an array`);
      if (Array.isArray(value)) return value;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return scalar(walk, (value as { toJSON(): unknown }).toJSON(), path);
      return value; // class instances: their own enumerable properties, like JSON.stringify
    }
    default:
      return fail(walk, path, `is a ${typeof value}, which is not a JSON value`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

function isHomogeneousScalarArray(items: unknown[]): boolean {
  if (items.length === 0) return true;
  const kind = typeof items[0];
  if (kind !== 'string' && kind !== 'number' && kind !== 'boolean') return false;
  return items.every((item) => typeof item === kind);
}

function addLeaf(walk: Walk, entry: PathEntry, value: unknown): void {
  const { path, attribute } = entry;
  if (entry.reserved) fail(walk, path, `uses a key reserved for the attribute overflow (audit.data.${path})`);
  // Templates pre-declare keys as undefined, so "already produced" means a defined value.
  if (walk.attributes[attribute] !== undefined) {
    // rule: keys containing dots are kept, so {"a.b":1} and {"a":{"b":2}} collide; never overwrite silently
    fail(walk, path, `flattens to the attribute "${attribute}", which another data key already produced (a key with dots collides with a nested key)`);
  }
  walk.attributes[attribute] = value;
  walk.leafCount++;
}

/** Past the budget: the first (budget − 2) leaves stay attributes, the rest go into one JSON attribute with a count. */
function spill(walk: Walk): number {
  const keep = Math.max(0, walk.limits.attributeBudget - 2);
  const kept: Record<string, unknown> = {};
  const overflow: Record<string, unknown> = {};
  let index = 0;
  for (const [key, value] of Object.entries(walk.attributes)) {
    if (value === undefined) continue;
    if (!key.startsWith(DATA_PREFIX)) kept[key] = value;
    else if (index++ < keep) kept[key] = value;
    else setOwn(overflow, key.slice(DATA_PREFIX.length), value);
  }
  const overflowCount = walk.leafCount - keep;
  kept[DATA_PREFIX + OVERFLOW_KEY] = JSON.stringify(overflow);
  kept[DATA_PREFIX + OVERFLOW_COUNT_KEY] = overflowCount;
  walk.attributes = kept;
  return overflowCount;
}
