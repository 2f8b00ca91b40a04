// Runs the pack's own tests (sigma/tests/*.yml): for each rule, events it must
// match and events it must not. A case is one canonical event, or
// `{sequence: [...]}` of events for correlations, where an item may be
// `{repeat: n, every: 30s, event: {...}}` to write a burst compactly.
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../package-root.js';
import { parseTimespan } from './correlation.js';
import { SigmaEngine, type EngineOptions } from './engine.js';
import { eventTime, viewOfCanonical, type PartialCanonicalEvent } from './events.js';
import { listYamlFiles, loadSigmaDocuments, readUtf8File } from './parse.js';
import { SigmaError } from './types.js';
import { InputError } from '../errors.js';

export interface RuleTestFile {
  rule: string;
  match?: unknown[];
  nomatch?: unknown[];
}

export interface RuleTestResult {
  file: string;
  rule: string;
  ruleId: string;
  case: string;
  expected: 'match' | 'nomatch';
  ok: boolean;
  matched: string[];
}

const DEFAULT_TIME = '2026-11-21T10:00:00Z';

// The keys a case's event may have: the canonical event's (schemas/event.schema.json) plus `domain`.
// Anything else is refused: a stray key such as `event:` (a repeat item without `repeat`) would
// otherwise become an event field no rule reads, and a `nomatch` case would pass without testing anything.
const eventSchema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'event.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
const EVENT_KEYS = new Set([...Object.keys(eventSchema.properties), 'domain']);
const REPEAT_KEYS = new Set(['repeat', 'every', 'event']);
/** Events one case may expand to: a correlation test needs tens; a billion would never finish. */
const MAX_CASE_EVENTS = 10_000;

function checkKeys(record: Record<string, unknown>, allowed: Set<string>, what: string, fail: (reason: string) => never): void {
  for (const key of Object.keys(record)) {
    if (!allowed.has(key)) fail(`${what} has an unknown key "${key}"; allowed: ${[...allowed].join(', ')}`);
  }
}

/** Expands one case into its canonical events, with ids and times filled in. */
export function caseEvents(testCase: unknown, where: string): PartialCanonicalEvent[] {
  const fail = (reason: string): never => {
    throw new SigmaError(where, '', reason);
  };
  if (typeof testCase !== 'object' || testCase === null) return fail('a case is an event or {sequence: [...]}');
  const items = 'sequence' in testCase ? (testCase).sequence : [testCase];
  if (!Array.isArray(items)) return fail('sequence must be a list');
  const events: PartialCanonicalEvent[] = [];
  const checkEvent = (event: unknown, what: string): void => {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) fail(`${what} is not an object`);
    checkKeys(event as Record<string, unknown>, EVENT_KEYS, what, fail);
    if (typeof (event as Record<string, unknown>).name !== 'string') fail(`${what} needs a name (the catalog event it is)`);
  };
  items.forEach((item: unknown, index) => {
    const what = 'sequence' in testCase ? `sequence[${index}]` : 'the case';
    if (typeof item !== 'object' || item === null) fail(`${what} is not an object`);
    const record = item as Record<string, unknown>;
    if ('repeat' in record) {
      checkKeys(record, REPEAT_KEYS, what, fail);
      const step = parseTimespan(typeof record.every === 'string' ? record.every : '1s');
      const event = record.event as PartialCanonicalEvent | undefined;
      if (!Number.isInteger(record.repeat) || step === undefined || !event) fail(`sequence[${index}]: repeat needs an integer, every (e.g. 30s) and event`);
      if ((record.repeat as number) + events.length > MAX_CASE_EVENTS) fail(`sequence[${index}]: repeat ${String(record.repeat)} makes the case over ${MAX_CASE_EVENTS} events`);
      checkEvent(event, `${what}.event`);
      let start = 0;
      try {
        start = eventTime(event!.time ?? DEFAULT_TIME)!;
      } catch (error) {
        fail(`sequence[${index}]: ${(error as Error).message}`);
      }
      const last = new Date(start + Math.max(0, (record.repeat as number) - 1) * step!);
      if (Number.isNaN(last.getTime())) fail(`sequence[${index}]: repeat ${String(record.repeat)} every ${String(record.every)} runs past the last date there is`);
      for (let n = 0; n < (record.repeat as number); n++) events.push({ ...event!, time: new Date(start + n * step!).toISOString() });
    } else {
      checkEvent(record, what);
      events.push({ time: DEFAULT_TIME, ...(record as PartialCanonicalEvent) });
    }
  });
  return events.map((event, index) => ({ id: `e${index + 1}`, ...event }));
}

/** A test file; a YAML error (an alias bomb included: more than 100 aliases) is a SigmaError naming the file. */
function readTestFile(file: string): RuleTestFile | undefined {
  const text = readUtf8File(file);
  try {
    return parse(text, { maxAliasCount: 100 }) as RuleTestFile | undefined;
  } catch (error) {
    throw new SigmaError(file, '', `YAML error: ${(error as Error).message}`);
  }
}

export interface RunTestsOptions extends EngineOptions {
  rules?: string[];
  tests?: string[];
}

/** Runs every test file; the whole pack is loaded so correlations see their rules. */
export function runRuleTests(options: RunTestsOptions = {}): RuleTestResult[] {
  const rulesPaths = options.rules ?? [join(packageRoot(), 'sigma', 'rules')];
  const testPaths = options.tests ?? [join(packageRoot(), 'sigma', 'tests')];
  const documents = loadSigmaDocuments(rulesPaths);
  const engine = new SigmaEngine(documents, options);
  const results: RuleTestResult[] = [];
  for (const file of listYamlFiles(testPaths)) {
    const spec = readTestFile(file);
    if (!spec || typeof spec.rule !== 'string') throw new SigmaError(file, 'rule', 'names the rule file under test');
    const target = documents.find((d) => basename(d.source.file) === spec.rule || resolve(d.source.file) === resolve(spec.rule));
    if (!target?.rule.id) throw new SigmaError(file, 'rule', `no rule file "${spec.rule}" with an id in ${rulesPaths.join(', ')}`);
    const ruleId = target.rule.id;
    if (!spec.match?.length || !spec.nomatch?.length) throw new SigmaError(file, spec.match?.length ? 'nomatch' : 'match', 'every rule needs at least one case that matches and one that does not');
    for (const expected of ['match', 'nomatch'] as const) {
      spec[expected]!.forEach((testCase, index) => {
        const where = `${expected}[${index}]`;
        const views = caseEvents(testCase, `${file} ${where}`).map((event) => {
          try {
            return viewOfCanonical(event, options.domain);
          } catch (error) {
            if (error instanceof InputError) throw new SigmaError(`${file} ${where}`, '', error.message);
            throw error;
          }
        });
        const matched = engine.run(views).map((m) => m.ruleId ?? m.title);
        const hit = matched.includes(ruleId);
        results.push({ file, rule: spec.rule, ruleId, case: where, expected, ok: expected === 'match' ? hit : !hit, matched });
      });
    }
  }
  return results;
}

/** Rule files that have no test file. */
export function untestedRules(options: RunTestsOptions = {}): string[] {
  const rulesPaths = options.rules ?? [join(packageRoot(), 'sigma', 'rules')];
  const testPaths = options.tests ?? [join(packageRoot(), 'sigma', 'tests')];
  const tested = new Set(listYamlFiles(testPaths).map((file) => readTestFile(file)?.rule));
  return listYamlFiles(rulesPaths).map((f) => basename(f)).filter((f) => !tested.has(f));
}
