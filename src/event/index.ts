// The canonical audit event, the catalog, validation.
export { decodeOtlpJsonLines, decodeLogsRequest, decodeAnyValue, type DecodedLogRecord } from './otlp-json.js';
