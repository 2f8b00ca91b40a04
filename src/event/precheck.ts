// Fast pre-checks compiled from the same JSON Schemas that ajv compiles (the
// event envelope, each catalog event's data): true only when ajv would accept
// the value too, so emit() skips ajv for the usual valid event and asks ajv
// (for its error, or its verdict) only when a pre-check says no. A pre-check
// understands a few keywords; a schema with any other compiles to none.

export type Precheck = (value: unknown) => boolean;

/** Keywords that never change what is valid. */
const ANNOTATIONS = new Set(['description', 'title', '$comment', '$schema', '$id', 'examples', 'default']);
/** Deepest nesting of objects a pre-check follows (one variable per level). */
const MAX_DEPTH = 6;

/** Source lines that `return false` unless the value in `v<depth>` (absent allowed) satisfies `schema`; undefined for a keyword not understood. */
function checks(schema: unknown, depth: number, temps: { n: number }): string[] | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || depth > MAX_DEPTH) return undefined;
  const s = schema as Record<string, unknown>;
  const v = `v${depth}`;
  const keys = Object.keys(s).filter((key) => !ANNOTATIONS.has(key));
  const only = (...allowed: string[]) => keys.every((key) => allowed.includes(key));
  if (keys.length === 0) return []; // {}: anything
  if (s.enum !== undefined) {
    if (!only('enum') || !Array.isArray(s.enum) || !s.enum.every((item) => typeof item === 'string')) return undefined;
    return [`if (${v} !== undefined && ${s.enum.map((item) => `${v} !== ${JSON.stringify(item)}`).join(' && ')}) return false;`];
  }
  switch (s.type) {
    case 'string': {
      if (!only('type', 'minLength', 'maxLength')) return undefined;
      const tests = [`typeof ${v} !== "string"`];
      // ajv counts code points; a string of n UTF-16 units has between n/2 and n of them.
      if (s.minLength !== undefined) {
        if (!Number.isInteger(s.minLength)) return undefined;
        tests.push(`${v}.length < ${Math.max(0, 2 * (s.minLength as number) - 1)}`);
      }
      if (s.maxLength !== undefined) {
        if (!Number.isInteger(s.maxLength)) return undefined;
        tests.push(`${v}.length > ${s.maxLength as number}`);
      }
      return [`if (${v} !== undefined && (${tests.join(' || ')})) return false;`];
    }
    case 'integer':
      return only('type') ? [`if (${v} !== undefined && !Number.isInteger(${v})) return false;`] : undefined;
    case 'number':
      return only('type') ? [`if (${v} !== undefined && (typeof ${v} !== "number" || !Number.isFinite(${v}))) return false;`] : undefined;
    case 'boolean':
      return only('type') ? [`if (${v} !== undefined && typeof ${v} !== "boolean") return false;`] : undefined;
    case 'object': {
      if (!only('type', 'properties', 'required', 'additionalProperties')) return undefined;
      const inner = objectChecks(s, v, depth + 1, temps);
      if (!inner) return undefined;
      return [`if (${v} !== undefined) {`, `if (typeof ${v} !== "object" || ${v} === null || Array.isArray(${v})) return false;`, ...inner, '}'];
    }
    default:
      return undefined;
  }
}

/** The checks of an object's properties, required and additionalProperties: false; `read` is already known to be a plain object. */
function objectChecks(s: Record<string, unknown>, read: string, depth: number, temps: { n: number }): string[] | undefined {
  const properties = s.properties ?? {};
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return undefined;
  const required = s.required ?? [];
  if (!Array.isArray(required) || !required.every((name) => typeof name === 'string')) return undefined;
  const names = Object.keys(properties);
  const lines = required.map((name) => `if (${read}[${JSON.stringify(name)}] === undefined) return false;`);
  if (s.additionalProperties === false) {
    const key = `k${temps.n++}`;
    // for…in, as ajv's own check: inherited enumerable keys count too.
    lines.push(`for (const ${key} in ${read}) if (${names.length === 0 ? 'true' : names.map((name) => `${key} !== ${JSON.stringify(name)}`).join(' && ')}) return false;`);
  } else if (s.additionalProperties !== undefined) return undefined;
  for (const name of names) {
    const inner = checks((properties as Record<string, unknown>)[name], depth, temps);
    if (!inner) return undefined;
    if (inner.length > 0) lines.push(`v${depth} = ${read}[${JSON.stringify(name)}];`, ...inner);
  }
  return lines;
}

/**
 * Compiles the pre-check of an object schema: type object with properties,
 * required and additionalProperties: false; per property type string (with
 * min/maxLength), integer, number, boolean, an enum of strings, an object of
 * the same, or anything ({}). Returns undefined when the schema uses anything else.
 */
export function compilePrecheck(schema: unknown): Precheck | undefined {
  if (typeof schema !== 'object' || schema === null || (schema as { type?: unknown }).type !== 'object') return undefined;
  const body = checks(schema, 1, { n: 0 });
  if (!body) return undefined;
  const lines = [
    '"use strict";',
    'return function precheck(value) {',
    'if (value === undefined) return false;',
    `let ${Array.from({ length: MAX_DEPTH }, (_, i) => `v${i + 1}`).join(', ')};`,
    'v1 = value;',
    ...body,
    'return true;',
    '};',
  ];
  // Only JSON-quoted names and strings from the schemas, and integers, reach the source text.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return (new Function(lines.join('\n')) as () => Precheck)();
}
