// The destinations file has one source, its JSON Schema
// (schemas/destinations.schema.json): the TypeScript types are generated from it
// and must be current, and each docs/destinations/<type>.md key table must
// agree with it (the same keys, required-ness and defaults).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedPath, renderDestinationTypes, schemaPath } from '../../scripts/generate-destination-types.mjs';
import { destinationModules } from '../../src/collector/destinations/index.js';
import { docPath } from './examples.js';

interface SchemaNode {
  $ref?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  dependentRequired?: Record<string, string[]>;
  allOf?: { if?: { properties?: Record<string, unknown> }; then?: { required?: string[] } }[];
}

const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as { $defs: Record<string, SchemaNode> };
const defs = schema.$defs;

describe('src/collector/destination-types.ts', () => {
  it('is generated from the current schema', () => {
    expect(readFileSync(generatedPath, 'utf8'), 'out of date: run `node scripts/generate-destination-types.mjs`').toBe(renderDestinationTypes(schema));
  });
});

/** One row of a key table: the keys it names (`tls.caFile` for nested ones) and its cells. */
interface Row {
  keys: string[];
  required: string;
  default: string;
  meaning: string;
}

const HEADER = '| key | required | default | meaning |';

/** The rows of the table under `## Keys`. */
function keyTable(markdown: string): Row[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Keys\n'));
  if (!section) throw new Error('no "## Keys" section');
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  if (lines[0] !== HEADER) throw new Error(`the key table's header must be "${HEADER}", not "${lines[0]}"`);
  return lines.slice(2).map((line) => {
    const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());
    if (cells.length !== 4) throw new Error(`a key table row needs 4 cells: ${line}`);
    const [keyCell, required, dflt, meaning] = cells as [string, string, string, string];
    const keys = [...keyCell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    if (keys.length === 0 || keyCell.replace(/`[^`]+`/g, '').replace(/[,\s]/g, '') !== '') throw new Error(`the key cell must list keys as \`a\`, \`b\`: ${line}`);
    return { keys, required, default: dflt, meaning };
  });
}

function resolve(node: SchemaNode): SchemaNode {
  if (node.$ref === undefined) return node;
  const target = defs[node.$ref.replace('#/$defs/', '')];
  if (!target) throw new Error(`unresolvable ${node.$ref}`);
  return resolve(target);
}

/** What the table must say for one key of a type, read from the schema. */
interface Expected {
  required: string;
  default: string;
  /** Keys of a nested object (e.g. tls), which the table may list as `tls.caFile` instead. */
  nested?: Record<string, Expected>;
}

function defaultCell(node: SchemaNode): string {
  if (node.default === undefined) return '';
  return `\`${typeof node.default === 'string' ? node.default : JSON.stringify(node.default)}\``;
}

/**
 * The keys of one destination type: the common ones and its own. `required`
 * is `yes` (always), `together` (dependentRequired), `per <key>` (required
 * when another key has some value) or `no`.
 */
function expectedKeys(type: string): Map<string, Expected> {
  const common = defs.destination!;
  const own = defs[type]!;
  const required = new Set([...(common.required ?? []), ...(own.required ?? [])]);
  const together = new Set(Object.entries(own.dependentRequired ?? {}).flatMap(([key, needs]) => [key, ...needs]));
  const per = new Map<string, string>();
  for (const branch of own.allOf ?? []) {
    const [on] = Object.keys(branch.if?.properties ?? {});
    for (const key of branch.then?.required ?? []) if (on) per.set(key, on);
  }
  const out = new Map<string, Expected>();
  for (const [key, prop] of Object.entries({ ...common.properties, ...own.properties })) {
    const target = resolve(prop);
    const nested = target.properties
      ? Object.fromEntries(Object.entries(target.properties).map(([sub, p]) => [sub, { required: target.required?.includes(sub) ? 'yes' : 'no', default: defaultCell(p) }]))
      : undefined;
    const requiredCell = required.has(key) ? 'yes' : per.has(key) ? `per ${per.get(key)!}` : together.has(key) ? 'together' : 'no';
    out.set(key, { required: requiredCell, default: defaultCell(prop), nested });
  }
  return out;
}

/** Every disagreement between a docs page's key table and the schema, in words. */
function tableProblems(type: string, rows: Row[]): string[] {
  const expected = expectedKeys(type);
  const problems: string[] = [];
  const named = new Set<string>();
  for (const row of rows) {
    if (/default `[^`]*`|`[^`]*` \(default\)/.test(row.meaning)) problems.push(`${row.keys.join(', ')}: give the default in the default column, not in the meaning`);
    for (const docKey of row.keys) {
      named.add(docKey);
      const [top, sub, ...rest] = docKey.split('.');
      const want = expected.get(top!);
      const nested = sub !== undefined ? want?.nested?.[sub] : want;
      if (!want || (sub !== undefined && (!nested || rest.length > 0))) {
        problems.push(`${docKey}: not a key of ${type} in the schema`);
        continue;
      }
      if (row.required !== nested!.required) problems.push(`${docKey}: required is "${row.required}", the schema says "${nested!.required}"`);
      if (row.default !== nested!.default) problems.push(`${docKey}: default is "${row.default}", the schema says "${nested!.default}"`);
    }
  }
  for (const [key, want] of expected) {
    const subsNamed = Object.keys(want.nested ?? {}).filter((sub) => named.has(`${key}.${sub}`));
    if (named.has(key)) continue;
    if (subsNamed.length === 0) problems.push(`${key}: missing from the table`);
    else for (const sub of Object.keys(want.nested!)) if (!subsNamed.includes(sub)) problems.push(`${key}.${sub}: missing from the table`);
  }
  return problems;
}

describe('docs/destinations key tables agree with the schema', () => {
  it.each(Object.keys(destinationModules))('docs/destinations/%s.md', (type) => {
    expect(tableProblems(type, keyTable(readFileSync(docPath(type), 'utf8')))).toEqual([]);
  });

  it('the checker notices a wrong default, a wrong required, a missing and an unknown key', () => {
    const rows: Row[] = [
      { keys: ['name'], required: 'yes', default: '', meaning: '' },
      { keys: ['type'], required: 'yes', default: '', meaning: '' },
      { keys: ['events', 'organizations'], required: 'no', default: '', meaning: '' },
      { keys: ['enabled'], required: 'no', default: '`false`', meaning: '' },
      { keys: ['verbosity'], required: 'yes', default: '`basic`', meaning: '' },
      { keys: ['color'], required: 'no', default: '', meaning: '' },
    ];
    expect(tableProblems('debug', rows)).toEqual([
      'enabled: default is "`false`", the schema says "`true`"',
      'verbosity: required is "yes", the schema says "no"',
      'color: not a key of debug in the schema',
    ]);
    expect(tableProblems('debug', rows.slice(0, 4))).toEqual(['enabled: default is "`false`", the schema says "`true`"', 'verbosity: missing from the table']);
    expect(tableProblems('splunk_hec', [{ keys: ['tls.caFile'], required: 'no', default: '', meaning: 'default `x`' }])).toContain('tls.insecureSkipVerify: missing from the table');
  });
});
