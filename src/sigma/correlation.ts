// Correlation rules over an ordered stream: event_count, value_count, temporal
// and temporal_ordered, each per group-by key within a sliding timespan.
// A correlation fires when its condition holds for the window that ends at the
// current event; the group's window is then cleared, so one burst gives one match.
import type { CorrelationCondition, CorrelationType } from './types.js';

/** One occurrence fed into a correlation: a rule match or a lower correlation's match. */
export interface Hit {
  /** Index of the referenced rule in the correlation's `rules` list. */
  ruleIndex: number;
  time: number;
  eventIds: string[];
  /** Reads a field for group-by and value_count (already resolved through aliases). */
  read(field: string): unknown;
}

export interface CorrelationFire {
  time: number;
  eventIds: string[];
  group: Record<string, unknown>;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `10m`-style timespans (spec: a number and one of s, m, h, d). */
export function parseTimespan(text: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(text);
  return match ? Number(match[1]) * UNITS[match[2]!]! : undefined;
}

export function conditionTest(condition: CorrelationCondition | undefined, fallback: number): (count: number) => boolean {
  const c = condition ?? { gte: fallback };
  const tests: ((n: number) => boolean)[] = [];
  if (c.gt !== undefined) tests.push((n) => n > c.gt!);
  if (c.gte !== undefined) tests.push((n) => n >= c.gte!);
  if (c.lt !== undefined) tests.push((n) => n < c.lt!);
  if (c.lte !== undefined) tests.push((n) => n <= c.lte!);
  if (c.eq !== undefined) tests.push((n) => n === c.eq!);
  if (c.neq !== undefined) tests.push((n) => n !== c.neq!);
  if (tests.length === 0) tests.push((n) => n >= fallback);
  return (n) => tests.every((t) => t(n));
}

interface Entry {
  time: number;
  eventIds: string[];
  value?: string;
}

export interface CorrelationSpec {
  type: CorrelationType;
  ruleCount: number;
  groupBy: string[];
  timespanMs: number;
  condition: CorrelationCondition | undefined;
  /** The field value_count counts distinct values of. */
  field: string | undefined;
}

/** The running state of one correlation rule. */
export class CorrelationState {
  private readonly groups = new Map<string, Entry[]>();
  private readonly test: (n: number) => boolean;

  constructor(private readonly spec: CorrelationSpec) {
    this.test = conditionTest(spec.condition, spec.type === 'temporal' || spec.type === 'temporal_ordered' ? spec.ruleCount : 1);
  }

  /** Feeds one hit; returns a fire when the correlation's condition now holds for the hit's group. */
  push(hit: Hit): CorrelationFire | undefined {
    const group: Record<string, unknown> = {};
    for (const field of this.spec.groupBy) group[field] = hit.read(field) ?? null;
    const key = JSON.stringify(this.spec.groupBy.map((f) => group[f]));
    let entries = this.groups.get(key);
    if (!entries) this.groups.set(key, (entries = []));
    const entry: Entry = { time: hit.time, eventIds: hit.eventIds };
    if (this.spec.type === 'value_count') {
      const value = hit.read(this.spec.field!);
      if (value === undefined || value === null) return undefined;
      entry.value = typeof value === 'string' ? value : JSON.stringify(value);
    }
    entry.value ??= String(hit.ruleIndex);
    // Drop what fell out of the window that ends at this hit.
    const oldest = hit.time - this.spec.timespanMs;
    let drop = 0;
    while (drop < entries.length && entries[drop]!.time < oldest) drop++;
    if (drop > 0) entries.splice(0, drop);
    entries.push(entry);
    if (!this.holds(entries, hit.ruleIndex)) return undefined;
    const eventIds = this.spec.type === 'temporal_ordered' ? this.orderedIds(entries) : entries.flatMap((e) => e.eventIds);
    this.groups.delete(key);
    return { time: hit.time, eventIds, group };
  }

  private holds(entries: Entry[], ruleIndex: number): boolean {
    switch (this.spec.type) {
      case 'event_count':
        return this.test(entries.length);
      case 'value_count':
        return this.test(new Set(entries.map((e) => e.value)).size);
      case 'temporal':
        return this.test(new Set(entries.map((e) => e.value)).size);
      case 'temporal_ordered':
        // Only the last rule completes a sequence; then the rules must appear in order.
        return ruleIndex === this.spec.ruleCount - 1 && this.orderedIds(entries).length > 0;
      default:
        return false;
    }
  }

  /** The ids of the earliest in-order occurrence of rule 0, 1, …, n-1 in the window, or [] when there is none. */
  private orderedIds(entries: Entry[]): string[] {
    const ids: string[] = [];
    let want = 0;
    for (const entry of entries) {
      if (entry.value === String(want)) {
        ids.push(...entry.eventIds);
        want++;
        if (want === this.spec.ruleCount) return ids;
      }
    }
    return [];
  }
}
