// A canonical serialiser compiled for one shape of record: the member names
// each object is expected to have (for an audit record: the contract's fields,
// the event's data schema, the integrity stamp) are sorted once, at compile
// time. A record is copied into object literals whose members are in that
// order, which JSON.stringify (native, one flat string) then writes in RFC 8785
// form: it leaves out undefined members and writes strings and numbers as the
// scheme does. Anything the fast path does not cover (a member the shape does
// not name, a nested object or array the copy would have to sort, a number
// with no JSON form) makes it give up, and the record takes the generic
// serialiser (canonical.ts). So the result is always byte for byte
// canonicalJson's (test/integrity/compiled.property.test.ts checks).
import { canonicalJson } from './canonical.js';

/** The members an object is expected to have: each name with the shape of its value (undefined: any JSON value). */
export type Shape = ReadonlyMap<string, Shape | undefined>;

export type CompiledCanonical = (record: Record<string, unknown>) => string;

/** Most member names compiled into one serialiser (the rest take the generic path). */
const MAX_COMPILED_KEYS = 256;
/** Deepest object compiled (deeper ones take the generic path). */
const MAX_COMPILED_DEPTH = 8;

/** Thrown (and caught) when a record leaves the fast path. */
const GIVE_UP = new Error('not on the compiled path');

/** An array index: JSON.stringify would write such a member before the others, whatever the literal says. */
const isIndex = (name: string) => /^(?:0|[1-9]\d*)$/.test(name) && Number(name) < 2 ** 32 - 1;

/** A member with no shape: strings and booleans are taken as they are in the generated code; the rest here. */
function leaf(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      if (Number.isFinite(value)) return value; // JSON.stringify writes -0 as 0, as RFC 8785
      throw GIVE_UP; // the generic path refuses it
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined; // left out
    case 'object':
      if (value === null) return undefined; // null members are left out
      if (Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype) return flatArray(value);
      throw GIVE_UP; // an object the shape does not describe (its members would need sorting), a Date, …
    default:
      throw GIVE_UP; // bigint
  }
}

/** An array of strings, finite numbers, booleans and nulls, which JSON.stringify writes as RFC 8785 does. */
function flatArray(items: unknown[]): unknown[] {
  // JSON.stringify would write what an own toJSON returns; the generic path writes the items.
  if (typeof (items as { toJSON?: unknown }).toJSON === 'function') throw GIVE_UP;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const kind = typeof item;
    if (kind === 'string' || kind === 'boolean' || item === null || (kind === 'number' && Number.isFinite(item))) continue;
    throw GIVE_UP; // holes, objects, nested arrays: the generic path
  }
  return items;
}

/** `onGenericPath` is called for each record the fast path gives up on (tests). */
export function compileCanonical(shape: Shape, onGenericPath?: () => void): CompiledCanonical {
  const nodes: string[] = [];
  let budget = MAX_COMPILED_KEYS;

  /** Generates the copy function for one object shape; returns its index, or undefined when the shape cannot be compiled. */
  const compile = (node: Shape, level: number): number | undefined => {
    // "__proto__" in a literal would set the prototype: it is left to the generic path like an undeclared member.
    const names = [...node.keys()].filter((name) => name !== '__proto__').sort(); // UTF-16 code unit order, as RFC 8785
    if (names.length === 0 || names.length > budget || level > MAX_COMPILED_DEPTH || names.some(isIndex)) return undefined;
    budget -= names.length;
    const index = nodes.push('') - 1;
    const lines = [
      `function n${index}(o) {`,
      `  let ${names.map((_, i) => `p${i} = false, c${i}`).join(', ')};`,
      '  const keys = Object.keys(o);',
      '  for (let i = 0; i < keys.length; i++) {',
      '    switch (keys[i]) {',
      ...names.map((name, i) => `      case ${JSON.stringify(name)}: p${i} = true; break;`),
      '      default: throw GIVE_UP; // a member the shape does not name',
      '    }',
      '  }',
      '  let v, n = 0;',
    ];
    names.forEach((name, i) => {
      const child = node.get(name);
      const childIndex = child && child.size > 0 ? compile(child, level + 1) : undefined;
      const convert =
        childIndex === undefined
          ? `typeof v === "string" || typeof v === "boolean" ? v : leaf(v)`
          : `typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype ? n${childIndex}(v) : leaf(v)`;
      lines.push(`  if (p${i}) { v = o[${JSON.stringify(name)}]; c${i} = ${convert}; if (c${i} !== undefined) n++; }`);
    });
    // An object with no member left is left out, like null (undefined members vanish in JSON.stringify).
    lines.push(`  return n === 0 ? undefined : { ${names.map((name, i) => `${JSON.stringify(name)}: c${i}`).join(', ')} };`, '}');
    nodes[index] = lines.join('\n');
    return index;
  };
  const root = compile(shape, 0);
  if (root === undefined) {
    return (record) => {
      onGenericPath?.();
      return canonicalJson(record);
    };
  }
  const source = ['"use strict";', ...nodes, `return n${root};`].join('\n');
  // Only JSON-quoted member names reach the source text.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('GIVE_UP', 'leaf', source) as (giveUp: Error, convert: typeof leaf) => (record: Record<string, unknown>) => object | undefined;
  const copy = factory(GIVE_UP, leaf);
  return (record) => {
    // A toJSON on the prototypes would change what JSON.stringify writes.
    let sorted: object | undefined;
    try {
      if ('toJSON' in Object.prototype || 'toJSON' in Array.prototype) throw GIVE_UP;
      sorted = copy(record);
    } catch (error) {
      if (error !== GIVE_UP) throw error;
      onGenericPath?.();
      return canonicalJson(record);
    }
    return sorted === undefined ? '{}' : JSON.stringify(sorted);
  };
}

/** The shape of what a JSON Schema declares (`properties`, nested); undefined when it declares none. */
export function schemaShape(schema: unknown, level = 0): Shape | undefined {
  if (typeof schema !== 'object' || schema === null || level > MAX_COMPILED_DEPTH) return undefined;
  const properties = (schema as { properties?: unknown }).properties;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return undefined;
  const shape = new Map<string, Shape | undefined>();
  for (const [name, child] of Object.entries(properties)) shape.set(name, schemaShape(child, level + 1));
  return shape;
}

type MutableShape = Map<string, MutableShape | undefined>;

/** The shape of one record: its members, nested objects as shapes of their own. */
function shapeOf(record: Record<string, unknown>, level = 0): MutableShape {
  const shape: MutableShape = new Map();
  for (const [name, value] of Object.entries(record)) {
    const nested = typeof value === 'object' && value !== null && !Array.isArray(value) && level < MAX_COMPILED_DEPTH;
    shape.set(name, nested ? shapeOf(value as Record<string, unknown>, level + 1) : undefined);
  }
  return shape;
}

function mergeShape(into: MutableShape, from: MutableShape): void {
  for (const [name, child] of from) {
    const existing = into.get(name);
    if (existing && child) mergeShape(existing, child);
    else if (!existing) into.set(name, child);
  }
}

/** Event names a learning serialiser compiles for; records of others take the generic path. */
const MAX_LEARNED_NAMES = 256;
/** Times a name's shape is widened and compiled again after a record that did not fit. */
const MAX_RECOMPILES = 8;

/**
 * Canonical JSON for a reader that has no catalog (verify): a serialiser per
 * event name, compiled from the shapes of the records read so far (widened
 * when one does not fit). A record that does not fit takes the generic path,
 * so what a record holds changes only the speed, never the bytes.
 */
export function learningCanonical(): CompiledCanonical {
  const byName = new Map<string, { shape: MutableShape; serialise: CompiledCanonical; recompiles: number }>();
  let missed = false;
  const onGenericPath = () => {
    missed = true;
  };
  return (record) => {
    const name = typeof record.name === 'string' ? record.name : '';
    let entry = byName.get(name);
    if (!entry) {
      if (byName.size >= MAX_LEARNED_NAMES) return canonicalJson(record);
      const shape = shapeOf(record);
      entry = { shape, serialise: compileCanonical(shape, onGenericPath), recompiles: 0 };
      byName.set(name, entry);
    }
    missed = false;
    const text = entry.serialise(record);
    if (missed && entry.recompiles < MAX_RECOMPILES) {
      entry.recompiles++;
      mergeShape(entry.shape, shapeOf(record));
      entry.serialise = compileCanonical(entry.shape, onGenericPath);
    }
    return text;
  };
}
