// Mapping to log records, the log processor, the emitter.
export { toLogRecord, isMappedBody, DEFAULT_LIMITS, type AuditLogRecord, type MappingLimits, type MappingOptions } from './to-log-record.js';
export { flattenData, DATA_PREFIX, type FlattenLimits, type FlattenResult } from './flatten.js';
export { isSensitiveName, redactValue } from './redact.js';
export { AuditLogRecordProcessor, INVALID_ATTRIBUTE, type AuditLogRecordProcessorOptions, type InvalidRecordPolicy } from './processor.js';
export {
  createAuditLogger,
  makeExportProcessor,
  makeOtlpExporter,
  type AuditLogger,
  type AuditLoggerOptions,
  type BatchOptions,
  type EmitInput,
  type ExportProcessorOptions,
  type InvalidEventPolicy,
  type OtlpProtocol,
} from './logger.js';
