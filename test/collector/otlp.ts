// Plain OTLP/HTTP JSON posts of audit records shaped by the contract, for
// feeding a running collector without the emitter.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root.js';
export { waitFor } from '../harness/wait.js';

const contract = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'contract.json'), 'utf8')) as {
  fields: { field: string; attribute?: string; alsoAttributes?: string[]; attributePrefix?: string }[];
  severities: Record<string, { number: number; text: string }>;
  sensitive: { emitterMark: { attribute: string; value: string } };
};

export interface RecordOptions {
  /** Add the emitter's redaction mark, as records built by the otel-audit emitter carry it. */
  emitterMark?: boolean;
}

/** The OTLP attribute of a canonical field, from schemas/contract.json. */
export function attributeOf(field: string): string {
  const entry = contract.fields.find((f) => f.field === field);
  const name = entry?.attribute ?? entry?.attributePrefix;
  if (!name) throw new Error(`contract has no attribute for ${field}`);
  return name;
}

type AnyValue = Record<string, unknown>;

export function anyValue(value: unknown): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (typeof value === 'object' && value !== null) return { kvlistValue: { values: Object.entries(value).map(([key, v]) => ({ key, value: anyValue(v) })) } };
  return {};
}

function flatten(data: Record<string, unknown>, prefix: string, into: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) flatten(value as Record<string, unknown>, `${prefix}${key}.`, into);
    else into[`${prefix}${key}`] = value;
  }
  return into;
}

/** A canonical audit event (the fields the tests use; the rest of the contract works the same way). */
export interface TestEvent {
  id: string;
  name: string;
  domain: string;
  source?: string;
  outcome?: string;
  actor?: { id?: string; type?: string; email?: string; name?: string; ip?: string; userAgent?: string };
  target?: { type?: string; id?: string; name?: string };
  organization?: string;
  data?: Record<string, unknown>;
}

function valueAt(event: TestEvent, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined), event);
}

/** One OTLP log record for a canonical event: attributes per the contract, the event itself as the body. */
export function auditLogRecord(event: TestEvent, options: RecordOptions = {}): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const field of contract.fields) {
    const value = valueAt(event, field.field);
    if (!field.attribute || value === undefined) continue;
    for (const name of [field.attribute, ...(field.alsoAttributes ?? [])]) attributes[name] = value;
  }
  Object.assign(attributes, flatten(event.data ?? {}, attributeOf('data')));
  if (options.emitterMark) attributes[contract.sensitive.emitterMark.attribute] = contract.sensitive.emitterMark.value;
  const info = contract.severities.info!;
  return {
    timeUnixNano: `${Date.now()}000000`,
    severityNumber: info.number,
    severityText: info.text,
    eventName: event.name,
    body: anyValue(event),
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) })),
  };
}

export function otlpLogsRequest(events: TestEvent[], options: RecordOptions = {}): Record<string, unknown> {
  return {
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otel-audit-test' } }] },
      scopeLogs: [{ scope: { name: 'otel-audit' }, logRecords: events.map((event) => auditLogRecord(event, options)) }],
    }],
  };
}

/** Posts events to a collector's OTLP/HTTP receiver; throws unless it answers 200. */
export async function postEvents(httpPort: number, events: TestEvent[], options: RecordOptions = {}): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(otlpLogsRequest(events, options)),
  });
  if (response.status !== 200) throw new Error(`the collector answered ${response.status}: ${await response.text()}`);
}
