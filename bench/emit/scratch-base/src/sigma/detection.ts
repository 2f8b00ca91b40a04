// Compiles a rule's `detection` into one matcher closure: search identifiers
// become predicates over an EventView, the condition combines them.
import { OtelAuditError } from '../errors.js';
import { expandPattern, parseCondition, type ConditionNode } from './condition.js';
import { compileField, noteAllValues, type CompiledField, type EventView } from './events.js';
import { lift, MODIFIER_NAMES, MODIFIERS, type ModifierSpec, type Scalar, type Variant } from './modifiers.js';
import { asString, lowerCase, MAX_VARIANTS, stringPredicate, type StringMode } from './values.js';

export type Matcher = (event: EventView) => boolean;

export interface CompileOptions {
  /** Values for `|expand` placeholders: `%name%` → its values. */
  placeholders?: Record<string, string[]>;
}

/** A compiled detection: the matcher and, when the condition requires one, the event names it can match (lower case). */
export interface CompiledDetection {
  match: Matcher;
  eventNames: Set<string> | undefined;
}

/** Raised for a detection that cannot be compiled; `path` is the field path inside the rule. */
export class DetectionError extends OtelAuditError {
  override readonly name = 'DetectionError';
  constructor(
    override readonly path: string,
    reason: string,
  ) {
    super('SIGMA_DETECTION_INVALID', reason, { path });
  }
}

/** The spec 2.1 modifiers the engine implements, plus pySigma's long names for the regex flags (the registry in modifiers.ts). */
export const SUPPORTED_MODIFIERS = MODIFIER_NAMES;

const EVENT_NAME = 'event.name';

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

// allOf and anyOf combine matchers with plain loops: `every((m) => m(event))`
// would allocate a closure per event and matcher, on the engine's hottest path.

/** True when every matcher matches (in order, stopping at the first miss). */
function allOf(matchers: readonly Matcher[]): Matcher {
  if (matchers.length === 1) return matchers[0]!;
  if (matchers.length === 2) {
    const [a, b] = matchers as [Matcher, Matcher];
    return (event) => a(event) && b(event);
  }
  return (event) => {
    for (const matcher of matchers) if (!matcher(event)) return false;
    return true;
  };
}

/** True when some matcher matches (in order, stopping at the first hit). */
function anyOf(matchers: readonly Matcher[]): Matcher {
  if (matchers.length === 1) return matchers[0]!;
  if (matchers.length === 2) {
    const [a, b] = matchers as [Matcher, Matcher];
    return (event) => a(event) || b(event);
  }
  return (event) => {
    for (const matcher of matchers) if (matcher(event)) return true;
    return false;
  };
}

/** A key's modifiers, looked up in the registry once per entry. */
interface ParsedModifiers {
  /** The string mode written, if any. */
  mode: StringMode | undefined;
  all: boolean;
  cased: boolean;
  neq: boolean;
  /** JS RegExp flags, in the order i, m, s. */
  regexFlags: string;
  /** The transformations, in the order written. */
  transforms: Extract<ModifierSpec, { kind: 'transform' }>[];
  /** The value modifier that compiles each value (lowest rank, first written among equals), with its name. */
  value: { name: string; spec: Extract<ModifierSpec, { kind: 'value' }> } | undefined;
  /** The modifier that tests the entry as a whole. */
  entry: Extract<ModifierSpec, { kind: 'entry' }> | undefined;
}

function parseModifiers(modifiers: readonly string[], path: string): ParsedModifiers {
  const parsed: ParsedModifiers = { mode: undefined, all: false, cased: false, neq: false, regexFlags: '', transforms: [], value: undefined, entry: undefined };
  const flags = new Set<string>();
  for (const name of modifiers) {
    const spec = MODIFIERS.get(name);
    if (!spec) throw new DetectionError(path, `unknown modifier "${name}"`);
    switch (spec.kind) {
      case 'mode':
        parsed.mode ??= spec.mode;
        break;
      case 'option':
        parsed[spec.option] = true;
        break;
      case 'regexFlag':
        flags.add(spec.flag);
        break;
      case 'transform':
        parsed.transforms.push(spec);
        break;
      case 'value':
        if (!parsed.value || spec.rank < parsed.value.spec.rank) parsed.value = { name, spec };
        break;
      case 'entry':
        parsed.entry ??= spec;
        break;
    }
  }
  parsed.regexFlags = ['i', 'm', 's'].filter((flag) => flags.has(flag)).join('');
  return parsed;
}

/** Applies the transformations (in the order written) to one value, giving its variants. */
function transformVariants(value: string, parsed: ParsedModifiers, placeholders: CompileOptions['placeholders'], path: string): { variants: string[]; encoded: boolean } {
  let variants: Variant[] = [value];
  let encoded = false;
  const context = { placeholders, fail: (message: string): never => { throw new DetectionError(path, message); } };
  for (const transform of parsed.transforms) {
    variants = variants.flatMap((v) => transform.apply(v, context));
    if (variants.length > MAX_VARIANTS) throw new DetectionError(path, `the modifiers make ${variants.length} variants of this value (at most ${MAX_VARIANTS})`);
    encoded ||= transform.encodes;
  }
  return { variants: variants.map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : v)), encoded };
}

/** Compile options inside this module: `knownNames`, when set, are the (lower-case) event names every event tested is known to have. */
interface InternalOptions extends CompileOptions {
  knownNames?: ReadonlySet<string>;
}

const ALWAYS: Matcher = () => true;

/** Compiles one `field|modifiers: values` entry into a predicate over events. */
function compileItem(key: string, rawValue: unknown, options: InternalOptions, path: string): Matcher {
  const [fieldName = '', ...modifiers] = key.split('|');
  const parsed = parseModifiers(modifiers, path);
  const values: unknown[] = Array.isArray(rawValue) ? rawValue : [rawValue];
  for (const [index, value] of values.entries()) {
    if (!isScalar(value)) throw new DetectionError(`${path}[${index}]`, 'a value must be a string, number, boolean or null');
    if (value === null && values.length > 1) throw new DetectionError(path, 'null cannot appear in a list of values');
  }
  if (parsed.all && values.length < 2) throw new DetectionError(path, '"all" needs a list of at least two values');
  // The engine only tests an indexed rule on events whose name it was indexed
  // under; a plain `event.name` test that every such name passes is then always true.
  const known = options.knownNames;
  if (known && fieldName === EVENT_NAME && modifiers.length === 0) {
    const names = requiredNamesOfMap({ [EVENT_NAME]: rawValue });
    if (names && [...known].every((name) => names.has(name))) return ALWAYS;
  }
  const field: CompiledField | undefined = fieldName === '' ? undefined : compileField(fieldName);
  if (!field) noteAllValues();
  const read = field ? (event: EventView) => event.value(field) : (event: EventView) => event.allValues();
  const failAt = (at: string) => (message: string): never => {
    throw new DetectionError(at, message);
  };

  if (parsed.entry) return parsed.entry.compile(values as Scalar[], { field, fail: failAt(path) });

  const mode: StringMode = parsed.mode ?? (field ? 'eq' : 'contains');
  const { cased } = parsed;
  // The common case, `field: [a, b, c]` without modifiers or wildcards: one set lookup.
  if (field && modifiers.length === 0 && values.length > 1 && values.every((v) => (typeof v === 'string' && !/[*?\\]/.test(v)) || typeof v === 'number' || typeof v === 'boolean')) {
    const set = new Set(values.map((v) => String(v as string).toLowerCase()));
    const test = lift((v) => {
      const text = asString(v);
      return text !== undefined && (set.has(text) || set.has(lowerCase(text)));
    });
    return (event) => test(event.value(field));
  }
  const predicates: Matcher[] = (values as Scalar[]).map((value, index) => {
    const at = Array.isArray(rawValue) ? `${path}[${index}]` : path;
    const modifier = parsed.value;
    if (modifier && (value !== null || modifier.spec.seesNull)) {
      return modifier.spec.compile(value, { name: modifier.name, field, read, mode, cased, regexFlags: parsed.regexFlags, fail: failAt(at) });
    }
    if (value === null) {
      if (!field) throw new DetectionError(at, 'null needs a field');
      return (event) => {
        const v = event.value(field);
        return v === undefined || v === null;
      };
    }
    const text = typeof value === 'string' ? value : String(value);
    const { variants, encoded } = transformVariants(text, parsed, options.placeholders, at);
    // Encoded text is compared as is: case matters in base64 and its wildcards are literal.
    const tests = variants.map((variant) => lift(stringPredicate(variant, mode, cased || encoded, encoded)));
    if (tests.length === 1) {
      const test = tests[0]!;
      return (event) => test(read(event));
    }
    return (event) => {
      const v = read(event);
      for (const test of tests) if (test(v)) return true;
      return false;
    };
  });
  const combined: Matcher = parsed.all ? allOf(predicates) : anyOf(predicates);
  return parsed.neq ? (event) => !combined(event) : combined;
}

/** The event names a search identifier requires, when it names them with plain `event.name` values. */
function requiredNamesOfMap(map: Record<string, unknown>): Set<string> | undefined {
  const value = map[EVENT_NAME];
  const values: unknown[] = Array.isArray(value) ? value : [value];
  if (value === undefined || !values.every((v) => typeof v === 'string' && !/[*?\\]/.test(v))) return undefined;
  return new Set(values.map((v) => (v as string).toLowerCase()));
}

interface Search {
  match: Matcher;
  eventNames: Set<string> | undefined;
}

function compileSearch(name: string, definition: unknown, options: InternalOptions): Search {
  const path = `detection.${name}`;
  const compileMap = (map: Record<string, unknown>, at: string): Matcher => {
    const items = Object.entries(map).map(([key, value]) => compileItem(key, value, options, `${at}.${key}`));
    if (items.length === 0) throw new DetectionError(at, 'an empty search identifier matches nothing');
    return allOf(items);
  };
  if (Array.isArray(definition)) {
    if (definition.length > 0 && definition.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))) {
      const maps = definition as Record<string, unknown>[];
      const matchers = maps.map((map, index) => compileMap(map, `${path}[${index}]`));
      const names = maps.map(requiredNamesOfMap);
      const eventNames = names.every((n) => n !== undefined) ? new Set(names.flatMap((n) => [...n])) : undefined;
      return { match: anyOf(matchers), eventNames };
    }
    if (definition.every(isScalar)) return { match: compileItem('', definition, options, path), eventNames: undefined };
    throw new DetectionError(path, 'a list must hold only maps (ORed) or only values (keywords)');
  }
  if (typeof definition === 'object' && definition !== null) {
    const map = definition as Record<string, unknown>;
    return { match: compileMap(map, path), eventNames: requiredNamesOfMap(map) };
  }
  if (isScalar(definition) && definition !== null) return { match: compileItem('', [definition], options, path), eventNames: undefined };
  throw new DetectionError(path, 'a search identifier must be a map, a list of maps or a list of keywords');
}

function intersect(sets: (Set<string> | undefined)[]): Set<string> | undefined {
  const known = sets.filter((s): s is Set<string> => s !== undefined);
  if (known.length === 0) return undefined;
  return known.reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
}

function union(sets: (Set<string> | undefined)[]): Set<string> | undefined {
  if (sets.some((s) => s === undefined)) return undefined;
  return new Set(sets.flatMap((s) => [...s!]));
}

export function compileCondition(node: ConditionNode, searches: Map<string, Search>, path: string): CompiledDetection {
  const names = [...searches.keys()];
  const lookup = (name: string): Search => {
    const search = searches.get(name);
    if (!search) throw new DetectionError(path, `the condition names "${name}", which is not a search identifier of this detection`);
    return search;
  };
  switch (node.type) {
    case 'id':
      return lookup(node.name);
    case 'not': {
      const inner = compileCondition(node.item, searches, path);
      return { match: (event) => !inner.match(event), eventNames: undefined };
    }
    case 'and':
    case 'or': {
      const parts = node.items.map((item) => compileCondition(item, searches, path));
      const matchers = parts.map((p) => p.match);
      if (node.type === 'and') return { match: allOf(matchers), eventNames: intersect(parts.map((p) => p.eventNames)) };
      return { match: anyOf(matchers), eventNames: union(parts.map((p) => p.eventNames)) };
    }
    case 'of': {
      const selected = expandPattern(node.pattern, names);
      if (selected.length === 0) throw new DetectionError(path, `"${node.pattern}" matches no search identifier`);
      const parts = selected.map(lookup);
      const matchers = parts.map((p) => p.match);
      if (node.quantifier === 'all') return { match: allOf(matchers), eventNames: intersect(parts.map((p) => p.eventNames)) };
      return { match: anyOf(matchers), eventNames: union(parts.map((p) => p.eventNames)) };
    }
  }
}

/**
 * Compiles a rule's (or a filter's) detection section into one matcher.
 * With `knownNames` (lower case), the matcher is only valid for events whose
 * lower-cased `event.name` is one of them, as the engine's name index ensures.
 */
export function compileDetection(detection: Record<string, unknown>, options: CompileOptions = {}, section = 'detection', knownNames?: ReadonlySet<string>): CompiledDetection {
  if (knownNames) options = { ...options, knownNames } as InternalOptions;
  const searches = new Map<string, Search>();
  for (const [name, definition] of Object.entries(detection)) {
    if (name === 'condition' || name === 'timeframe' || name === 'rules') continue;
    try {
      searches.set(name, compileSearch(name, definition, options));
    } catch (error) {
      if (error instanceof DetectionError) throw new DetectionError(error.path.replace(/^detection/, section), error.message);
      throw error;
    }
  }
  const condition = detection.condition;
  const conditions = Array.isArray(condition) ? condition : [condition];
  if (conditions.length === 0 || !conditions.every((c) => typeof c === 'string')) throw new DetectionError(`${section}.condition`, 'the condition must be a string or a list of strings');
  const parts = (conditions).map((text, index) => {
    const at = Array.isArray(condition) ? `${section}.condition[${index}]` : `${section}.condition`;
    let node: ConditionNode;
    try {
      node = parseCondition(text);
    } catch (error) {
      throw new DetectionError(at, (error as Error).message);
    }
    return compileCondition(node, searches, at);
  });
  if (parts.length === 1) return parts[0]!;
  const matchers = parts.map((p) => p.match);
  return { match: anyOf(matchers), eventNames: union(parts.map((p) => p.eventNames)) };
}
