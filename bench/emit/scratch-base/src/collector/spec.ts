// The destinations file (audit-collector.yaml): its types and its defaults both
// come from its JSON Schema (schemas/destinations.schema.json), the one place
// that documents and defines the keys. The key types are generated from it
// (destination-types.ts); the defaults are read from it here, at run time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { CollectorSettings, Destination, ResolvedDestination } from './destination-types.js';

export type { CollectorSettings, Destination, DestinationType, ResolvedDestination } from './destination-types.js';

/** A loaded destinations file, defaults applied. */
export interface DestinationsSpec {
  /** Where it came from (for messages); '<memory>' when built in code. */
  file: string;
  domain: string;
  collector: CollectorSettings;
  /** Every key with a schema default is set. */
  destinations: ResolvedDestination[];
}

/** What a person writes: every collector setting optional. */
export interface DestinationsInput {
  domain: string;
  collector?: { [K in keyof CollectorSettings]?: Partial<CollectorSettings[K]> | CollectorSettings[K] };
  destinations: Destination[];
}

interface SchemaNode {
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  [key: string]: unknown;
}

let cachedSchema: { $defs: Record<string, SchemaNode> } | undefined;

export function destinationsSchemaPath(): string {
  return join(packageRoot(), 'schemas', 'destinations.schema.json');
}

export function destinationsSchema(): { $defs: Record<string, SchemaNode> } & Record<string, unknown> {
  cachedSchema ??= JSON.parse(readFileSync(destinationsSchemaPath(), 'utf8')) as { $defs: Record<string, SchemaNode> };
  return cachedSchema;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `given` with the schema's defaults of `node` filled in, recursively. A nested
 * object with properties is filled in even when left out, unless it has
 * required keys: then it is there only when the file gives it (collector.kafka).
 */
function applyDefaults(node: SchemaNode, given: Record<string, unknown> = {}): Record<string, unknown> {
  const props = node.properties ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(props)) {
    if (prop.default !== undefined) out[key] = prop.default;
    else if (prop.properties && !(Array.isArray(prop.required) && prop.required.length > 0)) out[key] = applyDefaults(prop);
  }
  for (const [key, value] of Object.entries(given)) {
    const prop = props[key];
    out[key] = prop?.properties && isPlainObject(value) ? applyDefaults(prop, value) : value;
  }
  return out;
}

/** Applies the schema's defaults to a (schema-valid) input. */
export function withDefaults(input: DestinationsInput, file = '<memory>'): DestinationsSpec {
  const defs = destinationsSchema().$defs;
  const collector = applyDefaults(defs.collector!, input.collector) as unknown as CollectorSettings;
  const destinations = input.destinations.map((d) => {
    const own = defs[d.type]?.properties ?? {};
    return applyDefaults({ properties: { ...defs.destination!.properties, ...own } }, d) as unknown as ResolvedDestination;
  });
  return { file, domain: input.domain, collector, destinations };
}
