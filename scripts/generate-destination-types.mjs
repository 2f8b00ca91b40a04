#!/usr/bin/env node
// Writes src/collector/destination-types.ts, the TypeScript types of the
// destinations file, from its JSON Schema (schemas/destinations.schema.json):
// the schema is the one source of the keys, their types, descriptions and
// defaults; the loader validates with it and editors complete from it.
//   node scripts/generate-destination-types.mjs          writes the file (commit it)
//   node scripts/generate-destination-types.mjs --check  fails when it is out of date
// test/collector/schema-types.test.ts runs the same check.
//
// Only the JSON Schema the destinations schema uses is translated (type,
// enum, const, $ref, properties, items, additionalProperties); anything else
// throws, so a schema change the generator does not understand is noticed.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const schemaPath = join(root, 'schemas', 'destinations.schema.json');
export const generatedPath = join(root, 'src', 'collector', 'destination-types.ts');

/** `$defs` of object shape that become named types instead of being inlined. */
const NAMED_DEFS = { tls: 'DestinationTls' };
/** Type names where PascalCase of the destination type reads badly. */
const TYPE_NAMES = {
  awscloudwatchlogs: 'AwsCloudWatchLogs',
  awss3: 'AwsS3',
  azuremonitor: 'AzureMonitor',
  opensearch: 'OpenSearch',
  splunk_hec: 'SplunkHec',
  sumologic: 'SumoLogic',
};
/** Keywords that only constrain values, not their TypeScript type. */
const VALUE_KEYWORDS = new Set(['description', 'default', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', '$ref']);

const typeName = (type) => TYPE_NAMES[type] ?? type.replace(/(?:^|_)([a-z])/g, (_, c) => c.toUpperCase());
const literal = (value) => (typeof value === 'string' ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(value));
const identifier = (key) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : literal(key));
const indent = (depth) => '  '.repeat(depth);

function refName(ref) {
  const match = /^#\/\$defs\/([^/]+)$/.exec(ref);
  if (!match) throw new Error(`unsupported $ref ${ref}`);
  return match[1];
}

/** The TypeScript type of a schema node. `depth` is the indentation of the line the type starts on. */
function tsType(schema, node, depth) {
  if (node.$ref !== undefined) {
    const name = refName(node.$ref);
    if (NAMED_DEFS[name]) return NAMED_DEFS[name];
    const target = schema.$defs[name];
    if (!target) throw new Error(`$ref to a missing $defs/${name}`);
    if (target.properties) throw new Error(`$defs/${name} is an object: give it a name in NAMED_DEFS of scripts/generate-destination-types.mjs`);
    return tsType(schema, target, depth);
  }
  if (node.const !== undefined) return literal(node.const);
  if (node.enum) return node.enum.map(literal).join(' | ');
  switch (node.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      if (!node.items) return 'unknown[]';
      const item = tsType(schema, node.items, depth);
      return /[|&]/.test(item) ? `(${item})[]` : `${item}[]`;
    }
    case 'object':
      if (node.properties) return objectType(schema, node, depth, { resolved: false });
      if (typeof node.additionalProperties === 'object') return `Record<string, ${tsType(schema, node.additionalProperties, depth)}>`;
      return 'Record<string, unknown>';
    default: {
      const unknown = Object.keys(node).filter((k) => !VALUE_KEYWORDS.has(k));
      throw new Error(`cannot type the schema node ${JSON.stringify(node)}${unknown.length ? ` (keywords ${unknown.join(', ')})` : ''}`);
    }
  }
}

function docComment(lines, depth) {
  const safe = lines.map((line) => line.replace(/\*\//g, '*\\/'));
  if (safe.length === 0) return '';
  if (safe.length === 1) return `${indent(depth)}/** ${safe[0]} */\n`;
  return `${indent(depth)}/**\n${safe.map((line) => `${indent(depth)} * ${line}`).join('\n')}\n${indent(depth)} */\n`;
}

/**
 * The notes a key's doc comment gets besides its description: when it is
 * conditionally required, and its default.
 */
function keyNotes(schema, prop, conditions) {
  const lines = [];
  const description = prop.description ?? (prop.$ref !== undefined ? schema.$defs[refName(prop.$ref)]?.description : undefined);
  if (description) lines.push(description);
  if (conditions?.length) lines.push(`${conditions.join('; ')}.`);
  if (prop.default !== undefined) lines.push(`@defaultValue ${JSON.stringify(prop.default)}`);
  return lines;
}

/**
 * True when `withDefaults` (spec.ts) always sets the key: it has a default, or
 * it is an object with properties and no required keys (filled with its own
 * defaults). An object with required keys is there only when the file gives it.
 */
const filledByDefaults = (prop) => prop.default !== undefined || (prop.properties !== undefined && !(prop.required?.length > 0));

/**
 * One object type. `resolved`: the shape after `withDefaults` (spec.ts), where
 * the keys filledByDefaults are always present.
 */
function objectType(schema, node, depth, { resolved, required = node.required ?? [], conditions = {}, overrides = {} }) {
  const lines = ['{'];
  for (const [key, prop] of Object.entries(node.properties)) {
    const present = required.includes(key) || (resolved && filledByDefaults(prop));
    const type = overrides[key] ?? (prop.properties && prop.type === 'object' ? objectType(schema, prop, depth + 1, { resolved }) : tsType(schema, prop, depth + 1));
    lines.push(docComment(keyNotes(schema, prop, conditions[key]), depth + 1) + `${indent(depth + 1)}${identifier(key)}${present ? '' : '?'}: ${type};`);
  }
  lines.push(`${indent(depth)}}`);
  return lines.join('\n');
}

/** Conditions under which a type's optional keys become required, in words. */
function conditionsOf(def) {
  const out = {};
  const add = (key, text) => (out[key] ??= []).push(text);
  for (const [key, needs] of Object.entries(def.dependentRequired ?? {})) add(key, `Needs ${needs.map((n) => `\`${n}\``).join(', ')} too`);
  const whens = {};
  for (const branch of def.allOf ?? []) {
    const cond = Object.entries(branch.if?.properties ?? {});
    if (cond.length !== 1 || cond[0][1].const === undefined || !branch.then?.required) throw new Error(`unsupported allOf branch ${JSON.stringify(branch)}`);
    const [on, { const: value }] = cond[0];
    for (const key of branch.then.required) ((whens[key] ??= {})[on] ??= []).push(literal(value));
  }
  for (const [key, byProp] of Object.entries(whens)) {
    for (const [on, values] of Object.entries(byProp)) add(key, `Required when \`${on}\` is ${values.join(' or ')}`);
  }
  return out;
}

/** The generated TypeScript module for a destinations schema. */
export function renderDestinationTypes(schema) {
  const common = schema.$defs.destination;
  const types = common.properties.type.enum;
  const out = [];
  out.push(
    '// GENERATED from schemas/destinations.schema.json by scripts/generate-destination-types.mjs; do not edit.',
    '// Change the schema, then run `node scripts/generate-destination-types.mjs` and commit both files',
    '// (test/collector/schema-types.test.ts fails while this file is out of date). Defaults live in the',
    '// schema only: `withDefaults` (spec.ts) applies them, and the Resolved* types say which keys it fills in.',
    '',
    '/** The destination types (the `type` key). */',
    `export type DestinationType = ${types.map(literal).join(' | ')};`,
    '',
  );
  for (const [name, tsName] of Object.entries(NAMED_DEFS)) {
    const def = schema.$defs[name];
    out.push(docComment(def.description ? [def.description] : [`\`$defs/${name}\` of the schema.`], 0) + `export type ${tsName} = ${objectType(schema, def, 0, { resolved: false })};`, '');
  }
  const collector = schema.$defs.collector;
  out.push(
    docComment(['The `collector` block after `withDefaults`: every key with a schema default is set.', ...(collector.description ? [collector.description] : [])], 0)
      + `export type CollectorSettings = ${objectType(schema, collector, 0, { resolved: true })};`,
    '',
  );
  const resolvedNames = [];
  for (const type of types) {
    const def = schema.$defs[type];
    if (!def) throw new Error(`destination type ${type} has no $defs/${type}`);
    for (const key of Object.keys(def.properties ?? {})) {
      if (common.properties[key]) throw new Error(`$defs/${type} redefines the common key ${key}`);
    }
    const merged = { properties: { ...common.properties, ...def.properties } };
    const required = [...(common.required ?? []), ...(def.required ?? [])];
    const options = { required, conditions: conditionsOf(def), overrides: { type: literal(type) } };
    const name = `${typeName(type)}Destination`;
    out.push(docComment([`One \`${type}\` destination as written in the file.`], 0) + `export type ${name} = ${objectType(schema, merged, 0, { ...options, resolved: false })};`, '');
    const defaulted = Object.entries(merged.properties).filter(([key, prop]) => !required.includes(key) && filledByDefaults(prop)).map(([key]) => key);
    const resolvedName = `Resolved${name}`;
    resolvedNames.push(resolvedName);
    const extra = defaulted.map((key) => `${identifier(key)}: ${tsType(schema, merged.properties[key], 0)}`).join('; ');
    out.push(docComment([`One \`${type}\` destination after \`withDefaults\`: ${defaulted.length ? defaulted.map((k) => `\`${k}\``).join(', ') : 'nothing'} filled in from the schema.`], 0)
      + `export type ${resolvedName} = ${defaulted.length ? `${name} & { ${extra} }` : name};`, '');
  }
  out.push(
    '/** One destination as written in the file: the common keys plus its type\'s own keys. */',
    `export type Destination =\n${types.map((t) => `  | ${typeName(t)}Destination`).join('\n')};`,
    '',
    '/** The keys of any member of a union. */',
    'type KeyOfAny<U> = U extends unknown ? keyof U : never;',
    '',
    '/** Each member of a union, with the keys only other members have as `?: undefined`: any key can be read without narrowing first. */',
    'type Readable<U, All = U> = U extends unknown ? U & { [K in Exclude<KeyOfAny<All>, keyof U>]?: undefined } : never;',
    '',
    '/**',
    ' * One destination after `withDefaults`: keys with a schema default are always set.',
    ' * Narrow on `type` for its own keys; any key can be read, as `undefined` where the type lacks it.',
    ' */',
    `export type ResolvedDestination = Readable<\n${resolvedNames.map((n) => `  | ${n}`).join('\n')}\n>;`,
    '',
  );
  return out.join('\n');
}

function main() {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  const text = renderDestinationTypes(schema);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(generatedPath, 'utf8');
    } catch {
      // missing: out of date
    }
    if (current !== text) {
      console.error('src/collector/destination-types.ts is out of date with schemas/destinations.schema.json; run `node scripts/generate-destination-types.mjs`');
      process.exit(1);
    }
    console.log('src/collector/destination-types.ts is up to date');
    return;
  }
  writeFileSync(generatedPath, text);
  console.log('wrote src/collector/destination-types.ts');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
