// The canonical audit event, the catalog, validation.
export { decodeOtlpJsonLines, decodeLogsRequest, decodeAnyValue, type DecodedLogRecord } from './otlp-json.js';
export type { Actor, Target, Severity, Outcome, AuditEvent, AuditEventFields, CanonicalEvent } from './event.js';
export { defineCatalog, loadCatalog, compileCatalog, type Catalog, type CatalogDefinition, type CatalogEvent, type DataSchema, type EventDefinition, type EventName, type EventData } from './catalog.js';
export type { FromSchema } from './from-schema.js';
export { validateEvent, type ValidatedEvent } from './validate.js';
export { AuditValidationError, CatalogError } from './errors.js';
export { contract, contractField, type Contract, type ContractField } from './contract.js';
export { uuidv7 } from './uuid.js';
export { diffCatalogs, type CatalogChange, type CatalogDiff } from './catalog-diff.js';
export { catalogToMarkdown } from './catalog-docs.js';
