// Reads an event catalog (schemas/catalog.schema.json) for the pack checks:
// the rules may only name events the catalog defines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { packageRoot } from '../tools/cache.js';
import { SigmaError } from './types.js';

export interface CatalogEvent {
  description: string;
  severity?: 'info' | 'warning' | 'alert' | 'critical';
  data?: Record<string, unknown>;
  sensitive?: string[];
}

export interface EventCatalog {
  domain: string;
  events: Record<string, CatalogEvent>;
}

export function defaultCatalogPath(): string {
  return join(packageRoot(), 'sigma', 'catalog.yaml');
}

/** Loads and validates a catalog file; errors name the file and the field path. */
export function loadEventCatalog(file = defaultCatalogPath()): EventCatalog {
  let value: unknown;
  try {
    value = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SigmaError(file, '', `cannot read the catalog: ${(error as Error).message}`);
  }
  const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'catalog.schema.json'), 'utf8')) as object;
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
  if (!validate(value)) {
    const first = validate.errors?.[0];
    throw new SigmaError(file, first?.instancePath.replace(/^\//, '').replaceAll('/', '.') ?? '', `not a valid catalog: ${first?.message ?? 'invalid'}`);
  }
  return value as EventCatalog;
}
