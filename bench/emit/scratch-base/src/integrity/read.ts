// Reads what a destination received back into record bodies, whatever form it
// stored them in: the collector file exporter's OTLP/JSON lines, an OTLP/JSON
// or OTLP/protobuf request, canonical events as JSON lines (webhooks, S3
// `body` objects), Splunk HEC events, and OpenSearch documents or search
// responses. Lines it cannot read are reported, never skipped silently.
import { decodeLogsRequest, type OtlpLogsRequest } from '../event/otlp-json.js';
import { decodeLogsRequestProto } from '../event/otlp-proto.js';
import type { TrailRecord } from './verify.js';

export interface ReadTrailResult {
  records: TrailRecord[];
  /** Lines that are none of the known forms. */
  unreadable: { where: string; reason: string }[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The bodies inside one parsed JSON value of any supported form. */
function bodiesOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return (value as unknown[]).flatMap((item): unknown[] => bodiesOf(item) ?? [item]);
  if (!isObject(value)) return undefined;
  if (Array.isArray(value.resourceLogs)) return decodeLogsRequest(value as OtlpLogsRequest).map((record) => record.body);
  if (isObject(value.hits) && Array.isArray(value.hits.hits)) return (value.hits.hits as unknown[]).flatMap((hit): unknown[] => bodiesOf(hit) ?? []);
  if (isObject(value._source)) return [bodyOfDocument(value._source)];
  // Splunk HEC: {"time": …, "event": {…}, "fields": {…}}
  if ('event' in value && ('fields' in value || 'sourcetype' in value || 'time' in value)) return [typeof value.event === 'string' ? tryJson(value.event) : value.event];
  // A decoded log record ({ body, attributes }) or a canonical event.
  if (isObject(value.body) && isObject(value.attributes)) return [value.body];
  if (typeof value.name === 'string') return [value];
  return undefined;
}

/**
 * The body of an OpenSearch document: `body` as an object, or, as the
 * `flatten_attributes` mapping mode stores it, `Body.actor.id`-style keys put
 * back together (a data key that itself holds a dot cannot be told from a
 * nested one there; such records do not verify from OpenSearch).
 */
function bodyOfDocument(source: Record<string, unknown>): unknown {
  if (isObject(source.body)) return source.body;
  if (isObject(source.Body)) return source.Body;
  const flat = Object.entries(source).filter(([key]) => key.startsWith('Body.'));
  if (flat.length === 0) return source;
  // Objects without a prototype: a key such as `Body.__proto__.x` from a hostile store stays a plain member.
  const body = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of flat) {
    const path = key.slice(5).split('.');
    let node = body;
    for (const segment of path.slice(0, -1)) {
      if (!isObject(node[segment])) node[segment] = Object.create(null) as Record<string, unknown>;
      node = node[segment] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  return body;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Reads one file's content (text, or bytes for OTLP/protobuf). */
export function readTrail(content: string | Uint8Array, source: string): ReadTrailResult {
  const records: TrailRecord[] = [];
  const unreadable: ReadTrailResult['unreadable'] = [];
  const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  const trimmed = text.trimStart();
  if (trimmed === '') return { records, unreadable };
  if (typeof content !== 'string' && !(trimmed.startsWith('{') || trimmed.startsWith('['))) {
    try {
      const request = decodeLogsRequestProto(content, source);
      decodeLogsRequest(request).forEach((record, index) => records.push({ body: record.body, where: `${source}#${index}` }));
      return { records, unreadable };
    } catch (error) {
      return { records, unreadable: [{ where: source, reason: (error as Error).message }] };
    }
  }
  // One JSON document (a search response, an array) or JSON lines.
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && !trimmed.includes('\n{'))) {
    try {
      const bodies = bodiesOf(JSON.parse(text));
      if (bodies) {
        bodies.forEach((body, index) => records.push({ body, where: `${source}#${index}` }));
        return { records, unreadable };
      }
    } catch {
      // not one document: read it line by line below
    }
  }
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    const where = `${source}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      unreadable.push({ where, reason: `not JSON (${(error as Error).message})` });
      return;
    }
    const bodies = bodiesOf(value);
    if (!bodies) unreadable.push({ where, reason: 'neither an OTLP request, a canonical event, a HEC event nor an OpenSearch document' });
    else bodies.forEach((body, n) => records.push({ body, where: bodies.length > 1 ? `${where}#${n}` : where }));
  });
  return { records, unreadable };
}
