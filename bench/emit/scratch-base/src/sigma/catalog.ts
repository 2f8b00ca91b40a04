// The event catalog the pack is checked against (sigma/catalog.yaml), read
// with the catalog loader of src/event: the rules may only name events it defines.
import { join } from 'node:path';
import { loadCatalog, type EventDefinition } from '../event/catalog.js';
import { packageRoot } from '../package-root.js';

export interface EventCatalog {
  domain: string;
  events: Readonly<Record<string, EventDefinition>>;
}

export function defaultCatalogPath(): string {
  return join(packageRoot(), 'sigma', 'catalog.yaml');
}

/** Loads and validates a catalog file (schemas/catalog.schema.json); a CatalogError names the file and field path. */
export function loadEventCatalog(file = defaultCatalogPath()): EventCatalog {
  const catalog = loadCatalog(file);
  return { domain: catalog.domain, events: catalog.definition.events };
}
