// Reading back what the collector delivered: the file exporter's OTLP/JSON
// lines and the events the HEC receiver accepted, as records keyed by the
// contract's id attribute (delivery is at-least-once, so ids are deduped).
import { existsSync, readFileSync } from 'node:fs';
import { contract, decodeOtlpJsonLines, type DecodedLogRecord } from '../index.js';
import type { HecEvent } from '../testing/index.js';

const ID_ATTRIBUTE = contract().fields.find((f) => f.field === 'id')!.attribute!;

/** The complete lines of the file exporter's output so far (a line being written is left for the next read). */
export function readFileRecords(file: string): DecodedLogRecord[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete.trim() === '' ? [] : decodeOtlpJsonLines(complete, file);
}

export function recordId(record: DecodedLogRecord): string | undefined {
  const id = record.attributes[ID_ATTRIBUTE];
  return typeof id === 'string' ? id : undefined;
}

/** HEC events carry the attributes as indexed fields and the canonical event as `event`. */
export function hecEventId(event: HecEvent): string | undefined {
  const id = event.fields?.[ID_ATTRIBUTE] ?? (event.event as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** Ids of `sent` that are missing from `received`, in sending order. */
export function missing(sent: readonly string[], received: Iterable<string | undefined>): string[] {
  const got = new Set(received);
  return sent.filter((id) => !got.has(id));
}
