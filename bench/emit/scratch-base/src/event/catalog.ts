// The catalog: a service's closed audit vocabulary. defineCatalog keeps the
// literal types so emit() can type-check each event's data; loadCatalog reads
// the same format from YAML or JSON. Both compile every data schema once.
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../package-root.js';
import { CatalogError } from './errors.js';
import type { Severity } from './event.js';
import type { FromSchema } from './from-schema.js';

/** A JSON Schema (2020-12) for an event's data; its top level describes an object. */
export interface DataSchema {
  readonly type?: 'object';
  readonly [keyword: string]: unknown;
}

export interface EventDefinition {
  readonly description: string;
  readonly severity?: Severity;
  readonly data?: DataSchema;
  /** Dotted data paths whose values are redacted, in addition to the contract's default names. */
  readonly sensitive?: readonly string[];
  readonly version?: number;
  readonly deprecated?: boolean | string;
  readonly tags?: readonly string[];
}

export interface CatalogDefinition {
  readonly domain: string;
  readonly version?: string;
  readonly description?: string;
  readonly events: { readonly [name: string]: EventDefinition };
}

/** One catalog event, ready for validation and mapping. */
export interface CatalogEvent {
  readonly name: string;
  readonly definition: EventDefinition;
  readonly severity: Severity;
  /** The compiled data schema; undefined when the event has none (any object). */
  readonly validateData: ValidateFunction | undefined;
  /** The catalog's sensitive paths for this event, as a set of dotted data paths. */
  readonly sensitivePaths: ReadonlySet<string>;
}

export interface Catalog<D extends CatalogDefinition = CatalogDefinition> {
  readonly domain: string;
  readonly definition: D;
  /** The file it was loaded from, or `<defineCatalog>`. */
  readonly source: string;
  readonly events: ReadonlyMap<string, CatalogEvent>;
}

/** The event names of a catalog. */
export type EventName<C> = C extends Catalog<infer D> ? keyof D['events'] & string : string;

/** The type of the data of event `N`: inferred from its data schema. */
export type EventData<C, N extends string> = C extends Catalog<infer D>
  ? D['events'][N] extends { readonly data: infer S }
    ? FromSchema<S>
    : Record<string, unknown>
  : Record<string, unknown>;

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

let metaValidator: ValidateFunction | undefined;

/** Validates a value against schemas/catalog.schema.json. */
function catalogSchemaValidator(): ValidateFunction {
  if (!metaValidator) {
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'catalog.schema.json'), 'utf8')) as object;
    metaValidator = new Ajv2020({ strict: false, allErrors: false }).compile(schema);
  }
  return metaValidator;
}

/** `/events/repo.fork/data` → `events.repo.fork.data`, plus the offending key when ajv names one. */
export function ajvErrorPath(error: ErrorObject, prefix = ''): string {
  const parts = error.instancePath === '' ? [] : error.instancePath.slice(1).split('/').map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string; propertyName?: string };
  const extra = params.missingProperty ?? params.additionalProperty ?? params.propertyName;
  if (extra !== undefined) parts.push(extra);
  const path = parts.join('.');
  return prefix === '' ? path : path === '' ? prefix : `${prefix}.${path}`;
}

export function ajvReason(error: ErrorObject): string {
  const params = error.params as { allowedValues?: unknown[]; additionalProperty?: string; missingProperty?: string };
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not allowed (unknown property)';
  if (error.keyword === 'enum' && params.allowedValues) return `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return error.message ?? `fails "${error.keyword}"`;
}

/** A fresh ajv for data schemas: 2020-12, formats, no strict mode (catalogs may carry annotations). */
function dataAjv(): Ajv2020 {
  return addFormats(new Ajv2020({ strict: false, allErrors: false }));
}

/** Checks a definition against the catalog schema and compiles it. */
export function compileCatalog<const D extends CatalogDefinition>(definition: D, source = '<defineCatalog>'): Catalog<D> {
  const validate = catalogSchemaValidator();
  if (!validate(definition)) {
    const error = validate.errors![0]!;
    throw new CatalogError(source, ajvErrorPath(error), ajvReason(error));
  }
  const ajv = dataAjv();
  const events = new Map<string, CatalogEvent>();
  for (const [name, def] of Object.entries(definition.events)) {
    let validateData: ValidateFunction | undefined;
    if (def.data) {
      try {
        validateData = ajv.compile(def.data);
      } catch (error) {
        throw new CatalogError(source, `events.${name}.data`, `is not a valid JSON Schema: ${(error as Error).message}`);
      }
    }
    events.set(name, { name, definition: def, severity: def.severity ?? 'info', validateData, sensitivePaths: new Set(def.sensitive ?? []) });
  }
  return { domain: definition.domain, definition, source, events };
}

/**
 * Declares a catalog in TypeScript. The literal types are kept, so
 * `audit.emit('repo.fork', { data })` checks `data` against the event's schema.
 */
export function defineCatalog<const D extends CatalogDefinition>(definition: D): Catalog<D> {
  return compileCatalog(definition);
}

/** Reads a catalog from a YAML (.yaml/.yml) or JSON file; errors name the file, the field path and the reason. */
export function loadCatalog(file: string): Catalog {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CatalogError(file, '', `cannot read the file: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new CatalogError(file, '', `is not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CatalogError(file, '', 'must be a mapping with domain and events');
  }
  return compileCatalog(value as CatalogDefinition, file);
}
