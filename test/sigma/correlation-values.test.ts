// value_sum, value_avg and value_percentile correlations (Sigma spec 2.1):
// when they fire and when not (gte vs gt at the threshold), group-by, timespan,
// aliases, values that are not numbers, rule errors; the real sigma-cli's
// check and convert on such rules; and a differential run against the queries
// pySigma's DuckDB backend makes of them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertRules, loadSigmaDocuments, SigmaEngine, validateDocuments, viewOfCanonical, type PartialCanonicalEvent } from '../../src/sigma/index.js';
import { AttributeView } from '../../src/sigma/events.js';
import { listYamlFiles } from '../../src/sigma/parse.js';
import { packageRoot } from '../../src/package-root.js';
import { run } from '../../src/tools/run.js';
import { sigma, sigmaBinary } from '../harness/sigma.js';
import { random } from './generate.js';

const fixtures = join(packageRoot(), 'test', 'sigma', 'fixtures', 'correlation-values');
const fixture = (kind: 'sum' | 'avg' | 'p90') => join(fixtures, `mr_otel_audit_export_rows_${kind}.yml`);
const lokiPipeline = join(packageRoot(), 'sigma', 'pipelines', 'loki.yml');

const exports = `
title: Data Exported
name: export
logsource: {product: otel_audit, service: audit}
detection: {selection: {event.name: data.export}, condition: selection}
`;
/** A correlation over data.export events, grouped by user, on audit.data.row_count. */
const rule = (type: string, condition: string, timespan = '1h') =>
  SigmaEngine.fromText(`title: C\ncorrelation: {type: ${type}, rules: [export], group-by: [user.id], timespan: ${timespan}, condition: {field: audit.data.row_count, ${condition}}}\n---${exports}`);

const at = (minute: number, id: string, user: string, rows: unknown): PartialCanonicalEvent => ({
  id,
  name: 'data.export',
  time: new Date(Date.UTC(2026, 10, 21, 10, minute)).toISOString(),
  actor: { id: user },
  data: rows === undefined ? {} : { row_count: rows },
});
/** Each fire as `user:event ids`. */
const fires = (engine: SigmaEngine, events: PartialCanonicalEvent[]) => engine.run(events.map((e) => viewOfCanonical(e))).map((m) => `${String(m.group?.['user.id'])}:${m.eventIds.join(',')}`);

describe('value_sum', () => {
  it('fires when the sum reaches the threshold: gte at exactly the threshold, gt only above it', () => {
    const events = [at(0, '1', 'a', 40_000), at(10, '2', 'a', 60_000), at(20, '3', 'a', 1)];
    expect(fires(rule('value_sum', 'gte: 100000'), events)).toEqual(['a:1,2']);
    expect(fires(rule('value_sum', 'gt: 100000'), events)).toEqual(['a:1,2,3']);
    expect(fires(rule('value_sum', 'gt: 100001'), events)).toEqual([]);
  });

  it('sums per group, and a fire clears the group: one burst, one match', () => {
    const engine = rule('value_sum', 'gte: 100000');
    expect(fires(engine, [at(0, '1', 'a', 60_000), at(1, '2', 'b', 60_000), at(2, '3', 'b', 50_000), at(3, '4', 'a', 10), at(4, '5', 'b', 10)])).toEqual(['b:2,3']);
    expect(fires(engine, [at(0, '1', 'a', 100_000), at(1, '2', 'a', 99_999), at(2, '3', 'a', 1)])).toEqual(['a:1', 'a:2,3']);
  });

  it('forgets values older than the timespan', () => {
    const engine = rule('value_sum', 'gte: 100000');
    expect(fires(engine, [at(0, '1', 'a', 60_000), at(61, '2', 'a', 60_000)])).toEqual([]);
    expect(fires(engine, [at(0, '1', 'a', 60_000), at(59, '2', 'a', 60_000)])).toEqual(['a:1,2']);
    // An event exactly one timespan old is still in the window.
    expect(fires(engine, [at(0, '1', 'a', 60_000), at(60, '2', 'a', 60_000)])).toEqual(['a:1,2']);
    expect(fires(engine, [at(0, '1', 'a', 50_000), at(30, '2', 'a', 40_000), at(70, '3', 'a', 60_000)])).toEqual(['a:2,3']);
  });

  it('leaves out values that are not numbers; decimal strings count (OTLP JSON int64)', () => {
    const engine = rule('value_sum', 'gte: 100000');
    const junk = [at(1, 'text', 'a', 'lots'), at(2, 'bool', 'a', true), at(3, 'null', 'a', null), at(4, 'none', 'a', undefined), at(5, 'list', 'a', [50_000]), at(6, 'hex', 'a', '0x10000')];
    expect(fires(engine, [at(0, '1', 'a', 60_000), ...junk, at(9, '2', 'a', 30_000)])).toEqual([]);
    expect(fires(engine, [at(0, '1', 'a', 60_000), ...junk, at(9, '2', 'a', '40000')])).toEqual(['a:1,2']);
    expect(fires(engine, [at(0, '1', 'a', '6e4'), at(9, '2', 'a', 40_000.5)])).toEqual(['a:1,2']);
  });

  it('adds fractions without drift as values leave the window', () => {
    // 0.1 + 0.7 + 0.3 - 0.1 is 0.9999999999999999 in floating point; the window holds exactly 0.7 + 0.3.
    const engine = rule('value_sum', 'gte: 1', '10m');
    expect(fires(engine, [at(0, '1', 'a', 0.1), at(8, '2', 'a', 0.7), at(15, '3', 'a', 0.3)])).toEqual(['a:2,3']);
  });

  it('groups across rules through aliases', () => {
    const engine = SigmaEngine.fromText(`title: Rows out
correlation:
    type: value_sum
    rules: [export, download]
    group-by: [account]
    timespan: 1h
    aliases: {account: {export: user.id, download: audit.target.id}}
    condition: {field: audit.data.row_count, gte: 100}
---${exports}---
title: Downloaded
name: download
logsource: {product: otel_audit, service: audit}
detection: {selection: {event.name: file.download}, condition: selection}
`);
    const download = (minute: number, id: string, account: string, rows: number): PartialCanonicalEvent => ({ ...at(minute, id, 'someone', rows), name: 'file.download', target: { type: 'account', id: account } });
    const matches = engine.run([at(0, '1', 'acme', 60), download(5, '2', 'other', 60), download(10, '3', 'acme', 40)].map((e) => viewOfCanonical(e)));
    expect(matches.map((m) => [m.group, m.eventIds])).toEqual([[{ account: 'acme' }, ['1', '3']]]);
  });
});

describe('value_avg', () => {
  it('fires on the average of the window: gte at exactly the threshold, gt only above it', () => {
    const events = [at(0, '1', 'a', 4000), at(1, '2', 'a', 6000), at(2, '3', 'a', 5003)];
    // The fire clears the window, so 5003 then stands alone.
    expect(fires(rule('value_avg', 'gte: 5000'), events)).toEqual(['a:1,2', 'a:3']);
    // 5000 is not above 5000; (4000 + 6000 + 5003) / 3 = 5001 is.
    expect(fires(rule('value_avg', 'gt: 5000'), events)).toEqual(['a:1,2,3']);
    expect(fires(rule('value_avg', 'gt: 5001'), events)).toEqual([]);
  });

  it('averages per group and forgets values older than the timespan', () => {
    const engine = rule('value_avg', 'gt: 5000');
    expect(fires(engine, [at(0, '1', 'a', 4000), at(1, '2', 'b', 7000), at(2, '3', 'a', 5000)])).toEqual(['b:2']);
    expect(fires(engine, [at(0, '1', 'a', 1000), at(1, '2', 'a', 5000), at(70, '3', 'a', 6000)])).toEqual(['a:3']);
    expect(fires(engine, [at(0, '1', 'a', 1000), at(1, '2', 'a', 5000), at(50, '3', 'a', 6000)])).toEqual([]);
  });

  it('leaves values that are not numbers out of the average (numerator and denominator)', () => {
    const engine = rule('value_avg', 'gt: 5000');
    // Counted as 0, "n/a" would make the average 3666; left out, it is 5500.
    expect(fires(engine, [at(0, '1', 'a', 4000), at(1, 'x', 'a', 'n/a'), at(2, 'y', 'a', undefined), at(3, '2', 'a', 7000)])).toEqual(['a:1,2']);
  });
});

describe('value_percentile', () => {
  it('takes the percentile the rule names, interpolated between ranks (PERCENTILE_CONT)', () => {
    // The median of 10 and 40 is 25.
    const events = [at(0, '1', 'a', 10), at(1, '2', 'a', 40), at(2, '3', 'a', 30)];
    expect(fires(rule('value_percentile', 'percentile: 50, gte: 25'), events)).toEqual(['a:1,2', 'a:3']);
    // Then the median of 10, 30, 40 is 30.
    expect(fires(rule('value_percentile', 'percentile: 50, gt: 25'), events)).toEqual(['a:1,2,3']);
    expect(fires(rule('value_percentile', 'percentile: 50, gt: 30'), events)).toEqual([]);
    // p90 of 10, 40: 10 + 0.9 × 30 = 37; p0 is the least value, p100 the greatest.
    expect(fires(rule('value_percentile', 'percentile: 90, gte: 37'), events)).toEqual(['a:1,2']);
    expect(fires(rule('value_percentile', 'percentile: 90, gt: 37'), events)).toEqual(['a:1,2,3']);
    expect(fires(rule('value_percentile', 'percentile: 100, gte: 40'), events)).toEqual(['a:1,2']);
    expect(fires(rule('value_percentile', 'percentile: 0, lte: 10'), events)).toEqual(['a:1']);
  });

  it('keeps the values per group and forgets values older than the timespan', () => {
    const engine = rule('value_percentile', 'percentile: 50, gte: 25');
    expect(fires(engine, [at(0, '1', 'a', 10), at(1, '2', 'b', 40), at(2, '3', 'b', 10), at(3, '4', 'a', 40)])).toEqual(['b:2', 'a:1,4']);
    // Once 10 is out of the window the median of 20 and 50 is 35.
    expect(fires(engine, [at(0, '1', 'a', 10), at(2, '2', 'a', 20), at(61, '3', 'a', 20)])).toEqual([]);
    expect(fires(engine, [at(0, '1', 'a', 10), at(2, '2', 'a', 20), at(61, '3', 'a', 50)])).toEqual(['a:2,3']);
    expect(fires(engine, [at(0, '1', 'a', 10), at(2, '2', 'a', 20), at(59, '3', 'a', 50)])).toEqual([]);
  });

  it('leaves values that are not numbers out', () => {
    const engine = rule('value_percentile', 'percentile: 50, lte: 10');
    // As 0, "none" would pull the median of 0, 20 down to 10.
    expect(fires(engine, [at(0, '1', 'a', 20), at(1, 'x', 'a', 'none'), at(2, '2', 'a', 0)])).toEqual(['a:1,2']);
    expect(fires(engine, [at(0, '1', 'a', 20), at(1, 'x', 'a', 'none')])).toEqual([]);
  });
});

describe('rule errors', () => {
  const error = (type: string, condition: string) => () => rule(type, condition);
  it('needs a comparison, one field, and for value_percentile which percentile', () => {
    expect(error('value_sum', 'eq: x')).toThrow(/correlation.condition: value_sum needs a comparison/);
    expect(() => SigmaEngine.fromText(`title: C\ncorrelation: {type: value_avg, rules: [export], group-by: [user.id], timespan: 1h, condition: {gte: 1}}\n---${exports}`)).toThrow(/correlation.condition.field: value_avg needs one field/);
    expect(() => SigmaEngine.fromText(`title: C\ncorrelation: {type: value_sum, rules: [export], group-by: [user.id], timespan: 1h, condition: {field: [a, b], gte: 1}}\n---${exports}`)).toThrow(/value_sum needs one field/);
    expect(error('value_percentile', 'lte: 1')).toThrow(/correlation.condition.percentile: value_percentile needs percentile/);
    expect(error('value_percentile', 'percentile: 101, lte: 1')).toThrow(/"101" is not an integer from 0 to 100/);
    expect(error('value_percentile', 'percentile: "95", lte: 1')).toThrow(/"95" is not an integer from 0 to 100/);
  });
});

describe('the fixture rules', () => {
  const events = [at(0, '1', 'a', 40_000), at(1, '2', 'a', 60_000), at(2, '3', 'b', 1000), at(3, '4', 'b', 1000), at(4, '5', 'b', 20_000)];
  it('fire in the engine', () => {
    const result = (kind: 'sum' | 'avg' | 'p90') => fires(SigmaEngine.fromPaths([fixture(kind)]), events);
    expect(result('sum')).toEqual(['a:1,2']);
    // A lone 40,000 is already an average above 5,000; the fire clears the window, so 60,000 fires again.
    expect(result('avg')).toEqual(['a:1', 'a:2', 'b:3,4,5']);
    // p90 of 1000, 1000, 20000 is 1000 + 0.8 × 19000 = 16200.
    expect(result('p90')).toEqual(['a:1', 'a:2', 'b:3,4,5']);
  });

  it('pass our check', () => {
    expect(validateDocuments(loadSigmaDocuments([fixture('sum'), fixture('avg'), fixture('p90')]))).toEqual([]);
  });

  it('our check wants percentile (0–100) on value_percentile only', () => {
    const issues = (condition: string, type = 'value_percentile') => {
      const dir = mkdtempSync(join(tmpdir(), 'sigma-percentile-'));
      const file = join(dir, 'mr_p.yml');
      writeFileSync(file, readFileSync(fixture('p90'), 'utf8').replace(/type: value_percentile/, `type: ${type}`).replace(/condition:[^\n]*\n(?:\s+(?:field|percentile|gte|gt|lte|lt|eq):[^\n]*\n)*/, `condition: {${condition}}\n`));
      return validateDocuments(loadSigmaDocuments([file])).map((i) => `${i.path}: ${i.message}`);
    };
    expect(issues('field: audit.data.bytes, gte: 10')).toContain('correlation.condition.percentile: value_percentile needs percentile, an integer from 0 to 100 (e.g. percentile: 95)');
    expect(issues('field: audit.data.bytes, percentile: 101, gte: 10')).toContain('correlation.condition.percentile: value_percentile needs percentile, an integer from 0 to 100 (e.g. percentile: 95)');
    expect(issues('field: audit.data.bytes, percentile: 95')).toContain('correlation.condition: value_percentile needs a comparison (gt, gte, lt, lte, eq or neq)');
    expect(issues('field: audit.data.bytes, percentile: 95, gte: 10', 'value_sum')).toContain('correlation.condition.percentile: percentile has no meaning for value_sum');
  });
});

describe('the real sigma-cli (pySigma 1.5.1)', () => {
  it('sigma check accepts the three rules', async () => {
    const result = await sigma(['check', '--fail-on-issues', '-x', 'attacktag', '-x', 'd3_fendtag', fixtures]);
    expect(result.stdout + result.stderr).toMatch(/Found 0 errors, 0 condition errors and 0 issues/);
    expect(result.code).toBe(0);
  });

  it('the splunk backend refuses every value_* type, with the type in the message', async () => {
    for (const [kind, type] of [['sum', 'value_sum'], ['avg', 'value_avg'], ['p90', 'value_percentile']] as const) {
      const result = await sigma(['convert', '-t', 'splunk', '-p', join(packageRoot(), 'sigma', 'pipelines', 'splunk.yml'), fixture(kind)]);
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toContain(`Correlation type '${type}' is not supported by backend.`);
    }
    // `otel-audit sigma convert -t splunk` lists such a rule as not converted (sigma/pipelines/targets.yaml) instead of failing the batch.
    const result = await convertRules({ target: 'splunk', paths: [fixture('sum')] });
    expect(result.notConverted).toEqual([{ file: fixture('sum'), reason: 'the splunk backend does not convert value_sum correlations' }]);
  });

  it('the esql backend refuses them too; the open_search_ppl backend fails on them with a Python TypeError', async () => {
    const convert = (backend: string, pipeline: string) => sigma(['convert', '-t', backend, '-p', join(packageRoot(), 'sigma', 'pipelines', pipeline), fixture('sum')]);
    const esql = await convert('esql', 'elasticsearch.yml');
    expect(esql.code).not.toBe(0);
    expect(esql.stdout + esql.stderr).toContain("Correlation type 'value_sum' is not supported by backend.");
    const ppl = await convert('open_search_ppl', 'opensearch.yml');
    expect(ppl.code).not.toBe(0);
    expect(ppl.stdout + ppl.stderr).toContain("TypeError: 'NoneType' object is not subscriptable");
  });

  it('the loki backend converts them to LogQL range aggregations', async () => {
    const convert = async (kind: 'sum' | 'avg' | 'p90') => (await sigma(['convert', '-t', 'loki', '-p', lokiPipeline, fixture(kind)])).stdout;
    expect(await convert('sum')).toMatch(/^sum by \(user_id\) \(sum_over_time\(.*\| unwrap audit_data_row_count \[1h\]\)\) >= 100000$/m);
    expect(await convert('avg')).toMatch(/^avg_over_time\(.*\| unwrap audit_data_row_count \[1h\]\) by \(user_id\) > 5000$/m);
    expect(await convert('p90')).toMatch(/^quantile_over_time\(0\.9, .*\| unwrap audit_data_row_count \[1h\]\) by \(user_id\) >= 10000$/m);
    const result = await convertRules({ target: 'loki', paths: listYamlFiles([fixtures]) });
    expect(result.converted).toHaveLength(3);
  });

  it('a value_percentile without percentile (as in the spec example) passes sigma check, but pySigma will not convert it, nor the engine run it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-pct-'));
    const file = join(dir, 'mr_rare_export_size.yml');
    writeFileSync(file, `title: Rare export size\nid: 0b64c0c4-0c39-4a0b-9d52-6f1b9c7d1e20\ncorrelation: {type: value_percentile, rules: [export], group-by: [user.id], timespan: 24h, condition: {field: audit.data.row_count, lte: 1}}\n---\nid: 7d0c1c5e-5a1e-4f51-9a6e-2b8e7f4a9c31${exports}`);
    expect((await sigma(['check', '--fail-on-issues', file])).code).toBe(0);
    const converted = await sigma(['convert', '-t', 'loki', '-p', lokiPipeline, file]);
    expect(converted.code).not.toBe(0);
    expect(converted.stdout + converted.stderr).toContain('Percentile must be specified in condition for value_percentile correlation type');
    expect(() => SigmaEngine.fromPaths([file])).toThrow(/value_percentile needs percentile/);
  });

  it('a range (gt and lte together) is spec 2.1 and runs in the engine; pySigma rejects it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-range-'));
    const file = join(dir, 'mr_export_rows_range.yml');
    writeFileSync(file, `title: Export rows in a range\nid: 5a0f3a52-51a4-4c1f-8d3e-0a7f5b2c9e41\ncorrelation: {type: value_sum, rules: [export], group-by: [user.id], timespan: 1h, condition: {field: audit.data.row_count, gt: 100, lte: 200}}\n---\nid: 6e3b8d2a-1c4f-4b7e-9f0a-3d5c7e9b1a52${exports}`);
    const result = await sigma(['check', file]);
    expect(result.stdout + result.stderr).toContain('must have exactly one condition item');
    expect(fires(SigmaEngine.fromPaths([file]), [at(0, '1', 'a', 150), at(1, '2', 'b', 250), at(2, '3', 'b', 100), at(3, '4', 'c', 50), at(4, '5', 'c', 60)])).toEqual(['a:1', 'c:4,5']);
  });
});

describe('engine vs the queries pySigma + DuckDB make of these rules', () => {
  it('fires first for the same groups at the same events', async () => {
    // All events within one hour, so no value leaves a window before a group's first fire:
    // then the engine's window at an event is the prefix of the stream up to it (see pysigma_prefix_eval.py).
    const next = random(11);
    const users = ['u1', 'u2', 'u3', 'u4', null];
    const events = Array.from({ length: 90 }, (_, i) => {
      const roll = next();
      const attributes: Record<string, unknown> = { seq: i + 1, 'log.record.uid': `e${i + 1}`, 'event.name': roll < 0.1 ? 'file.view' : 'data.export', 'user.id': users[Math.floor(next() * users.length)] };
      // Multiples of 1000, so sums and averages land exactly on the thresholds now and then; some missing or null.
      const rows = next();
      if (rows < 0.9) attributes['audit.data.row_count'] = Math.floor(next() * 31) * 1000;
      else if (rows < 0.95) attributes['audit.data.row_count'] = null;
      return { attributes, time: Date.UTC(2026, 10, 21, 10) + i * 30_000 };
    });
    const conditions: [string, string][] = [
      ['value_sum', 'gte: 120000'],
      ['value_sum', 'gt: 120000'],
      ['value_sum', 'lt: 3000'],
      ['value_avg', 'gte: 18000'],
      ['value_avg', 'lte: 9000'],
      ['value_percentile', 'percentile: 90, gte: 27000'],
      ['value_percentile', 'percentile: 50, lt: 10000'],
      ['value_percentile', 'percentile: 25, eq: 5000'],
    ];
    const dir = mkdtempSync(join(tmpdir(), 'sigma-values-diff-'));
    const files = conditions.map(([type, condition], n) => {
      const file = join(dir, `mr_case_${n}.yml`);
      writeFileSync(file, `title: Case ${n}\nid: 00000000-0000-4000-8000-00000000000${n}\ncorrelation: {type: ${type}, rules: [export_${n}], group-by: [user.id], timespan: 1h, condition: {field: audit.data.row_count, ${condition}}}\n---\ntitle: Export ${n}\nid: 10000000-0000-4000-8000-00000000000${n}\nname: export_${n}\nlogsource: {product: otel_audit, service: audit}\ndetection: {selection: {event.name: data.export}, condition: selection}\n`);
      return file;
    });
    const eventsFile = join(dir, 'events.ndjson');
    writeFileSync(eventsFile, events.map((e) => JSON.stringify(e.attributes)).join('\n') + '\n');
    const python = join(dirname(sigmaBinary()), 'python');
    const reference = await run(python, [join(fixtures, 'pysigma_prefix_eval.py'), eventsFile, ...files]);
    expect(reference.stderr).toBe('');
    expect(reference.code).toBe(0);
    const pySigma = JSON.parse(reference.stdout) as Record<string, { queries: string[]; first: Record<string, string> }>;

    const engine = SigmaEngine.fromPaths(files);
    const session = engine.session();
    const ours: Record<string, Record<string, string>> = {};
    for (const file of files) ours[loadSigmaDocuments([file])[0]!.rule.id!] = {};
    for (const event of events) {
      for (const match of session.push(new AttributeView(event.attributes, event.time))) {
        const user = match.group?.['user.id'] as string | null;
        ours[match.ruleId!]![user ?? 'null'] ??= String(event.attributes['log.record.uid']);
      }
    }
    for (const [id, { queries, first }] of Object.entries(pySigma)) expect(ours[id], `${id}: ${queries.join(' ')}`).toEqual(first);
    expect(Object.keys(pySigma).sort()).toEqual(Object.keys(ours).sort());
    // Most cases fire for some groups and not for others.
    const fired = Object.values(ours).map((first) => Object.keys(first).length);
    expect(fired.filter((n) => n > 0 && n < users.length).length).toBeGreaterThanOrEqual(4);
  });
});
