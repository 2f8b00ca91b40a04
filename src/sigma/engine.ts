// The engine: a rule pack compiled once (detections, filters, correlations)
// and run over events. Detection rules are indexed by the event names their
// condition requires, so an event is only tested against rules that can match it.
import { compileField, readEventViews, recordFields, type CompiledField, type EventView, type JsonLineReader } from './events.js';
import { flatRecordReader } from './lines.js';
import { compileDetection, DetectionError, type CompileOptions, type Matcher } from './detection.js';
import { CorrelationState, parseTimespan, type CorrelationFire } from './correlation.js';
import { loadSigmaDocuments, parseSigmaText } from './parse.js';
import { lowerCase } from './values.js';
import { SigmaError, type CorrelationCondition, type CorrelationType, type SigmaSource, type SigmaCorrelationRule, type SigmaDetectionRule, type SigmaDocument, type SigmaFilter, type SigmaLogsource } from './types.js';
import { InputError } from '../errors.js';

export interface SigmaMatch {
  kind: 'detection' | 'correlation';
  ruleId: string | undefined;
  title: string;
  level: string | undefined;
  file: string;
  /** Ids of the matching events (for a correlation, every event in its window). */
  eventIds: string[];
  /** Time (ms since the epoch) of the event that completed the match. */
  time: number | undefined;
  /** For a correlation, the group-by values. */
  group?: Record<string, unknown>;
}

export interface EngineOptions extends CompileOptions {
  /** `event.domain` for canonical events that carry none (the catalog's domain). */
  domain?: string;
  /** Also report detection rules that only feed correlations (`generate: false`). */
  emitAll?: boolean;
}

interface CompiledRule {
  rule: SigmaDetectionRule;
  file: string;
  /** Valid for events whose lower-cased event.name is in `eventNames` (when set): the index only hands it those. */
  match: Matcher;
  eventNames: Set<string> | undefined;
  emit: boolean;
  /** Correlations that reference this rule, with the rule's index in each. */
  feeds: Feed[];
}

/** A link from a rule (or correlation) to a correlation that references it, with the fields it reads compiled. */
interface Feed {
  correlation: CompiledCorrelation;
  ruleIndex: number;
  /** Group-by field names after aliases, and compiled for reading events. */
  groupNames: string[];
  groupFields: CompiledField[];
  countedName: string | undefined;
  countedField: CompiledField | undefined;
}

interface CompiledCorrelation {
  /** Position in the engine's `correlations`, which indexes a session's states. */
  index: number;
  rule: SigmaCorrelationRule;
  file: string;
  source: SigmaSource;
  state: () => CorrelationState;
  emit: boolean;
  feeds: Feed[];
  groupBy: string[];
  field: string | undefined;
  /** Field name (after aliases) per referenced rule index. */
  fieldFor: (ruleIndex: number, field: string) => string;
}

const NONE: readonly never[] = Object.freeze([]);

function sameLogsource(a: SigmaLogsource, b: SigmaLogsource): boolean {
  return (['category', 'product', 'service'] as const).every((key) => (a[key] ?? '') === (b[key] ?? ''));
}

function asList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v as string));
  return typeof value === 'string' && value !== 'any' ? [value] : [];
}

const SUPPORTED_TYPES: readonly CorrelationType[] = ['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile'];

/**
 * Checks what value_sum, value_avg and value_percentile need beyond the schema
 * and returns value_percentile's percentile. The spec names no key for which
 * percentile to take; pySigma reads `percentile:` (an integer) in the condition
 * and refuses to convert a value_percentile rule without it, so this does too.
 */
function numericCorrelation(file: SigmaSource, type: CorrelationType, condition: CorrelationCondition | undefined, field: string | undefined): number | undefined {
  if (type !== 'value_sum' && type !== 'value_avg' && type !== 'value_percentile') return undefined;
  if (!field) throw new SigmaError(file, 'correlation.condition.field', `${type} needs one field (a string) whose numbers it aggregates`);
  if (!(['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const).some((op) => typeof condition?.[op] === 'number')) {
    throw new SigmaError(file, 'correlation.condition', `${type} needs a comparison (gt, gte, lt, lte, eq or neq)`);
  }
  if (type !== 'value_percentile') return undefined;
  const percentile = condition?.percentile;
  if (percentile === undefined) throw new SigmaError(file, 'correlation.condition.percentile', 'value_percentile needs percentile: which percentile (0-100) of the field to compare, e.g. percentile: 95');
  if (!Number.isInteger(percentile) || percentile < 0 || percentile > 100) throw new SigmaError(file, 'correlation.condition.percentile', `"${String(percentile)}" is not an integer from 0 to 100`);
  return percentile;
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** What the engine reads of a correlation beyond type and timespan, checked before it is read: lists of strings, maps of maps of strings. */
function checkCorrelationShape(source: SigmaSource, c: SigmaCorrelationRule['correlation']): void {
  if (!isStringList(c.rules) || c.rules.length === 0) throw new SigmaError(source, 'correlation.rules', 'must be a list of rule ids or names');
  if (c['group-by'] !== undefined && !isStringList(c['group-by'])) throw new SigmaError(source, 'correlation.group-by', 'must be a list of field names');
  if (c.condition !== undefined && (typeof c.condition !== 'object' || c.condition === null || Array.isArray(c.condition))) throw new SigmaError(source, 'correlation.condition', 'must be a map (gte: 10, field: ...)');
  const aliases: unknown = c.aliases;
  if (aliases === undefined) return;
  const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isMap(aliases)) throw new SigmaError(source, 'correlation.aliases', 'must be a map of alias → {rule: field}');
  for (const [alias, fields] of Object.entries(aliases)) {
    if (!isMap(fields) || !Object.values(fields).every((f) => typeof f === 'string')) throw new SigmaError(source, `correlation.aliases.${alias}`, 'must map rule names to field names');
  }
}

function wrap(source: SigmaSource, error: unknown): never {
  if (error instanceof DetectionError) throw new SigmaError(source, error.path, error.message);
  if (error instanceof SigmaError) throw error;
  throw new SigmaError(source, `document ${source.document}`, (error as Error).message);
}

/** Compiles the rules, filters and correlations of a pack, and indexes the rules by event name. */
function compilePack(documents: readonly SigmaDocument[], options: EngineOptions): { rules: CompiledRule[]; correlations: CompiledCorrelation[]; byName: Map<string, CompiledRule[]>; unindexed: CompiledRule[] } {
  const byName = new Map<string, CompiledRule[]>();
  const unindexed: CompiledRule[] = [];
  const rules: CompiledRule[] = [];
  const correlations: CompiledCorrelation[] = [];
  const filters: { filter: SigmaFilter; source: SigmaSource; match: Matcher }[] = [];
  for (const doc of documents) {
    try {
      if (doc.kind === 'rule') {
        const { eventNames } = compileDetection(doc.rule.detection, options);
        // Compiled again knowing the names it is indexed under, so it does not re-test event.name.
        const { match } = eventNames ? compileDetection(doc.rule.detection, options, 'detection', eventNames) : compileDetection(doc.rule.detection, options);
        rules.push({ rule: doc.rule, file: doc.source.file, match, eventNames, emit: true, feeds: [] });
      } else if (doc.kind === 'filter') {
        const { rules: _targets, ...detection } = doc.rule.filter;
        filters.push({ filter: doc.rule, source: doc.source, match: compileDetection(detection, options, 'filter').match });
      }
    } catch (error) {
      wrap(doc.source, error);
    }
  }
  for (const doc of documents) {
    if (doc.kind !== 'correlation') continue;
    const c = doc.rule.correlation;
    const timespanMs = parseTimespan(String(c?.timespan));
    if (typeof c !== 'object' || c === null || timespanMs === undefined) throw new SigmaError(doc.source, 'correlation.timespan', `"${String(c?.timespan)}" is not a timespan (a number and s, m, h or d)`);
    if (!SUPPORTED_TYPES.includes(c.type)) {
      throw new SigmaError(doc.source, 'correlation.type', `"${c.type}" is not supported by this engine (${SUPPORTED_TYPES.join(', ')})`);
    }
    checkCorrelationShape(doc.source, c);
    const field = typeof c.condition?.field === 'string' ? c.condition.field : undefined;
    if (c.type === 'value_count' && !field) throw new SigmaError(doc.source, 'correlation.condition.field', 'value_count needs the field whose distinct values it counts');
    const percentile = numericCorrelation(doc.source, c.type, c.condition, field);
    const spec = { type: c.type, ruleCount: c.rules.length, groupBy: c['group-by'] ?? [], timespanMs, condition: c.condition, field, percentile };
    const aliases = c.aliases ?? {};
    const names = c.rules;
    correlations.push({
      index: correlations.length,
      rule: doc.rule,
      file: doc.source.file,
      source: doc.source,
      state: () => new CorrelationState(spec),
      emit: true,
      feeds: [],
      groupBy: spec.groupBy,
      field,
      fieldFor: (ruleIndex, f) => (Object.hasOwn(aliases, f) && Object.hasOwn(aliases[f]!, names[ruleIndex]!) ? aliases[f]![names[ruleIndex]!]! : f),
    });
  }
  const findRule = (ref: string) => rules.find((r) => r.rule.id === ref || r.rule.name === ref);
  const findCorrelation = (ref: string) => correlations.find((r) => r.rule.id === ref || r.rule.name === ref);
  for (const correlation of correlations) {
    correlation.rule.correlation.rules.forEach((ref, ruleIndex) => {
      const target = findRule(ref) ?? findCorrelation(ref);
      if (!target) throw new SigmaError(correlation.source, `correlation.rules[${ruleIndex}]`, `no rule or correlation has the id or name "${ref}"`);
      const groupNames = correlation.groupBy.map((f) => correlation.fieldFor(ruleIndex, f));
      const countedName = correlation.field === undefined ? undefined : correlation.fieldFor(ruleIndex, correlation.field);
      target.feeds.push({ correlation, ruleIndex, groupNames, groupFields: groupNames.map(compileField), countedName, countedField: countedName === undefined ? undefined : compileField(countedName) });
      if (!correlation.rule.generate && !options.emitAll) target.emit = false;
    });
  }
  for (const { filter, source, match } of filters) {
    const targets = asList(filter.filter.rules);
    for (const rule of rules) {
      const named = targets.length === 0 || targets.includes(rule.rule.id ?? '') || targets.includes(rule.rule.name ?? '');
      if (!named || !sameLogsource(filter.logsource ?? {}, rule.rule.logsource ?? {})) continue;
      const inner = rule.match;
      rule.match = (event) => inner(event) && match(event);
    }
    if (targets.length > 0 && !targets.some((t) => rules.some((r) => r.rule.id === t || r.rule.name === t))) {
      throw new SigmaError(source, 'filter.rules', `none of ${targets.join(', ')} is a rule in the pack`);
    }
  }
  for (const rule of rules) {
    if (!rule.eventNames) {
      unindexed.push(rule);
      continue;
    }
    for (const name of rule.eventNames) {
      const list = byName.get(name) ?? [];
      list.push(rule);
      byName.set(name, list);
    }
  }
  return { rules, correlations, byName, unindexed };
}

/** A compiled rule pack. Stateless for single events; `session()` keeps correlation state. */
export class SigmaEngine {
  private readonly byName: Map<string, CompiledRule[]>;
  private readonly unindexed: CompiledRule[];
  /** Every field the rules, filters and correlations read, and event.name (the rule index reads it), compiled by this engine (compileField). */
  readonly fields: readonly CompiledField[];
  /** Whether a rule has a keyword search, which reads every value of an event. */
  readonly readsAllValues: boolean;
  private lineReader: JsonLineReader | undefined;
  /** event.name, compiled with the rules' fields (so with a slot of this engine). */
  private readonly eventName: CompiledField;
  readonly rules: readonly CompiledRule[];
  readonly correlations: readonly CompiledCorrelation[];

  constructor(
    documents: readonly SigmaDocument[],
    readonly options: EngineOptions = {},
  ) {
    const { result, fields, allValues } = recordFields(() => ({ ...compilePack(documents, options), eventName: compileField('event.name') }));
    this.eventName = result.eventName;
    this.rules = result.rules;
    this.correlations = result.correlations;
    this.byName = result.byName;
    this.unindexed = result.unindexed;
    this.fields = fields;
    this.readsAllValues = allValues;
  }

  /**
   * A reader of JSON lines (readEvents' `fast`) that decodes only the fields
   * these rules read from flat attribute records; undefined when a rule has a
   * keyword search, which needs every value.
   */
  jsonLineReader(): JsonLineReader | undefined {
    if (this.readsAllValues) return undefined;
    return (this.lineReader ??= flatRecordReader(this.fields));
  }

  static fromPaths(paths: readonly string[], options: EngineOptions = {}): SigmaEngine {
    return new SigmaEngine(loadSigmaDocuments(paths), options);
  }

  static fromText(text: string, options: EngineOptions = {}): SigmaEngine {
    return new SigmaEngine(parseSigmaText(text), options);
  }

  /** The detection rules (after filters) that match one event, correlations aside. */
  matchingRules(event: EventView): readonly CompiledRule[] {
    const indexed = this.candidates(event);
    // Most events match nothing: allocate only on a match, and at the size of one
    // (`[]` then push() would reserve room for 17).
    let result: CompiledRule[] | undefined;
    if (indexed) for (const rule of indexed) if (rule.match(event)) result = result === undefined ? [rule] : (result.push(rule), result);
    for (const rule of this.unindexed) if (rule.match(event)) result = result === undefined ? [rule] : (result.push(rule), result);
    return result ?? NONE;
  }

  /** The rules indexed under the event's name (the unindexed ones apply to every event). */
  candidates(event: EventView): readonly CompiledRule[] | undefined {
    const name = event.value(this.eventName);
    return typeof name === 'string' ? this.byName.get(lowerCase(name)) : undefined;
  }

  get unindexedRules(): readonly CompiledRule[] {
    return this.unindexed;
  }

  /** A stream over which correlations keep their state. Events must arrive in time order. */
  session(): SigmaSession {
    return new SigmaSession(this);
  }

  /** Runs events (sorted by time first, stably) through a fresh session. */
  run(events: readonly EventView[]): SigmaMatch[] {
    const sorted = [...events].sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
    const session = this.session();
    return sorted.flatMap((event) => session.push(event));
  }

  /** Reads events from text (see readEventViews) and runs them. */
  runText(text: string, source: string): SigmaMatch[] {
    return this.run(readEventViews(text, source, this.options.domain));
  }
}

export class SigmaSession {
  /** Correlation states, by the correlation's index in the engine (an array: no map lookup per hit). */
  private readonly states: (CorrelationState | undefined)[] = [];
  /** The current push's matches so far (the first `count` slots), copied into an exact-size array at its end. */
  private readonly buffer: SigmaMatch[] = [];
  private count = 0;

  constructor(private readonly engine: SigmaEngine) {}

  push(event: EventView): SigmaMatch[] {
    // Rules are tested and their matches built in one pass, in the order
    // matchingRules() would list them, without an array of matching rules between.
    // Matches gather in a reused buffer and the result is an exact-size copy:
    // `[]` and push() would reserve room for 17 on the first push.
    this.count = 0;
    let ids: string[] | undefined; // one array per event, shared by its matches
    const indexed = this.engine.candidates(event);
    if (indexed !== undefined) {
      for (let i = 0; i < indexed.length; i++) {
        const rule = indexed[i]!;
        if (rule.match(event)) ids = this.matched(rule, event, ids);
      }
    }
    const unindexed = this.engine.unindexedRules;
    for (let i = 0; i < unindexed.length; i++) {
      const rule = unindexed[i]!;
      if (rule.match(event)) ids = this.matched(rule, event, ids);
    }
    const count = this.count;
    if (count === 0) return [];
    if (count === 1) return [this.buffer[0]!];
    return this.buffer.slice(0, count);
  }

  private emit(match: SigmaMatch): void {
    this.buffer[this.count++] = match;
  }

  /** Records one rule's match: its detection match (if it emits) and a hit for each correlation it feeds. Returns the event's ids array. */
  private matched(rule: CompiledRule, event: EventView, eventIds: string[] | undefined): string[] {
    const feeds = rule.feeds;
    // Checked before anything is emitted or fed, so a refused event leaves this rule's correlations as they were.
    if (feeds.length > 0 && event.time === undefined) throw new InputError(`event ${event.id ?? '(no id)'} has no time; correlation "${feeds[0]!.correlation.rule.title}" needs one`);
    const ids = eventIds ?? (event.id === undefined ? [] : [event.id]);
    if (rule.emit) this.emit({ kind: 'detection', ruleId: rule.rule.id, title: rule.rule.title, level: rule.rule.level, file: rule.file, eventIds: ids, time: event.time });
    for (let i = 0; i < feeds.length; i++) {
      const feed = feeds[i]!;
      const time = event.time!;
      const fields = feed.groupFields;
      const counted = feed.countedField ? event.value(feed.countedField) : undefined;
      if (fields.length === 1) {
        // One group-by field (the usual case): its value alone, no group array per hit.
        this.feedOne(feed.correlation, feed.ruleIndex, time, ids, event.value(fields[0]!) ?? null, counted);
        continue;
      }
      // An exact-size array: `[]` and push() would reserve room for 17.
      const group = new Array<unknown>(fields.length);
      for (let f = 0; f < fields.length; f++) group[f] = event.value(fields[f]!) ?? null;
      this.feed(feed.correlation, feed.ruleIndex, time, ids, group, counted);
    }
    return ids;
  }

  private state(correlation: CompiledCorrelation): CorrelationState {
    let state = this.states[correlation.index];
    if (state === undefined) this.states[correlation.index] = state = correlation.state();
    return state;
  }

  private feed(correlation: CompiledCorrelation, ruleIndex: number, time: number, eventIds: string[], group: unknown[], counted: unknown): void {
    const fire = this.state(correlation).push(ruleIndex, time, eventIds, group, counted);
    if (fire) this.fired(correlation, fire);
  }

  private feedOne(correlation: CompiledCorrelation, ruleIndex: number, time: number, eventIds: string[], value: unknown, counted: unknown): void {
    const fire = this.state(correlation).pushOne(ruleIndex, time, eventIds, value, counted);
    if (fire) this.fired(correlation, fire);
  }

  /** Reports a correlation's fire and feeds it to the correlations that reference it. */
  private fired(correlation: CompiledCorrelation, fire: CorrelationFire): void {
    const rule = correlation.rule;
    if (correlation.emit) this.emit({ kind: 'correlation', ruleId: rule.id, title: rule.title, level: rule.level, file: correlation.file, eventIds: fire.eventIds, time: fire.time, group: fire.group });
    for (const feed of correlation.feeds) {
      const higher = feed.groupNames.map((name) => fire.group[name] ?? null);
      const value = feed.countedName === undefined ? undefined : fire.group[feed.countedName];
      this.feed(feed.correlation, feed.ruleIndex, fire.time, fire.eventIds, higher, value);
    }
  }
}
