// The reference the OTLP scanner and verify's fast path are tested against:
// what JSON.parse and decodeAnyValue read from an OTLP/JSON request line.
import { decodeAnyValue } from '../../src/event/otlp-json.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Each log record's decoded body; undefined when the text is not JSON or not a request. Throws what decodeAnyValue throws. */
export function parsedBodies(text: string): unknown[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || !Array.isArray(value.resourceLogs)) return undefined;
  const bodies: unknown[] = [];
  for (const resourceLogs of value.resourceLogs as unknown[]) {
    for (const scopeLogs of isObject(resourceLogs) && Array.isArray(resourceLogs.scopeLogs) ? (resourceLogs.scopeLogs as unknown[]) : []) {
      for (const logRecord of isObject(scopeLogs) && Array.isArray(scopeLogs.logRecords) ? (scopeLogs.logRecords as unknown[]) : []) bodies.push(isObject(logRecord) ? decodeAnyValue(logRecord.body as Parameters<typeof decodeAnyValue>[0]) : null);
    }
  }
  return bodies;
}
