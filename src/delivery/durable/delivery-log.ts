// The delivery log: one JSON line per delivery failure, recovery, drop, record set
// aside (dead-lettered), damaged bytes skipped (quarantined), or destination state
// change, kept in the spool directory so operators can see what went wrong
// (`otel-audit deliveries list`). Bounded: rotated at 1 MiB.
import { OtelAuditError } from '../../errors.js';
import { existsSync, lstatSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { appendToFile, readFileNoFollow } from './safe-fs.js';

export type DeliveryOutcome = 'failure' | 'recovered' | 'dropped' | 'dead-lettered' | 'quarantined' | 'disabled' | 'enabled';

/** Outcomes `--failed` (ListDeliveriesOptions.failed) keeps: everything that needs someone to look. */
const FAILED_OUTCOMES: ReadonlySet<DeliveryOutcome> = new Set(['failure', 'disabled', 'dropped', 'dead-lettered', 'quarantined']);

export interface DeliveryEntry {
  time: string;
  /** The delivery target (a webhook URL without query, or the exporter's name). */
  target: string;
  outcome: DeliveryOutcome;
  /** Records in the batch concerned. */
  records?: number;
  /** Consecutive failed attempts so far. */
  attempt?: number;
  status?: number;
  error?: string;
  /** Milliseconds until the next attempt. */
  retryInMillis?: number;
  /** For 'dead-lettered' and 'quarantined': the file (relative to the spool directory) that holds the record or the damaged bytes. */
  file?: string;
  /** For 'quarantined': how many bytes were skipped. */
  bytes?: number;
}

export const DELIVERY_LOG_FILE = 'deliveries.jsonl';
const MAX_LOG_BYTES = 1024 * 1024;

export function appendDelivery(directory: string, entry: Omit<DeliveryEntry, 'time'> & { time?: string }): void {
  const file = join(directory, DELIVERY_LOG_FILE);
  try {
    if (existsSync(file) && lstatSync(file).size > MAX_LOG_BYTES) renameSync(file, `${file}.1`);
    appendToFile(file, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  } catch {
    // The delivery log is diagnostics; failing to write it must not stop delivery.
  }
}

export interface ListDeliveriesOptions {
  /** Only what needs someone to look: failures, drops, dead-lettered records, quarantined bytes and auto-disables. */
  failed?: boolean;
  /** Only entries newer than this many milliseconds, or than a duration such as `30d`, `12h`, `15m`, `45s`, `500ms`. */
  since?: number | string;
  now?: number;
}

/** Whether a parsed line has an entry's shape (the fields `deliveries list` prints with their types). */
function isEntry(value: unknown): value is DeliveryEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entry = value as Record<string, unknown>;
  if (typeof entry.time !== 'string' || typeof entry.target !== 'string' || typeof entry.outcome !== 'string') return false;
  if (entry.error !== undefined && typeof entry.error !== 'string') return false;
  return ['records', 'attempt', 'status', 'retryInMillis', 'bytes'].every((key) => entry[key] === undefined || typeof entry[key] === 'number');
}

/** Reads the delivery log (the rotated file first), oldest first. */
export function listDeliveries(directory: string, options: ListDeliveriesOptions = {}): DeliveryEntry[] {
  if (!existsSync(directory)) throw new OtelAuditError('INPUT_INVALID', `spool directory ${directory} does not exist`, { file: directory });
  const entries: DeliveryEntry[] = [];
  const since = typeof options.since === 'string' ? parseDuration(options.since) : options.since;
  const cutoff = since === undefined ? undefined : (options.now ?? Date.now()) - since;
  for (const name of [`${DELIVERY_LOG_FILE}.1`, DELIVERY_LOG_FILE]) {
    const file = join(directory, name);
    if (!existsSync(file)) continue;
    let text: string;
    try {
      text = readFileNoFollow(file).toString('utf8');
    } catch (error) {
      throw new OtelAuditError('INPUT_INVALID', `cannot read ${file}: ${(error as Error).message}`, { file }, { cause: error });
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let entry: DeliveryEntry;
      try {
        entry = JSON.parse(line) as DeliveryEntry;
      } catch {
        continue; // a torn last line after a crash
      }
      if (!isEntry(entry)) continue; // damaged or not ours: not an entry to show
      if (options.failed && !FAILED_OUTCOMES.has(entry.outcome)) continue;
      if (cutoff !== undefined && Date.parse(entry.time) < cutoff) continue;
      entries.push(entry);
    }
  }
  return entries;
}

/** Parses durations such as `30d`, `12h`, `15m`, `45s`, `500ms`. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!match) throw new OtelAuditError('OPTION_INVALID', `"${text}" is not a duration (use a number followed by ms, s, m, h, d or w, e.g. 30d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}
