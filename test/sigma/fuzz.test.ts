// Property tests of the rule loader and compiler: arbitrary rule documents
// (random keys, modifiers, values with unicode, wildcards, huge strings, deep
// nesting) either compile or throw an OtelAuditError, never another exception,
// and never take long; and the glob matcher agrees with a naive reference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { OtelAuditError } from '../../src/errors.js';
import { AttributeView } from '../../src/sigma/events.js';
import { parseSigmaText, SigmaEngine, SUPPORTED_MODIFIERS, validateDocuments } from '../../src/sigma/index.js';
import { stringPredicate, type StringMode } from '../../src/sigma/values.js';

/** More runs for a deeper search: SIGMA_FUZZ_RUNS=10 npx vitest run test/sigma/fuzz.test.ts. */
const SCALE = Number(process.env.SIGMA_FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

/** Each run gets this long at most (generous: a shared 2-core machine); a hang fails the run instead of the suite. */
const RUN_BUDGET_MS = 2000;

function expectOnlyOtelAuditErrors(work: () => void): void {
  const started = performance.now();
  try {
    work();
  } catch (error) {
    if (!(error instanceof OtelAuditError)) throw new Error(`expected an OtelAuditError, got ${String(error)}`, { cause: error });
  }
  expect(performance.now() - started).toBeLessThan(RUN_BUDGET_MS);
}

// ---- arbitrary rule documents ----

const globChars = fc.constantFrom('*', '?', '\\', 'a', 'b', 'A', '.', '(', ')', '[', ']', '+', '{', '}', '|', '^', '$', '-', '/', ' ', '%', 'é', '\u212a', '😀');
const stringArb = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: globChars, maxLength: 16 }),
  fc.constantFrom('^(a+)+$', '(?=x)', '(a)\\1', '(?i)admin', 'a{2,}', '[', '::1/128', '10.0.0.0/8', '%admins%', ' -enc /x -y', 'aGVsbG8='),
  fc.tuple(fc.constantFrom('a', '*', '-x ', 'é'), fc.integer({ min: 100, max: 20_000 })).map(([text, count]) => text.repeat(count)),
);
const scalarArb = fc.oneof(stringArb, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const fieldArb = fc.constantFrom('event.name', 'user.id', 'audit.data.x', 'a.b.c', '', 'ünï', '*', 'x y', '__proto__', 'constructor');
const modifierArb = fc.oneof(fc.constantFrom(...SUPPORTED_MODIFIERS), fc.constantFrom('bogus', '', 'RE', 'contains ', '|'));
const keyArb = fc.oneof(fc.tuple(fieldArb, fc.array(modifierArb, { maxLength: 4 })).map(([field, modifiers]) => [field, ...modifiers].join('|')), fc.string({ maxLength: 6 }));
const valueArb = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarArb, fc.array(tie('value'), { maxLength: 4 }), tie('map')),
  map: fc.dictionary(keyArb, tie('value'), { maxKeys: 4 }),
})).value;
/** A value nested `depth` lists or maps deep (yaml.stringify overflows its stack near 1,000; deeper text is tested below). */
const deepArb = fc.tuple(fc.integer({ min: 1, max: 300 }), fc.boolean(), scalarArb).map(([depth, lists, leaf]) => {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = lists ? [value] : { k: value };
  return value;
});
const searchNameArb = fc.constantFrom('selection', 'sel_a', 'sel_b', 'filter', '_x', 'condition', 'timeframe');
const conditionArb = fc.oneof(
  fc.array(fc.constantFrom('selection', 'sel_a', 'sel_b', 'filter', 'and', 'or', 'not', '(', ')', '1 of sel_*', 'all of them', '1 of a*a*a*a*a*b', '|', 'count()', '2 of'), { maxLength: 8 }).map((parts) => parts.join(' ')),
  fc.array(fc.constantFrom('selection', 'sel_a or filter'), { maxLength: 3 }),
  scalarArb,
);
const detectionArb = fc.record({
  searches: fc.dictionary(searchNameArb, fc.oneof(valueArb, deepArb, fc.dictionary(keyArb, valueArb, { maxKeys: 4 }), fc.array(fc.dictionary(keyArb, valueArb, { maxKeys: 3 }), { maxLength: 3 })), { maxKeys: 4 }),
  condition: conditionArb,
}).map(({ searches, condition }) => ({ ...searches, condition }));
const logsourceArb = fc.oneof(fc.record({ product: fc.constantFrom('otel_audit', 'x'), service: fc.constantFrom('audit', 'y') }, { requiredKeys: [] }), scalarArb);
const ruleDocArb = fc.record({
  title: fc.oneof(fc.string({ maxLength: 10 }), scalarArb),
  id: fc.oneof(fc.constantFrom('r1', 'r2'), scalarArb),
  name: fc.constantFrom('n1', 'n2'),
  logsource: logsourceArb,
  detection: fc.oneof(detectionArb, valueArb, deepArb),
  extra: valueArb,
}, { requiredKeys: ['detection'] });
const correlationDocArb = fc.record({
  title: fc.string({ maxLength: 10 }),
  id: fc.constantFrom('c1', 'c2'),
  correlation: fc.oneof(
    fc.record({
      type: fc.constantFrom('event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile', 'bogus'),
      rules: fc.oneof(fc.array(fc.constantFrom('r1', 'r2', 'n1', 'c1', 'nope'), { maxLength: 3 }), scalarArb, valueArb),
      'group-by': fc.oneof(fc.array(fc.constantFrom('user.id', 'client.address'), { maxLength: 2 }), scalarArb, valueArb),
      timespan: fc.oneof(fc.constantFrom('5m', '1h', '0s', '99999999999d'), scalarArb),
      condition: fc.oneof(fc.record({ gte: fc.oneof(fc.integer(), scalarArb), field: fc.oneof(fieldArb, valueArb), percentile: fc.oneof(fc.integer({ min: -5, max: 105 }), scalarArb) }, { requiredKeys: [] }), valueArb),
      aliases: valueArb,
    }, { requiredKeys: [] }),
    valueArb,
  ),
  generate: fc.oneof(fc.boolean(), scalarArb),
}, { requiredKeys: ['correlation'] });
const filterDocArb = fc.record({
  title: fc.string({ maxLength: 10 }),
  logsource: logsourceArb,
  filter: fc.oneof(detectionArb.map((d) => ({ ...d, rules: ['r1'] })), fc.record({ rules: fc.oneof(fc.constantFrom('any', 'r1', 'nope'), valueArb), selection: valueArb, condition: conditionArb }), valueArb),
}, { requiredKeys: ['filter'] });
const documentsArb = fc.array(fc.oneof(ruleDocArb, ruleDocArb, correlationDocArb, filterDocArb, valueArb), { minLength: 1, maxLength: 4 });

/** Events for the compiled rules: random attribute values, the fields rules name. */
const eventArb = fc.dictionary(fc.oneof(fieldArb, fc.string({ maxLength: 4 })), valueArb, { maxKeys: 6 });

describe('rule loader and compiler, arbitrary documents', () => {
  it('load, check and compile, or throw an OtelAuditError; the compiled rules match events without throwing anything else', () => {
    fc.assert(
      fc.property(documentsArb, fc.array(eventArb, { maxLength: 3 }), (documents, events) => {
        const text = documents.map((doc) => stringify(doc, { aliasDuplicateObjects: false })).join('---\n');
        expectOnlyOtelAuditErrors(() => {
          const docs = parseSigmaText(text, 'fuzz.yml');
          validateDocuments(docs);
          const engine = new SigmaEngine(docs);
          const session = engine.session();
          events.forEach((attributes, index) => session.push(new AttributeView(attributes, Date.UTC(2026, 10, 21) + index * 1000, `e${index}`)));
        });
      }),
      { numRuns: runs(200) },
    );
  });

  it('parse any text, or throw an OtelAuditError', () => {
    const yamlish = fc.array(fc.constantFrom('title: x\n', 'detection:\n', '  sel:\n', '    a|re: ', "'(a+)+'\n", '  condition: sel\n', '- ', '&a ', '*a ', '[', ']', '{', '}', ': ', '---\n', '"', "'", '\t', '? ', '!!binary ', '%YAML 1.2\n', 'é'), { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), yamlish), (text) => {
        expectOnlyOtelAuditErrors(() => new SigmaEngine(parseSigmaText(text, 'fuzz.yml')));
      }),
      { numRuns: runs(300) },
    );
  });

  it('refuse deeply nested YAML with an OtelAuditError (no stack overflow)', () => {
    for (const text of ['detection: ' + '['.repeat(20_000), 'detection: ' + '{a: '.repeat(5000), 'a:\n' + Array.from({ length: 2000 }, (_, i) => ' '.repeat(i + 1) + '- x').join('\n')]) {
      expectOnlyOtelAuditErrors(() => new SigmaEngine(parseSigmaText(text, 'deep.yml')));
    }
  });
});

// ---- globs against a reference ----

type Unit = { kind: 'star' } | { kind: 'any' } | { kind: 'char'; code: number };

/** The reference: Sigma's escapes read again here (`\*`, `\?`, `\\`; any other backslash is literal). */
function referenceUnits(pattern: string): Unit[] {
  const units: Unit[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    const next = pattern[i + 1];
    if (char === '\\' && (next === '*' || next === '?' || next === '\\')) units.push({ kind: 'char', code: pattern.charCodeAt(++i) });
    else if (char === '*') units.push({ kind: 'star' });
    else if (char === '?') units.push({ kind: 'any' });
    else units.push({ kind: 'char', code: pattern.charCodeAt(i) });
  }
  return units;
}

/** A naive recursive glob match over UTF-16 code units: exponential, fine for short inputs. */
function naiveMatch(units: readonly Unit[], text: string, p = 0, i = 0): boolean {
  if (p === units.length) return i === text.length;
  const unit = units[p]!;
  if (unit.kind === 'star') {
    for (let k = i; k <= text.length; k++) if (naiveMatch(units, text, p + 1, k)) return true;
    return false;
  }
  if (i >= text.length) return false;
  if (unit.kind === 'any' || text.charCodeAt(i) === unit.code) return naiveMatch(units, text, p + 1, i + 1);
  return false;
}

/** What Sigma says a value with a mode matches: both sides lower-cased unless cased, then the glob (with stars for the mode). */
function reference(pattern: string, mode: StringMode, cased: boolean, text: string): boolean {
  const units = referenceUnits(cased ? pattern : pattern.toLowerCase());
  const star: Unit = { kind: 'star' };
  const full = [...(mode === 'contains' || mode === 'endswith' ? [star] : []), ...units, ...(mode === 'contains' || mode === 'startswith' ? [star] : [])];
  return naiveMatch(full, cased ? text : text.toLowerCase());
}

const alphabet = fc.constantFrom('a', 'b', 'A', 'B', 'ab', '*', '?', '\\', 'é', 'É', 'İ', '\u212a', 'k', 'Σ', 'ς', '😀', '\n');
const patternArb = fc.array(alphabet, { maxLength: 8 }).map((parts) => parts.join(''));
const textArb = fc.array(fc.constantFrom('a', 'b', 'A', 'B', '*', '?', '\\', 'é', 'É', 'İ', '\u212a', 'K', 'σ', 'Σ', '😀', '\ud83d', '\n'), { maxLength: 12 }).map((parts) => parts.join(''));

describe('glob matching', () => {
  it('agrees with a naive recursive matcher for every mode, cased or not', () => {
    fc.assert(
      fc.property(patternArb, fc.constantFrom<StringMode>('eq', 'contains', 'startswith', 'endswith'), fc.boolean(), fc.array(textArb, { minLength: 1, maxLength: 8 }), (pattern, mode, cased, texts) => {
        const predicate = stringPredicate(pattern, mode, cased);
        for (const text of texts) expect(predicate(text), JSON.stringify({ pattern, mode, cased, text })).toBe(reference(pattern, mode, cased, text));
      }),
      { numRuns: runs(3000) },
    );
  });

  it('agrees on texts built from the pattern itself (where matches are likely)', () => {
    fc.assert(
      fc.property(patternArb, fc.constantFrom<StringMode>('eq', 'contains', 'startswith', 'endswith'), fc.boolean(), textArb, textArb, (pattern, mode, cased, before, after) => {
        const filled = pattern.replace(/\\([*?\\])/g, '$1').replaceAll('*', before.slice(0, 3)).replaceAll('?', 'x');
        for (const text of [filled, before + filled + after, filled.toUpperCase()]) {
          expect(stringPredicate(pattern, mode, cased)(text), JSON.stringify({ pattern, mode, cased, text })).toBe(reference(pattern, mode, cased, text));
        }
      }),
      { numRuns: runs(2000) },
    );
  });

  it('stays fast on adversarial patterns and long texts', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('*', 'a', '?', 'a*', '*a?'), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1000, max: 100_000 }), fc.constantFrom('a', 'b', 'ab'), (parts, length, tail) => {
        const predicate = stringPredicate(parts.join('') + 'b', 'eq', false);
        const started = performance.now();
        predicate('a'.repeat(length) + tail);
        expect(performance.now() - started).toBeLessThan(500);
      }),
      { numRuns: runs(200) },
    );
  });
});
