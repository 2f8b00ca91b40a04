// otel-audit: the canonical event, the catalog and the emitter. Delivery
// (the durable spool, webhooks) is otel-audit/delivery; receivers for tests
// are otel-audit/testing. An explicit list: what is here is public API
// (docs/api.md), checked against api/otel-audit.api.md by the tests.

// The event and the catalog.
export type { Actor, Target, Severity, Outcome, AuditEvent, AuditEventFields, CanonicalEvent } from './event/event.js';
export {
  defineCatalog,
  loadCatalog,
  type Catalog,
  type CatalogDefinition,
  type CatalogEvent,
  type DataSchema,
  type EventDefinition,
  type EventName,
  type EventData,
} from './event/catalog.js';
export type { FromSchema } from './event/from-schema.js';
export { diffCatalogs, type CatalogChange, type CatalogDiff, type ChangeKind } from './event/catalog-diff.js';
export { catalogToMarkdown } from './event/catalog-docs.js';
export { contract, type Contract, type ContractField } from './event/contract.js';
export { decodeOtlpJsonLines, type DecodedLogRecord } from './event/otlp-json.js';

// Errors: one root with a stable code.
export { OtelAuditError, InputError, ERROR_CODES, type ErrorCode, type ErrorLocation } from './errors.js';
export { AuditValidationError, CatalogError } from './event/errors.js';

// Emitting.
export { createAuditLogger, type AuditLogger, type AuditLoggerOptions, type BatchOptions, type EmitInput, type InvalidEventPolicy, type OtlpProtocol } from './emit/logger.js';
export { toLogRecord, type AuditLogRecord, type MappingLimits, type MappingOptions } from './emit/to-log-record.js';
export type { IntegrityOptions, IntegrityHandle } from './emit/integrity.js';
export { AuditLogRecordProcessor, DroppingAuditLogRecordProcessor, type AuditLogRecordProcessorOptions, type DroppingAuditLogRecordProcessorOptions, type InvalidRecordPolicy } from './emit/processor.js';
