// A fast pre-check of the event envelope, compiled from the same JSON Schema
// that ajv compiles: true only when ajv would accept the event too, so emit()
// skips ajv for the usual valid event and asks ajv (for its error, or its
// verdict) only when this says no. It understands the few keywords the
// envelope uses; a schema with any other keyword compiles to no pre-check.

type Check = (event: unknown) => boolean;

/** Keywords that never change what is valid. */
const ANNOTATIONS = new Set(['description', 'title', '$comment', '$schema', '$id']);

/** Source lines that `return false` unless `read` satisfies `schema`; undefined for a keyword not understood. */
function propertyChecks(schema: unknown, read: string, depth: number, temps: { n: number }): string[] | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const s = schema as Record<string, unknown>;
  const v = `v${depth}`;
  const lines = [`${v} = ${read};`];
  const keys = Object.keys(s).filter((key) => !ANNOTATIONS.has(key));
  if (keys.length === 0) return []; // {}: anything
  const known = new Set(['type', 'minLength', 'maxLength', 'enum', 'properties', 'additionalProperties']);
  if (keys.some((key) => !known.has(key))) return undefined;
  if (s.enum !== undefined) {
    if (keys.length !== 1 || !Array.isArray(s.enum) || !s.enum.every((item) => typeof item === 'string')) return undefined;
    lines.push(`if (${v} !== undefined && ${s.enum.map((item) => `${v} !== ${JSON.stringify(item)}`).join(' && ')}) return false;`);
    return lines;
  }
  if (s.type === 'string') {
    if (keys.some((key) => key !== 'type' && key !== 'minLength' && key !== 'maxLength')) return undefined;
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
    lines.push(`if (${v} !== undefined && (${tests.join(' || ')})) return false;`);
    return lines;
  }
  if (s.type === 'object') {
    if (depth > 4) return undefined;
    lines.push(`if (${v} !== undefined) {`, `if (typeof ${v} !== "object" || ${v} === null || Array.isArray(${v})) return false;`);
    const inner = objectChecks(s, v, depth + 1, temps);
    if (!inner) return undefined;
    lines.push(...inner, '}');
    return lines;
  }
  return undefined;
}

/** The checks of an object's own keywords (properties, additionalProperties: false), `read` already known to be a plain object. */
function objectChecks(s: Record<string, unknown>, read: string, depth: number, temps: { n: number }): string[] | undefined {
  const lines: string[] = [];
  const properties = (s.properties ?? {}) as Record<string, unknown>;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return undefined;
  const names = Object.keys(properties);
  if (s.additionalProperties === false) {
    const key = `k${temps.n++}`;
    // for…in, as ajv's own check: inherited enumerable keys count too.
    lines.push(`for (const ${key} in ${read}) if (${names.length === 0 ? 'true' : names.map((name) => `${key} !== ${JSON.stringify(name)}`).join(' && ')}) return false;`);
  } else if (s.additionalProperties !== undefined) return undefined;
  for (const name of names) {
    const checks = propertyChecks(properties[name], `${read}[${JSON.stringify(name)}]`, depth, temps);
    if (!checks) return undefined;
    lines.push(...checks);
  }
  return lines;
}

/**
 * Compiles the pre-check of an object schema (type object, required,
 * properties, additionalProperties: false, and per property: type string with
 * min/maxLength, enum of strings, nested objects of the same, or anything).
 * Returns undefined when the schema uses anything else.
 */
export function compileEnvelopeCheck(schema: unknown): Check | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const s = schema as Record<string, unknown>;
  const keys = Object.keys(s).filter((key) => !ANNOTATIONS.has(key));
  if (s.type !== 'object' || keys.some((key) => key !== 'type' && key !== 'required' && key !== 'properties' && key !== 'additionalProperties')) return undefined;
  const required = s.required ?? [];
  if (!Array.isArray(required) || !required.every((name) => typeof name === 'string')) return undefined;
  const temps = { n: 0 };
  const body = objectChecks(s, 'event', 1, temps);
  if (!body) return undefined;
  const lines = [
    '"use strict";',
    'return function envelopeCheck(event) {',
    'if (typeof event !== "object" || event === null || Array.isArray(event)) return false;',
    ...required.map((name) => `if (event[${JSON.stringify(name)}] === undefined) return false;`),
    'let v1, v2, v3, v4, v5;',
    ...body,
    'return true;',
    '};',
  ];
  // Only JSON-quoted names and strings from the package's own schema, and integers, reach the source text.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return (new Function(lines.join('\n')) as () => Check)();
}
