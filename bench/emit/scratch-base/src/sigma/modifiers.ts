// The Sigma value modifiers, like pySigma's `modifier_mapping`: one entry per
// name, saying what kind of modifier it is and carrying its implementation.
// detection.ts looks each modifier of a `field|mod|mod` key up here while it
// compiles the rule; nothing here runs per event except the matchers the
// implementations return. Adding a modifier is adding its entry to MODIFIER_TABLE
// (its name then appears in SUPPORTED_MODIFIERS, in table order).
import type { Matcher } from './detection.js';
import { compileField, type CompiledField, type EventView } from './events.js';
import { compileRegex } from './regex.js';
import {
  base64,
  base64Offsets,
  cidrPredicate,
  numberPredicate,
  stringPredicate,
  timePart,
  utf16,
  windashVariants,
  type StringMode,
  type TimePart,
  type ValuePredicate,
} from './values.js';

export type Scalar = string | number | boolean | null;

/** A value on its way through the transformations: text, or bytes once encoded (utf16 and friends). */
export type Variant = string | Buffer;

/** Any element of an array value matches; so `tags: admin` matches `tags: [dev, admin]`. */
export function lift(predicate: ValuePredicate): ValuePredicate {
  return (value) => (Array.isArray(value) ? value.some(predicate) : predicate(value));
}

export interface TransformContext {
  /** Values for `|expand` placeholders. */
  placeholders: Record<string, string[]> | undefined;
  /** Throws a DetectionError at the value's path. */
  fail: (message: string) => never;
}

export interface ValueContext {
  /** The modifier as written, for error messages. */
  name: string;
  field: CompiledField | undefined;
  /** The field's value, or every value of the event for keywords. */
  read: (event: EventView) => unknown;
  mode: StringMode;
  cased: boolean;
  /** The regexFlag modifiers as JS RegExp flag letters, in the order i, m, s (regex.ts maps them to RE2's). */
  regexFlags: string;
  /** Throws a DetectionError at the value's path. */
  fail: (message: string) => never;
}

export interface EntryContext {
  field: CompiledField | undefined;
  /** Throws a DetectionError at the entry's path. */
  fail: (message: string) => never;
}

export type ModifierSpec =
  /** How strings compare; the first one written wins. Without one: equality for a field, contains for keywords. */
  | { kind: 'mode'; mode: Exclude<StringMode, 'eq'> }
  /** An option of the whole `field|...: values` entry (read by compileItem). */
  | { kind: 'option'; option: 'all' | 'cased' | 'neq' }
  /** A flag that `re` compiles its pattern with (i, m, s: case-insensitive, multi-line, dot matches newline). */
  | { kind: 'regexFlag'; flag: 'i' | 'm' | 's' }
  /**
   * Turns each string variant of a value into one or more, in the order written;
   * the value matches when any variant does. `encodes`: the variants are then
   * compared as they are, case-sensitively and with no wildcards.
   */
  | { kind: 'transform'; encodes: boolean; apply: (value: Variant, context: TransformContext) => Variant | Variant[] }
  /**
   * Compiles each value into its own matcher instead of the string comparison.
   * Of several written, the lowest rank compiles (the first written among equal
   * ranks). `seesNull`: a null value goes to `compile` (which rejects it);
   * otherwise null means "the field is missing or null", as with no modifier.
   */
  | { kind: 'value'; rank: number; seesNull: boolean; compile: (value: Scalar, context: ValueContext) => Matcher }
  /** Tests the entry as a whole; the entry's other modifiers are ignored. */
  | { kind: 'entry'; compile: (values: readonly Scalar[], context: EntryContext) => Matcher };

const timeModifier = (part: TimePart): ModifierSpec => ({
  kind: 'value',
  rank: 1,
  seesNull: true,
  compile: (value, { name, read, fail }) => {
    if (typeof value !== 'number') return fail(`"${name}" takes a number`);
    const test = lift((v) => timePart(v, part) === value);
    return (event) => test(read(event));
  },
});

const compareModifier = (operator: 'lt' | 'lte' | 'gt' | 'gte'): ModifierSpec => ({
  kind: 'value',
  rank: 2,
  seesNull: true,
  compile: (value, { name, read, fail }) => {
    if (typeof value !== 'number') return fail(`"${name}" takes a number`);
    const test = lift(numberPredicate(operator, value));
    return (event) => test(read(event));
  },
});

const regexFlag = (flag: 'i' | 'm' | 's'): ModifierSpec => ({ kind: 'regexFlag', flag });

// The order is SUPPORTED_MODIFIERS' order, which is public API: append new entries.
const MODIFIER_TABLE = [
  ['contains', { kind: 'mode', mode: 'contains' }],
  ['startswith', { kind: 'mode', mode: 'startswith' }],
  ['endswith', { kind: 'mode', mode: 'endswith' }],
  // Every value must match, not any; a single value is an error.
  ['all', { kind: 'option', option: 'all' }],
  // `field|exists: true|false`: whether the field is there and not null.
  ['exists', {
    kind: 'entry',
    compile: (values, { field, fail }) => {
      const wanted = values[0];
      if (typeof wanted !== 'boolean' || values.length !== 1) return fail('"exists" takes true or false');
      if (!field) return fail('"exists" needs a field');
      return (event) => {
        const value = event.value(field);
        return (value !== undefined && value !== null) === wanted;
      };
    },
  }],
  ['cased', { kind: 'option', option: 'cased' }],
  // Negates the whole entry (so a missing field matches).
  ['neq', { kind: 'option', option: 'neq' }],
  // RE2 syntax and semantics, matched in linear time (regex.ts); inline flags such as a leading (?i) are RE2's own.
  ['re', {
    kind: 'value',
    rank: 4,
    seesNull: false,
    compile: (value, { read, regexFlags, fail }) => {
      if (typeof value !== 'string') return fail('"re" takes a string');
      let regex: (text: string) => boolean;
      try {
        regex = compileRegex(value, regexFlags);
      } catch (error) {
        return fail((error as Error).message);
      }
      const test = lift((v) => typeof v === 'string' ? regex(v) : (typeof v === 'number' || typeof v === 'boolean') && regex(String(v)));
      return (event) => test(read(event));
    },
  }],
  // Regex flags, with pySigma's long names as aliases.
  ['i', regexFlag('i')],
  ['m', regexFlag('m')],
  ['s', regexFlag('s')],
  ['ignorecase', regexFlag('i')],
  ['multiline', regexFlag('m')],
  ['dotall', regexFlag('s')],
  ['base64', { kind: 'transform', encodes: true, apply: (v) => base64(v) }],
  // The three encodings of the value at byte offsets 0, 1 and 2 inside longer base64 text.
  ['base64offset', { kind: 'transform', encodes: true, apply: (v) => base64Offsets(Buffer.isBuffer(v) ? v : Buffer.from(v)) }],
  ['utf16le', { kind: 'transform', encodes: false, apply: (v) => utf16(String(v), 'le') }],
  ['utf16be', { kind: 'transform', encodes: false, apply: (v) => utf16(String(v), 'be') }],
  // UTF-16 LE with a byte order mark.
  ['utf16', { kind: 'transform', encodes: false, apply: (v) => utf16(String(v), 'bom') }],
  ['wide', { kind: 'transform', encodes: false, apply: (v) => utf16(String(v), 'le') }],
  // Each option character (- or / after whitespace) in every dash form: -, /, en, em and horizontal bar.
  ['windash', {
    kind: 'transform',
    encodes: false,
    apply: (v, { fail }) => {
      try {
        return windashVariants(String(v));
      } catch (error) {
        return fail((error as Error).message);
      }
    },
  }],
  // Numeric comparisons; numeric strings in the event count as numbers.
  ['lt', compareModifier('lt')],
  ['lte', compareModifier('lte')],
  ['gt', compareModifier('gt')],
  ['gte', compareModifier('gte')],
  // UTC parts of a timestamp (ISO string, epoch ms or ns digit string) equal to the value.
  ['minute', timeModifier('minute')],
  ['hour', timeModifier('hour')],
  ['day', timeModifier('day')],
  ['week', timeModifier('week')],
  ['month', timeModifier('month')],
  ['year', timeModifier('year')],
  ['cidr', {
    kind: 'value',
    rank: 3,
    seesNull: false,
    compile: (value, { read, fail }) => {
      let test: ValuePredicate;
      try {
        test = lift(cidrPredicate(String(value)));
      } catch (error) {
        return fail((error as Error).message);
      }
      return (event) => test(read(event));
    },
  }],
  // `%name%` placeholders become each of their values (CompileOptions.placeholders).
  ['expand', { kind: 'transform', encodes: false, apply: (v, { placeholders, fail }) => expandPlaceholders(String(v), placeholders, fail) }],
  // The value names another field of the same event, whose value is compared with the mode and `cased`.
  ['fieldref', {
    kind: 'value',
    rank: 0,
    seesNull: true,
    compile: (value, { read, mode, cased, fail }) => {
      if (typeof value !== 'string') return fail('"fieldref" takes a field name');
      const other = compileField(value);
      return (event) => {
        const expected = event.value(other);
        if (typeof expected !== 'string' && typeof expected !== 'number' && typeof expected !== 'boolean') return false;
        const test = lift(stringPredicate(String(expected), mode, cased, true));
        return test(read(event));
      };
    },
  }],
] as const satisfies readonly (readonly [string, ModifierSpec])[];

function expandPlaceholders(value: string, placeholders: Record<string, string[]> | undefined, fail: (message: string) => never): string[] {
  let results = [value];
  for (const match of value.matchAll(/%([^%]+)%/g)) {
    const name = match[1]!;
    const values = placeholders?.[name];
    if (!values) return fail(`placeholder %${name}% has no values (pass it in the compile options' placeholders)`);
    results = results.flatMap((r) => values.map((v) => r.replaceAll(`%${name}%`, v)));
  }
  return results;
}

function namesOf<const T extends readonly (readonly [string, unknown])[]>(table: T): { readonly [K in keyof T]: T[K][0] } {
  return table.map(([name]) => name) as never;
}

/** Every modifier's name, in table order. */
export const MODIFIER_NAMES = namesOf(MODIFIER_TABLE);

/** Every modifier by name. */
export const MODIFIERS: ReadonlyMap<string, ModifierSpec> = new Map<string, ModifierSpec>(MODIFIER_TABLE);
