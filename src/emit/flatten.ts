// Flattening of an event's `data` into `audit.data.*` attributes, and the
// JSON-safe copy of it that goes into the body. One walk does both, plus
// redaction, so a sensitive value can never reach either. docs/emit.md lists
// the rules; each branch below names the rule it implements.
import { AuditValidationError } from '../event/errors.js';
import { isSensitiveName, redactText, redactionReplacement } from './redact.js';

export interface FlattenLimits {
  /** Attributes available for data (the record's limit minus the contract attributes already set). */
  attributeBudget: number;
  /** Deepest nesting of objects and arrays accepted (default 32). */
  maxDepth: number;
  /** Approximate size of data (key and string lengths, 8 bytes per other value, 1 more per array item) accepted (default 64 KiB). */
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

/** The state of one flattening; toLogRecord reads `attributes` and `data` from it directly. */
export interface Walk {
  eventName: string;
  sensitivePaths: ReadonlySet<string>;
  /** sensitivePaths is not empty (most events mark none). */
  hasSensitivePaths: boolean;
  limits: FlattenLimits;
  ancestors: object[];
  /** Approximate size of data (key and string lengths, 8 per other value, 1 more per array item), against limits.maxDataBytes. */
  bytes: number;
  /** Total length of the attribute keys written, for the record size estimate. */
  keyBytes: number;
  /** Written in walk order; rebalanced at the end when past the budget. */
  attributes: Record<string, unknown>;
  leafCount: number;
  /** The JSON-safe, redacted copy of data, for the body. */
  data: Record<string, unknown>;
  overflowCount: number;
}

/**
 * Flattens, sanitizes and redacts `data`; throws AuditValidationError for circular, oversized or non-JSON data and key collisions.
 * `into` receives the attributes (toLogRecord passes the record's own, saving a copy); its other keys are left alone.
 */
export function flattenData(eventName: string, data: Record<string, unknown>, sensitivePaths: ReadonlySet<string>, limits: FlattenLimits, into: Record<string, unknown> = {}): FlattenResult {
  const walk = flattenWalk(eventName, data, sensitivePaths, limits, into);
  return { attributes: walk.attributes, data: walk.data, overflowCount: walk.overflowCount };
}

/** flattenData returning its walk state, which holds the same results (one object fewer per event on the emit path). */
export function flattenWalk(eventName: string, data: Record<string, unknown>, sensitivePaths: ReadonlySet<string>, limits: FlattenLimits, into: Record<string, unknown>, root: ObjectWalker = walkObject): Walk {
  const walk: Walk = { eventName, sensitivePaths, hasSensitivePaths: sensitivePaths.size > 0, limits, ancestors: [], bytes: 0, keyBytes: 0, attributes: into, leafCount: 0, data: EMPTY, overflowCount: 0 };
  walk.data = root(walk, data, ROOT, 0);
  if (walk.leafCount > limits.attributeBudget) walk.overflowCount = spill(walk);
  return walk;
}

/** A placeholder until the walk has made the copy. */
const EMPTY: Record<string, unknown> = Object.freeze({});

export interface PathEntry {
  path: string;
  attribute: string;
  /** The path is sensitive by the contract's names (read with its dots, so `api.key` is). */
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
  // The root by identity: an empty key at the root is a level of its own ({"": {a: 1}} is not {a: 1}).
  const path = parent === ROOT ? key : `${parent.path}.${key}`;
  entry = { path, attribute: DATA_PREFIX + path, sensitiveName: isSensitiveName(path), reserved: path === OVERFLOW_KEY || path === OVERFLOW_COUNT_KEY, children: undefined };
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

/** Walks one object of data into its copy: walkObject, or a walker compiled for an object the schema declares. */
export type ObjectWalker = (walk: Walk, object: Record<string, unknown>, entry: PathEntry, depth: number) => Record<string, unknown>;

/** The checks before walking into an object or array: depth, then cycles. */
function enter(walk: Walk, value: object, path: string, depth: number): void {
  if (depth > walk.limits.maxDepth) fail(walk, path, `nests deeper than ${walk.limits.maxDepth} levels (limits.maxDepth)`);
  if (walk.ancestors.includes(value)) fail(walk, path, 'is a circular reference');
  walk.ancestors.push(value);
}

function walkObject(walk: Walk, object: Record<string, unknown>, parent: PathEntry, depth: number): Record<string, unknown> {
  enter(walk, object, parent.path, depth);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(object)) walkKey(walk, copy, key, object[key], parent, depth, undefined);
  walk.ancestors.pop();
  return copy;
}

/** One key of an object at `depth` (whose path entry is `parent`): the copy, the attribute, the checks. `child` walks the key's value when it is an object. */
function walkKey(walk: Walk, copy: Record<string, unknown>, key: string, raw: unknown, parent: PathEntry, depth: number, child: ObjectWalker | undefined): void {
  if (raw === undefined) return; // rule: undefined is absent, as in JSON
  const entry = childEntry(parent, key);
  const childPath = entry.path;
  walk.bytes += key.length;
  if (entry.sensitiveName || (walk.hasSensitivePaths && walk.sensitivePaths.has(childPath))) {
    // rule: sensitive keys keep their key, the value is replaced (objects and arrays too)
    const replacement = redactionReplacement();
    setOwn(copy, key, replacement);
    addLeaf(walk, entry, replacement);
    return;
  }
  // Strings, finite numbers and booleans, the usual leaves, need no conversion (scalar() would do the same to them).
  const kind = typeof raw;
  if (kind === 'string') {
    walk.bytes += (raw as string).length;
    const text = redactText(raw as string); // rule: secrets inside strings are replaced
    setOwn(copy, key, text);
    addLeaf(walk, entry, text);
    if (walk.bytes > walk.limits.maxDataBytes) tooLarge(walk);
    return;
  }
  if (kind === 'boolean' || (kind === 'number' && Number.isFinite(raw))) {
    walk.bytes += 8;
    setOwn(copy, key, raw);
    addLeaf(walk, entry, raw);
    if (walk.bytes > walk.limits.maxDataBytes) tooLarge(walk);
    return;
  }
  const value = scalar(walk, raw, childPath);
  if (isNestedObject(value)) {
    if (hasNoOwnKeys(value)) {
      // rule: an empty object stays visible as the JSON string "{}"
      setOwn(copy, key, {});
      addLeaf(walk, entry, '{}');
    } else {
      setOwn(copy, key, (child ?? walkObject)(walk, value, entry, depth + 1)); // rule: nested objects join keys with dots
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
  if (walk.bytes > walk.limits.maxDataBytes) tooLarge(walk);
}

function tooLarge(walk: Walk): never {
  return fail(walk, '', `is larger than ${walk.limits.maxDataBytes} bytes (limits.maxDataBytes)`);
}

function collision(walk: Walk, path: string, attribute: string): never {
  // rule: keys containing dots are kept, so {"a.b":1} and {"a":{"b":2}} collide; never overwrite silently
  return fail(walk, path, `flattens to the attribute "${attribute}", which another data key already produced (a key with dots collides with a nested key)`);
}

/** Most properties compiled into the walkers of one event (the rest take the generic path). */
const MAX_COMPILED_KEYS = 256;

/**
 * Compiles walkers for the objects a data schema declares (`properties`, nested).
 * For a declared key whose value is a string, a finite number or a boolean, the
 * walker does inline what walkKey does (same order: bytes, secret check, copy,
 * collision check, attribute, size check), with constant property names, so V8 sees
 * each store site with one kind of object instead of every kind at one
 * generic site; so does a declared sensitive key, whatever its value. Everything
 * else (other keys and values, reserved keys, "__proto__") goes through walkKey, unchanged. Returns undefined when
 * the schema declares no properties.
 */
export function compileDataWalker(schema: unknown, sensitivePaths: ReadonlySet<string>): ObjectWalker | undefined {
  let budget = MAX_COMPILED_KEYS;
  const compile = (node: unknown, path: string, level: number): ObjectWalker | undefined => {
    if (typeof node !== 'object' || node === null || level > 8) return undefined;
    const properties = (node as { properties?: unknown }).properties;
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return undefined;
    const children: (ObjectWalker | undefined)[] = [];
    const cases: string[] = [];
    for (const key of Object.keys(properties)) {
      if (budget-- <= 0) break;
      const childPath = level === 0 ? key : `${path}.${key}`;
      const child = compile((properties as Record<string, unknown>)[key], childPath, level + 1);
      const childRef = child ? `children[${children.push(child) - 1}]` : 'undefined';
      const q = JSON.stringify(key);
      if (key === '__proto__' || (level === 0 && (key === OVERFLOW_KEY || key === OVERFLOW_COUNT_KEY))) {
        if (child) cases.push(`case ${q}: walkKey(walk, copy, key, raw, entry, depth, ${childRef}); continue;`);
        continue;
      }
      const attribute = JSON.stringify(DATA_PREFIX + childPath);
      if (isSensitiveName(childPath) || sensitivePaths.has(childPath)) {
        // rule: sensitive keys keep their key, the value is replaced (whatever it is); no size check here, as in walkKey
        const replacement = JSON.stringify(redactionReplacement());
        cases.push(
          `case ${q}: walk.bytes += ${key.length}; walk.keyBytes += ${DATA_PREFIX.length + childPath.length}; copy[${q}] = ${replacement}; if (a[${attribute}] !== undefined) collision(walk, ${JSON.stringify(childPath)}, ${attribute}); a[${attribute}] = ${replacement}; walk.leafCount++; continue;`,
        );
        continue;
      }
      const leaf = (bytes: string, value: string) =>
        `walk.bytes += ${bytes}; walk.keyBytes += ${DATA_PREFIX.length + childPath.length}; copy[${q}] = ${value}; if (a[${attribute}] !== undefined) collision(walk, ${JSON.stringify(childPath)}, ${attribute}); a[${attribute}] = ${value}; walk.leafCount++; if (walk.bytes > walk.limits.maxDataBytes) tooLarge(walk); continue;`;
      cases.push(
        `case ${q}:`,
        `  if (typeof raw === "string") { const text = redactText(raw); ${leaf(`${key.length} + raw.length`, 'text')} }`,
        `  if (typeof raw === "boolean" || (typeof raw === "number" && Number.isFinite(raw))) { ${leaf(`${key.length + 8}`, 'raw')} }`,
        `  walkKey(walk, copy, key, raw, entry, depth, ${childRef}); continue;`,
      );
    }
    if (cases.length === 0) return undefined;
    const source = [
      '"use strict";',
      'return function compiledWalker(walk, object, entry, depth) {',
      '  enter(walk, object, entry.path, depth);',
      '  const copy = {};',
      '  const a = walk.attributes;',
      '  for (const key of Object.keys(object)) {',
      '    const raw = object[key];',
      '    if (raw === undefined) continue;',
      '    switch (key) {',
      ...cases.map((line) => `      ${line}`),
      '    }',
      '    walkKey(walk, copy, key, raw, entry, depth, undefined);',
      '  }',
      '  walk.ancestors.pop();',
      '  return copy;',
      '};',
    ].join('\n');
    // Only JSON-quoted strings and numbers from the schema's property names reach the source text.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const factory = new Function('enter', 'walkKey', 'collision', 'tooLarge', 'redactText', 'children', source) as (...helpers: unknown[]) => ObjectWalker;
    return factory(enter, walkKey, collision, tooLarge, redactText, children);
  };
  return compile(schema, '', 0);
}

/** A JSON-safe copy of an array; objects inside are redacted by key name and catalog path (indices are not part of paths). */
function walkArray(walk: Walk, array: unknown[], path: string, depth: number): unknown[] {
  if (depth > walk.limits.maxDepth) fail(walk, path, `nests deeper than ${walk.limits.maxDepth} levels (limits.maxDepth)`);
  if (walk.ancestors.includes(array)) fail(walk, path, 'is a circular reference');
  walk.ancestors.push(array);
  // Read once (a proxy could grow it), and every item counts at least a byte before the walk:
  // new Array(5e7) must be refused at once, not walked hole by hole.
  const length = array.length;
  walk.bytes += length;
  if (walk.bytes > walk.limits.maxDataBytes) tooLarge(walk);
  // Sized up front: a pushed-to [] reserves 16 slots, and the copy lives in the body until export.
  const copy = new Array<unknown>(length);
  for (let index = 0; index < length; index++) {
    const item = array[index];
    if (item === undefined && !(index in array)) continue; // a hole stays a hole, as Array#map leaves it
    // Strings, numbers and booleans need no conversion (strings only the secret check), nor a path for an error.
    const kind = typeof item;
    if (kind === 'string') {
      walk.bytes += (item as string).length;
      copy[index] = redactText(item as string);
      continue;
    }
    if (kind === 'boolean' || (kind === 'number' && Number.isFinite(item))) {
      walk.bytes += 8;
      copy[index] = item;
      continue;
    }
    const value = scalar(walk, item === undefined ? null : item, `${path}.${index}`);
    if (isNestedObject(value)) copy[index] = walkNested(walk, value, path, depth + 1);
    else if (Array.isArray(value)) copy[index] = walkArray(walk, value, path, depth + 1);
    else copy[index] = value;
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
    if (walk.sensitivePaths.has(childPath) || isSensitiveName(childPath)) {
      setOwn(copy, key, redactionReplacement());
      continue;
    }
    const value = scalar(walk, raw, childPath);
    if (isNestedObject(value)) setOwn(copy, key, walkNested(walk, value, childPath, depth + 1));
    else if (Array.isArray(value)) setOwn(copy, key, walkArray(walk, value, childPath, depth + 1));
    else setOwn(copy, key, value);
  }
  walk.ancestors.pop();
  return copy;
}

/** How many times in a row toJSON may return another value with a toJSON (JSON.stringify calls it once; a Date's gives a string). */
const MAX_TOJSON_HOPS = 8;

/** Converts the non-JSON values we accept and rejects the rest; objects and arrays pass through. */
function scalar(walk: Walk, value: unknown, path: string, hops = 0): unknown {
  switch (typeof value) {
    case 'string':
      walk.bytes += value.length;
      return redactText(value); // rule: secrets inside strings are replaced
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
      // toJSON as JSON.stringify calls it, but only the object's own or its class's: one that another
      // library put on Object.prototype would turn every nested object of data into its result.
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function' && !inheritsPlainToJSON(value)) {
        if (hops === MAX_TOJSON_HOPS) fail(walk, path, `has a toJSON() that returns another value with toJSON ${MAX_TOJSON_HOPS} times in a row; return plain data`);
        return scalar(walk, (value as { toJSON(): unknown }).toJSON(), path, hops + 1);
      }
      return value; // class instances: their own enumerable properties, like JSON.stringify
    }
    default:
      return fail(walk, path, `is a ${typeof value}, which is not a JSON value`);
  }
}

/** A plain object whose toJSON comes from Object.prototype. */
function inheritsPlainToJSON(value: object): boolean {
  return Object.getPrototypeOf(value) === Object.prototype && !Object.hasOwn(value, 'toJSON');
}

/** Object.keys(object).length === 0, without making the array. */
function hasNoOwnKeys(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return false;
  return true;
}

function isNestedObject(value: unknown): value is Record<string, unknown> {
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
  if (walk.attributes[attribute] !== undefined) collision(walk, path, attribute);
  walk.attributes[attribute] = value;
  walk.keyBytes += attribute.length;
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
