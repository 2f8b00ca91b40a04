// The destinations file (audit-collector.yaml) as TypeScript types, and the
// defaults read from its JSON Schema (schemas/destinations.schema.json), so the
// schema stays the one place that documents and defines them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

export type DestinationType =
  | 'splunk_hec' | 'opensearch' | 'elasticsearch' | 'awscloudwatchlogs' | 'sentinel' | 'azuremonitor'
  | 'sumologic' | 'awss3' | 'datadog' | 'otlp' | 'file' | 'debug';

/** One destination as written in the file: common keys plus the type's own keys. */
export interface Destination {
  name: string;
  type: DestinationType;
  events?: string[];
  organizations?: string[];
  enabled?: boolean;
  [key: string]: unknown;
}

export interface CollectorSettings {
  receiver: { bind: string; grpcPort: number; httpPort: number };
  healthCheck: { bind: string; port: number };
  memoryLimiter: { limitMiB: number; spikeLimitMiB: number; checkInterval: string };
  queue: { directory: string; size: number; consumers: number };
  batch: { timeout: string; minSize: number; maxSize: number };
  retry: { initialInterval: string; maxInterval: string; maxElapsedTime: string };
  redaction: { body: boolean; trustEmitter: boolean };
  telemetry: { metricsLevel?: 'none' | 'basic' | 'normal' | 'detailed'; logLevel?: 'debug' | 'info' | 'warn' | 'error' };
  image: string;
}

/** A loaded destinations file, defaults applied. */
export interface DestinationsSpec {
  /** Where it came from (for messages); '<memory>' when built in code. */
  file: string;
  domain: string;
  collector: CollectorSettings;
  destinations: Destination[];
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

/** The `default` values of a schema object's properties, recursively. */
function defaultsOf(node: SchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(node.properties ?? {})) {
    if (prop.default !== undefined) out[key] = prop.default;
    else if (prop.properties) out[key] = defaultsOf(prop);
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeDefaults(defaults: Record<string, unknown>, given: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(given ?? {})) {
    const base = out[key];
    out[key] = isPlainObject(base) && isPlainObject(value) ? mergeDefaults(base, value) : value;
  }
  return out;
}

/** Applies the schema's defaults to a (schema-valid) input. */
export function withDefaults(input: DestinationsInput, file = '<memory>'): DestinationsSpec {
  const defs = destinationsSchema().$defs;
  const collector = mergeDefaults(defaultsOf(defs.collector!), input.collector) as unknown as CollectorSettings;
  const destinations = input.destinations.map((d) => {
    const typeDefs = defs[d.type];
    return mergeDefaults({ enabled: true, ...(typeDefs ? defaultsOf(typeDefs) : {}) }, d) as Destination;
  });
  return { file, domain: input.domain, collector, destinations };
}
