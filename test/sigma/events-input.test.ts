// Event files as `otel-audit sigma match` reads them: every bad line or event
// is an InputError naming the file and line, the good ones are still read;
// alias bombs fail fast; times that are not real dates are refused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { eventTime, jsonErrorOffset, readEvents } from '../../src/sigma/events.js';
import { defaultRulesPath, parseSigmaText, readEventViews, runRuleTests, SigmaEngine, SigmaError, viewOfCanonical, viewOfLogRecord } from '../../src/sigma/index.js';
import { caseEvents } from '../../src/sigma/testing.js';
import { sigmaCli as cli } from './sigma-cli.js';

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('nothing thrown');
}

const locationOf = (error: unknown) => ({ type: (error as Error).constructor.name, code: (error as InputError).code, file: (error as InputError).file, line: (error as InputError).line });

describe('bad event files name the file and line', () => {
  it('a broken JSON array file', () => {
    const text = '[\n  {"name": "a"},\n  {"name": "b",\n   oops}\n]\n';
    expect(locationOf(thrown(() => readEventViews(text, 'events.json')))).toEqual({ type: 'InputError', code: 'INPUT_INVALID', file: 'events.json', line: 4 });
    expect(locationOf(thrown(() => readEventViews('[{"name": "a"},\n', 'cut.json')))).toMatchObject({ type: 'InputError', line: 2 });
    expect((thrown(() => readEventViews(text, 'events.json')) as Error).message).toMatch(/^events\.json:4: not a JSON array of events/);
  });

  it('an item of a JSON array, a JSON line, an OTLP line and a YAML item that is not an event', () => {
    const array = readEvents('[\n {"name": "a"},\n 42,\n {"name": "b"}\n]', 'a.json');
    expect(array.lines).toEqual([2, 4]);
    expect(array.errors.map((e) => [e.message, e.file, e.line])).toEqual([['a.json:3: item 1 is not an object (an event is a mapping)', 'a.json', 3]]);
    const lines = readEvents('{"name": "a"}\n{"name": \n\n[1]\n{"name": "c"}\n{"name": "d", "attributes": [null]}\n', 'b.jsonl');
    expect(lines.lines).toEqual([1, 5]);
    expect(lines.errors.map((e) => [e.line, e.message.replace(/\(.*/, '')])).toEqual([[2, 'b.jsonl:2: not a JSON event '], [4, 'b.jsonl:4: the line is not an object '], [6, 'b.jsonl:6: not a readable event ']]);
    const record = (uid: string) => ({ timeUnixNano: '1763719200000000000', attributes: [{ key: 'log.record.uid', value: { stringValue: uid } }, { key: 'event.name', value: { stringValue: 'x.y' } }] });
    const otlp = (uid: string) => JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [record(uid)] }] }] });
    const otlpLines = readEvents([otlp('o1'), '{"resourceLogs": [tor', otlp('o3'), '{"resourceLogs": 5}', '"x"'].join('\n'), 'out.jsonl');
    expect(otlpLines.views.map((v) => v.id)).toEqual(['o1', 'o3']);
    expect(otlpLines.lines).toEqual([1, 3]);
    expect(otlpLines.errors.map((e) => e.line)).toEqual([2, 4, 5]);
    const yaml = readEvents('- name: a\n- just text\n- name: c\n---\nname: d\n---\n[unclosed\n', 'c.yaml');
    expect(yaml.lines).toEqual([1, 3, 5]);
    expect(yaml.errors.map((e) => [e.line, e.message])).toEqual([[2, 'c.yaml:2: item 1 is not an object (an event is a mapping)'], [8, 'c.yaml:8: YAML error: Flow sequence must end with a ]']]);
  });

  it('a YAML document nested 50,000 lists deep: said so, not "Maximum call stack size exceeded"', () => {
    const deep = readEvents(`${'- '.repeat(50_000)}x\n`, 'deep.yaml');
    expect(deep.views).toEqual([]);
    expect(deep.errors.map((e) => e.message)).toEqual(['deep.yaml:1: YAML error: maps or lists nested too deeply to read']);
  });

  it('finds the offset of a JSON syntax error wherever JSON.parse does not say it', () => {
    for (const [text, offset] of [['[1, 2', 5], ['[1,,2]', 3], ['{"a" 1}', 5], ['[tru]', 1], ['["\\x"]', 2], ['[1] x', 4], ['[' + '['.repeat(100_000), 100_001], ['[{"a": [1, {"b": null}]}, "ok", -1.5e3, false]', -1]] as const) {
      expect(jsonErrorOffset(text), text.slice(0, 20)).toBe(offset);
    }
  });
});

describe('alias bombs fail fast, naming the file', () => {
  const bomb = (indent: string) => {
    const lines = [`${indent}a0: &a0 [x, x, x, x, x, x, x, x, x]`];
    for (let i = 1; i <= 10; i++) lines.push(`${indent}a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
    return lines.join('\n');
  };

  it('in an events file', () => {
    const started = performance.now();
    const error = thrown(() => readEventViews(`${bomb('')}\nname: auth.login\n`, 'bomb.yaml'));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(locationOf(error)).toEqual({ type: 'InputError', code: 'INPUT_INVALID', file: 'bomb.yaml', line: 1 });
    expect((error as Error).message).toMatch(/^bomb\.yaml:1: YAML error: .*alias/i);
    // Other documents of the file are still read.
    expect(readEvents(`name: first\n---\n${bomb('')}\n---\nname: last\n`, 'bomb.yaml').views).toHaveLength(2);
  });

  it('in a rule file', () => {
    const started = performance.now();
    const error = thrown(() => parseSigmaText(`title: Bomb\nlogsource: {product: otel_audit}\ndetection:\n${bomb('    ')}\n    condition: a10\n`, 'bomb.yml'));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(SigmaError);
    expect((error as SigmaError).file).toBe('bomb.yml');
    expect((error as Error).message).toMatch(/^bomb\.yml at document 0: YAML error: .*alias/i);
  });

  it('in a rule test file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-bomb-tests-'));
    const file = join(dir, 'bomb.yml');
    writeFileSync(file, `rule: otel_audit_stream_deleted.yml\n${bomb('')}\n`);
    const started = performance.now();
    const error = thrown(() => runRuleTests({ tests: [dir] }));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(SigmaError);
    expect((error as Error).message).toMatch(/bomb\.yml: YAML error: .*alias/i);
  });
});

describe('event times', () => {
  it('are RFC 3339 or epoch values of real dates from 2000 to 2199', () => {
    expect(eventTime('2026-11-21T10:00:00Z')).toBe(Date.UTC(2026, 10, 21, 10));
    expect(eventTime('2026-11-21T11:00:00.250+01:00')).toBe(Date.UTC(2026, 10, 21, 10, 0, 0, 250));
    expect(eventTime('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(eventTime(Date.UTC(2026, 0, 1))).toBe(Date.UTC(2026, 0, 1));
    expect(eventTime('1763719200000000000')).toBe(1763719200000);
    expect(eventTime(new Date(Date.UTC(2030, 5, 1)))).toBe(Date.UTC(2030, 5, 1));
    expect(eventTime(undefined)).toBeUndefined();
    for (const [time, reason] of [
      ['2024-02-30', /day 30 does not exist in 2024-02/],
      ['2023-02-29T10:00:00Z', /day 29 does not exist in 2023-02/],
      ['2024-13-01', /month 13 does not exist/],
      ['2024-01-01T24:00:00Z', /hour 24/],
      ['9999-12-31T23:59:59Z', /outside 2000-2199/],
      ['1970-01-01T00:00:00Z', /outside 2000-2199/],
      [253402300799000, /outside 2000-2199/],
      ['1763719200', /outside 2000-2199/],
      [Number.NaN, /is not a time/],
      ['Sat, 21 Nov 2026 10:00:00 GMT', /not an RFC 3339 time/],
      [new Date(Number.NaN), /is not a time/],
      [{ at: 1 }, /time is a object/],
    ] as const) {
      expect(() => eventTime(time), JSON.stringify(time)).toThrow(reason);
    }
  });

  it('that are not real are refused with the file and line, not coerced (2024-02-30 was read as March 1st)', () => {
    const result = readEvents('{"id": "e1", "name": "a", "time": "2026-11-21T10:00:00Z"}\n{"id": "e2", "name": "a", "time": "2024-02-30"}\n{"id": "e3", "name": "a", "time": "9999-01-01T00:00:00Z"}\n', 'times.jsonl');
    expect(result.views.map((v) => v.id)).toEqual(['e1']);
    expect(result.errors.map((e) => [e.file, e.line, e.message])).toEqual([
      ['times.jsonl', 2, 'times.jsonl:2: event e2: time "2024-02-30" is not a real date: day 30 does not exist in 2024-02'],
      ['times.jsonl', 3, 'times.jsonl:3: event e3: time "9999-01-01T00:00:00Z" is outside 2000-2199 (9999-01-01T00:00:00.000Z)'],
    ]);
    const yaml = readEvents('- {id: y1, name: a, time: 2024-02-30}\n', 'times.yaml');
    expect(yaml.errors.map((e) => [e.line, e.message])).toEqual([[1, 'times.yaml:1: event y1: time "2024-02-30" is not a real date: day 30 does not exist in 2024-02']]);
    const otlp = readEvents(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '253402300799000000000', attributes: [{ key: 'log.record.uid', value: { stringValue: 'o9' } }] }] }] }] }), 'out.jsonl');
    expect(otlp.errors.map((e) => [e.line, e.message])).toEqual([[1, 'out.jsonl:1: event o9: time "253402300799000000000" is outside 2000-2199 (9999-12-31T23:59:59.000Z)']]);
  });

  it('are checked when views are made in code, naming the event', () => {
    expect(() => viewOfCanonical({ id: 'c7', name: 'a', time: '2024-02-30T10:00:00Z' })).toThrow(InputError);
    expect(() => viewOfCanonical({ id: 'c7', name: 'a', time: '2024-02-30T10:00:00Z' })).toThrow(/^event c7: time "2024-02-30T10:00:00Z" is not a real date/);
    expect(viewOfCanonical({ id: 'c8', name: 'a', time: '2026-11-21T10:00:00Z' }).time).toBe(Date.UTC(2026, 10, 21, 10));
  });

  it('of OTLP records: 0 means unknown, so the observed time is used', () => {
    const record = { timeUnixNano: '0', observedTimeUnixNano: '1763719200000000000', body: null, attributes: {}, resource: {}, scope: {} };
    expect(viewOfLogRecord(record).time).toBe(1763719200000);
    expect(viewOfLogRecord({ ...record, observedTimeUnixNano: '0' }).time).toBeUndefined();
  });

  it('in rule test sequences are refused too', () => {
    expect(() => caseEvents({ sequence: [{ repeat: 2, every: '1m', event: { name: 'a', time: '2026-02-30T10:00:00Z' } }] }, 'tests/x.yml match[0]')).toThrow(/tests\/x\.yml match\[0\].*sequence\[0\]: time "2026-02-30T10:00:00Z" is not a real date/);
  });

  it('in rule tests, a case with a key a canonical event does not have is refused instead of passing untested', () => {
    // `event:` without `repeat` once became an event with a field named "event": a nomatch that tests nothing.
    expect(() => caseEvents({ sequence: [{ every: '1m', event: { name: 'auth.login' } }] }, 'tests/x.yml nomatch[0]')).toThrow(/tests\/x\.yml nomatch\[0\].*sequence\[0\] has an unknown key "every"/);
    expect(() => caseEvents({ name: 'auth.login', actr: { id: 'bob' } }, 'tests/x.yml match[1]')).toThrow(/the case has an unknown key "actr"/);
    expect(() => caseEvents({ sequence: [{ repeat: 2, event: { name: 'a', when: 'now' } }] }, 'x')).toThrow(/sequence\[0\]\.event has an unknown key "when"/);
    expect(() => caseEvents({ actor: { id: 'bob' } }, 'x')).toThrow(/the case needs a name/);
    expect(caseEvents({ name: 'auth.login', domain: 'acme.audit', actor: { id: 'bob' } }, 'x')).toHaveLength(1);
  });

  it('a correlation refuses an event without a time before feeding or emitting anything for that rule', () => {
    const engine = SigmaEngine.fromPaths([defaultRulesPath()], { emitAll: true });
    const session = engine.session();
    const login = { name: 'auth.login', outcome: 'failure', actor: { id: 'mallory' } };
    expect(() => session.push(viewOfCanonical({ id: 'l0', ...login }))).toThrow(/event l0 has no time; correlation ".*" needs one/);
    // Nine more with times: had l0 been fed, ten failures would fire the burst correlation.
    const fired = Array.from({ length: 9 }, (_, i) => session.push(viewOfCanonical({ id: `l${i + 1}`, ...login, time: new Date(Date.UTC(2026, 10, 21, 10, 0, i)).toISOString() }))).flat();
    expect(fired.filter((m) => m.kind === 'correlation')).toEqual([]);
  });
});

// ---- otel-audit sigma match ----

afterEach(() => {
  process.exitCode = 0;
});

describe('otel-audit sigma match with bad lines', () => {
  it('reports every bad line on stderr, matches the good ones, says so in the summary and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-match-bad-'));
    const good = join(dir, 'good.jsonl');
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(good, '{"id": "s1", "name": "audit.stream.delete", "time": "2026-11-21T10:00:00Z"}\n');
    writeFileSync(bad, [
      '{"id": "s2", "name": "audit.stream.delete", "time": "2026-11-21T10:01:00Z"}',
      '{"id": "s3", "name": ',
      '{"id": "s4", "name": "audit.stream.delete", "time": "2024-02-30"}',
      '{"id": "l0", "name": "auth.login", "outcome": "failure", "actor": {"id": "mallory"}}',
      '{"id": "s5", "name": "audit.stream.delete", "time": "2026-11-21T10:02:00Z"}',
    ].join('\n'));
    const missing = join(dir, 'missing.jsonl');
    const result = await cli('match', '-r', defaultRulesPath(), '-i', good, bad, missing);
    expect(result.code).toBe(1);
    expect(result.out.match(/Audit Log Stream Deleted/g)).toHaveLength(3);
    expect(result.out).toMatch(/events: s1$/m);
    expect(result.out).toMatch(/events: s2$/m);
    expect(result.out).toMatch(/events: s5$/m);
    const errors = result.err.split('\n');
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^${bad}:2: not a JSON event`)));
    expect(errors).toContainEqual(`${bad}:3: event s4: time "2024-02-30" is not a real date: day 30 does not exist in 2024-02`);
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^${bad}:4: event l0 has no time; correlation ".*" needs one$`)));
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^${missing}: cannot be read`)));
    expect(errors.at(-1)).toBe('3 events, 3 matches, 4 bad lines or events left out (listed above); exit code 1');

    const json = await cli('match', '-r', defaultRulesPath(), '-i', bad, '--format', 'json');
    expect(json.code).toBe(1);
    expect((JSON.parse(json.out) as { events: string[] }[]).map((m) => m.events)).toEqual([['s2'], ['s5']]);
    expect(json.err).toMatch(/2 events, 2 matches, 3 bad lines or events left out/);

    const clean = await cli('match', '-r', defaultRulesPath(), '-i', good);
    expect(clean.code).toBe(0);
    expect(clean.err).toBe('1 events, 1 matches');
  });
});
