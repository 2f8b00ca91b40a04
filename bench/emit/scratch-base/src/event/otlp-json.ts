// Decodes OTLP/JSON log data (an ExportLogsServiceRequest, as the collector's
// `file` exporter writes one per line) into plain records with JS values.
import { InputError } from '../errors.js';

/** A log record as delivered, with OTLP AnyValues decoded to plain values. */
export interface DecodedLogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  eventName?: string;
  body: unknown;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: { name?: string; version?: string };
  traceId?: string;
  spanId?: string;
}

interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}

interface OtlpLogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  eventName?: string;
  body?: OtlpAnyValue;
  attributes?: OtlpKeyValue[];
  traceId?: string;
  spanId?: string;
}

export interface OtlpLogsRequest {
  resourceLogs?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeLogs?: { scope?: { name?: string; version?: string }; logRecords?: OtlpLogRecord[] }[];
  }[];
}

/** Decodes one OTLP AnyValue. 64-bit integers beyond 2^53 stay decimal strings so no digit is lost. */
export function decodeAnyValue(value: OtlpAnyValue | undefined): unknown {
  if (value === undefined || value === null) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const asNumber = Number(value.intValue);
    return Number.isSafeInteger(asNumber) ? asNumber : String(value.intValue);
  }
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(decodeAnyValue);
  if (value.kvlistValue !== undefined) return decodeKeyValues(value.kvlistValue.values);
  return null;
}

export function decodeKeyValues(values: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const { key, value } of values ?? []) result[key] = decodeAnyValue(value);
  return result;
}

/** Flattens one ExportLogsServiceRequest into its log records. */
export function decodeLogsRequest(request: OtlpLogsRequest): DecodedLogRecord[] {
  const records: DecodedLogRecord[] = [];
  for (const resourceLogs of request.resourceLogs ?? []) {
    const resource = decodeKeyValues(resourceLogs.resource?.attributes);
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      const scope = { name: scopeLogs.scope?.name, version: scopeLogs.scope?.version };
      for (const record of scopeLogs.logRecords ?? []) {
        records.push({
          timeUnixNano: record.timeUnixNano,
          observedTimeUnixNano: record.observedTimeUnixNano,
          severityNumber: record.severityNumber,
          severityText: record.severityText,
          eventName: record.eventName,
          body: decodeAnyValue(record.body),
          attributes: decodeKeyValues(record.attributes),
          resource,
          scope,
          traceId: record.traceId,
          spanId: record.spanId,
        });
      }
    }
  }
  return records;
}

/**
 * Decodes the file exporter's output: one JSON request per line. A line that
 * is not valid JSON throws with its line number (a torn last line included),
 * so nothing is skipped silently.
 */
export function decodeOtlpJsonLines(text: string, source = 'input'): DecodedLogRecord[] {
  const records: DecodedLogRecord[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let request: OtlpLogsRequest;
    try {
      request = JSON.parse(line) as OtlpLogsRequest;
    } catch (error) {
      throw new InputError(`${source}:${index + 1}: not an OTLP/JSON line (${(error as Error).message})`, { file: source, line: index + 1 }, { cause: error });
    }
    records.push(...decodeLogsRequest(request));
  });
  return records;
}
