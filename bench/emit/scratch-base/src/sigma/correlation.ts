// Correlation rules over an ordered stream: event_count, value_count, temporal,
// temporal_ordered, value_sum, value_avg and value_percentile, each per
// group-by key within a sliding timespan.
// A correlation fires when its condition holds for the window that ends at the
// current event; the group's window is then cleared, so one burst gives one match.
import type { CorrelationCondition, CorrelationType } from './types.js';

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
  if (tests.length === 1) return tests[0]!;
  return (n) => {
    for (const t of tests) if (!t(n)) return false;
    return true;
  };
}


/** A window's parallel arrays: entries from `head` on are live, the ones before it expired. */
interface WindowArrays<V> {
  times: number[];
  ids: string[][];
  values: V[];
  head: number;
}

/** The ids of every live event of a window, oldest first. */
function liveIds(window: { head: number; ids: readonly (readonly string[])[] }): string[] {
  const ids: string[] = [];
  for (let i = window.head; i < window.ids.length; i++) for (const id of window.ids[i]!) ids.push(id);
  return ids;
}

/** Drops the expired front now and then, so the arrays do not grow without bound. */
function dropExpired<V>(window: WindowArrays<V>): void {
  if (window.head > 1024 && window.head * 2 > window.times.length) {
    window.times = window.times.slice(window.head);
    window.ids = window.ids.slice(window.head);
    window.values = window.values.slice(window.head);
    window.head = 0;
  }
}

/**
 * One group's sliding window, with a count per distinct value kept up to date
 * (when the correlation type needs it). Entries live in parallel arrays from
 * `head` on: the eviction check reads only `times`, a contiguous array of
 * numbers, instead of chasing one old entry object per event.
 */
class Window implements WindowArrays<string> {
  times: number[] = [];
  ids: string[][] = [];
  /** Empty for event_count, which does not need them. */
  values: string[] = [];
  head = 0;
  /** The count per distinct value; undefined for event_count, which only needs the window's size. */
  readonly counts: Map<string, number> | undefined;

  constructor(countValues: boolean) {
    this.counts = countValues ? new Map<string, number>() : undefined;
  }

  get size(): number {
    return this.times.length - this.head;
  }

  add(time: number, eventIds: string[], value: string, oldest: number): void {
    const counts = this.counts;
    const times = this.times;
    if (counts === undefined) {
      // event_count: only the size matters, so the values are not kept.
      while (this.head < times.length && times[this.head]! < oldest) this.head++;
      dropExpired(this);
      this.times.push(time);
      this.ids.push(eventIds);
      return;
    }
    while (this.head < times.length && times[this.head]! < oldest) {
      const gone = this.values[this.head++]!;
      const left = counts.get(gone)! - 1;
      if (left === 0) counts.delete(gone);
      else counts.set(gone, left);
    }
    dropExpired(this);
    this.times.push(time);
    this.ids.push(eventIds);
    this.values.push(value);
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }

  /** Empties the window, as a new one would be: a group's window is reused after it fires (no map delete and re-insert, no new arrays). */
  clear(): void {
    this.times.length = 0;
    this.ids.length = 0;
    this.values.length = 0;
    this.head = 0;
    this.counts?.clear();
  }



  /** The ids of every event in the window, oldest first. */
  liveIds(): string[] {
    return liveIds(this);
  }
}

// Unambiguous (`\d+(\.\d*)?`, not `\d+\.?\d*`), so a long run of digits is not tried split every way: that took 10 s on 50,000 digits.
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * The numeric value a value_sum, value_avg or value_percentile hit adds, or
 * undefined when it adds none. The spec asks for "a number field" and says no
 * more; like SQL's SUM/AVG over NULL (pySigma's DuckDB backend) and Splunk's
 * sum() over text, a missing or non-numeric value is left out: the hit does
 * not enter the window at all, so it counts neither in a sum nor in an
 * average's denominator. Decimal strings count as numbers, because OTLP JSON
 * carries an int64 beyond 2^53 as a string.
 */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMBER.test(value)) return Number(value);
  return undefined;
}

/** The lowest index at which `value` could be inserted into `sorted` keeping it sorted. */
function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The p-th percentile (0–100) of sorted values, interpolated linearly between
 * the two closest ranks: rank = p/100 × (n − 1). The spec does not say how a
 * percentile is computed; this is what pySigma's backends ask for: DuckDB's
 * PERCENTILE_CONT and Loki's quantile_over_time (both use this formula).
 */
export function percentileOf(sorted: readonly number[], p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const low = sorted[lo]!;
  return lo + 1 < sorted.length ? low + (rank - lo) * (sorted[lo + 1]! - low) : low;
}

/**
 * One group's sliding window of numbers for value_sum, value_avg and
 * value_percentile. The sum is kept running; values are kept sorted only for
 * value_percentile.
 */
class NumericWindow implements WindowArrays<number> {
  times: number[] = [];
  ids: string[][] = [];
  values: number[] = [];
  head = 0;
  private sum = 0;
  /** How many live values are not safe integers: then the running sum may have drifted. */
  private inexact = 0;
  readonly sorted: number[] | undefined;

  constructor(keepSorted: boolean) {
    this.sorted = keepSorted ? [] : undefined;
  }

  get size(): number {
    return this.times.length - this.head;
  }

  add(time: number, eventIds: string[], value: number, oldest: number): void {
    while (this.head < this.times.length && this.times[this.head]! < oldest) this.forget(this.values[this.head++]!);
    dropExpired(this);
    this.times.push(time);
    this.ids.push(eventIds);
    this.values.push(value);
    this.sum += value;
    if (!Number.isSafeInteger(value)) this.inexact++;
    if (this.sorted) this.sorted.splice(lowerBound(this.sorted, value), 0, value);
  }

  private forget(value: number): void {
    this.sum -= value;
    if (!Number.isSafeInteger(value)) this.inexact--;
    if (this.sorted) this.sorted.splice(lowerBound(this.sorted, value), 1);
  }

  /** The sum of the live values: the running sum while it is exact, else summed afresh (adding and taking away fractions drifts). */
  total(): number {
    if (this.inexact === 0 && Number.isSafeInteger(this.sum)) return this.sum;
    let sum = 0;
    for (let i = this.head; i < this.values.length; i++) sum += this.values[i]!;
    return sum;
  }

  liveIds(): string[] {
    return liveIds(this);
  }
}

export interface CorrelationSpec {
  type: CorrelationType;
  ruleCount: number;
  groupBy: string[];
  timespanMs: number;
  condition: CorrelationCondition | undefined;
  /** The field value_count counts distinct values of, or value_sum/avg/percentile aggregate. */
  field: string | undefined;
  /** For value_percentile: which percentile (0–100) of the field's values the condition compares. */
  percentile?: number | undefined;
}

const NUMERIC_TYPES: ReadonlySet<CorrelationType> = new Set(['value_sum', 'value_avg', 'value_percentile']);

function keyOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** The running state of one correlation rule. */
export class CorrelationState {
  private readonly groups = new Map<string, Window>();
  private readonly numericGroups = new Map<string, NumericWindow>();
  private readonly test: (n: number) => boolean;
  private readonly numeric: boolean;
  private readonly type: CorrelationType;
  /** The counted value of temporal hits, per rule index: `String(ruleIndex)` made once. */
  private readonly ruleKeys: string[];

  constructor(private readonly spec: CorrelationSpec) {
    this.type = spec.type;
    this.ruleKeys = Array.from({ length: spec.ruleCount }, (_, index) => String(index));
    this.test = conditionTest(spec.condition, spec.type === 'temporal' || spec.type === 'temporal_ordered' ? spec.ruleCount : 1);
    this.numeric = NUMERIC_TYPES.has(spec.type);
  }

  /**
   * Feeds one hit (a rule match or a lower correlation's match): `ruleIndex` is
   * the referenced rule's index in the correlation's `rules` list, `group` the
   * values of its group-by fields (aliases resolved), `counted` the value of the
   * condition's field for value_*. Returns a fire when the correlation's
   * condition now holds for the hit's group. (Positional arguments: no hit
   * object per event on the engine's hot path.)
   */
  push(ruleIndex: number, time: number, eventIds: string[], group: unknown[], counted: unknown): CorrelationFire | undefined {
    const key = group.length === 1 ? keyOf(group[0]) : JSON.stringify(group);
    return this.pushKeyed(key, group, undefined, ruleIndex, time, eventIds, counted);
  }

  /** push() for a correlation with exactly one group-by field, whose value is `value`: no group array per hit. */
  pushOne(ruleIndex: number, time: number, eventIds: string[], value: unknown, counted: unknown): CorrelationFire | undefined {
    return this.pushKeyed(keyOf(value), undefined, value, ruleIndex, time, eventIds, counted);
  }

  /** `group`, or when it is undefined the single group-by value `one`, gives the fire's group. */
  private pushKeyed(key: string, group: unknown[] | undefined, one: unknown, ruleIndex: number, time: number, eventIds: string[], counted: unknown): CorrelationFire | undefined {
    if (this.numeric) return this.pushNumeric(key, group, one, time, eventIds, counted);
    let value: string;
    if (this.type === 'value_count') {
      if (counted === undefined || counted === null) return undefined;
      value = keyOf(counted);
    } else {
      value = this.ruleKeys[ruleIndex] ?? String(ruleIndex);
    }
    let window = this.groups.get(key);
    if (window === undefined) this.groups.set(key, (window = new Window(this.type !== 'event_count')));
    window.add(time, eventIds, value, time - this.spec.timespanMs);
    if (!this.holds(window, ruleIndex)) return undefined;
    const ids = this.type === 'temporal_ordered' ? this.orderedIds(window) : window.liveIds();
    window.clear();
    return { time, eventIds: ids, group: this.groupOf(group ?? [one]) };
  }

  /** value_sum, value_avg, value_percentile: the aggregate of the field's numbers in the window is compared with the condition. */
  private pushNumeric(key: string, group: unknown[] | undefined, one: unknown, time: number, eventIds: string[], counted: unknown): CorrelationFire | undefined {
    const value = numericValue(counted);
    if (value === undefined) return undefined;
    let window = this.numericGroups.get(key);
    if (!window) this.numericGroups.set(key, (window = new NumericWindow(this.type === 'value_percentile')));
    window.add(time, eventIds, value, time - this.spec.timespanMs);
    const aggregate = this.type === 'value_sum' ? window.total() : this.type === 'value_avg' ? window.total() / window.size : percentileOf(window.sorted!, this.spec.percentile!);
    if (!this.test(aggregate)) return undefined;
    const ids = window.liveIds();
    this.numericGroups.delete(key);
    return { time, eventIds: ids, group: this.groupOf(group ?? [one]) };
  }

  private groupOf(values: unknown[]): Record<string, unknown> {
    const group: Record<string, unknown> = {};
    this.spec.groupBy.forEach((field, index) => (group[field] = values[index] ?? null));
    return group;
  }

  private holds(window: Window, ruleIndex: number): boolean {
    switch (this.type) {
      case 'event_count':
        return this.test(window.size);
      case 'value_count':
      case 'temporal':
        return this.test(window.counts!.size);
      case 'temporal_ordered':
        // Only the last rule completes a sequence; then the rules must appear in order.
        return ruleIndex === this.spec.ruleCount - 1 && window.counts!.size === this.spec.ruleCount && this.inOrder(window);
      default:
        return false;
    }
  }

  /** The ids of the earliest in-order occurrence of rule 0, 1, …, n-1 in the window, or [] when there is none. */
  private orderedIds(window: Window): string[] {
    const ids: string[] = [];
    let want = 0;
    for (let i = window.head; i < window.times.length; i++) {
      if (window.values[i] === this.ruleKeys[want]) {
        for (const id of window.ids[i]!) ids.push(id);
        want++;
        if (want === this.spec.ruleCount) return ids;
      }
    }
    return [];
  }

  /** Whether orderedIds() would find a sequence: the same walk, without building the ids (it runs on every hit of the last rule). */
  private inOrder(window: Window): boolean {
    let want = 0;
    for (let i = window.head; i < window.times.length; i++) {
      if (window.values[i] === this.ruleKeys[want] && ++want === this.spec.ruleCount) return true;
    }
    return false;
  }

}
