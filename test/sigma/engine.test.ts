// The engine over streams: correlations (event_count, value_count, temporal,
// temporal_ordered, nested, aliases), filters, multi-document files, the three
// input forms, and errors that name the file and the field path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSigmaText, readEventViews, SigmaEngine, SigmaError, viewOfCanonical, type PartialCanonicalEvent } from '../../src/sigma/index.js';
import { AttributeView } from '../../src/sigma/events.js';
import { compileDetection } from '../../src/sigma/detection.js';

const base = (name: string, eventName: string, extra = '') => `
title: ${name}
name: ${name}
logsource: {product: otel_audit, service: audit}
detection:
    selection:
        event.name: ${eventName}${extra}
    condition: selection
`;
const at = (minute: number, event: PartialCanonicalEvent): PartialCanonicalEvent => ({ ...event, time: new Date(Date.UTC(2026, 10, 21, 10, minute)).toISOString() });
const login = (minute: number, user: string, id: string, ip = '1.1.1.1', outcome = 'failure') => at(minute, { id, name: 'auth.login', outcome, actor: { id: user, ip } });
const ids = (engine: SigmaEngine, events: PartialCanonicalEvent[]) => engine.run(events.map((e) => viewOfCanonical(e))).map((m) => `${m.title}:${m.eventIds.join(',')}`);

describe('correlations', () => {
  it('event_count fires once per burst, per group, within the timespan', () => {
    const engine = SigmaEngine.fromText(`
title: Burst
correlation: {type: event_count, rules: [failed], group-by: [user.id], timespan: 10m, condition: {gte: 3}}
---${base('failed', 'auth.login', '\n        audit.outcome: failure')}`);
    expect(ids(engine, [login(0, 'a', '1'), login(1, 'b', '2'), login(2, 'a', '3'), login(3, 'a', '4'), login(4, 'a', '5')])).toEqual(['Burst:1,3,4']);
    // Spread over more than the timespan: never three within 10 minutes.
    expect(ids(engine, [login(0, 'a', '1'), login(6, 'a', '2'), login(12, 'a', '3'), login(18, 'a', '4')])).toEqual([]);
    // The base rule is not reported alone (generate: false) ...
    expect(ids(engine, [login(0, 'a', '1')])).toEqual([]);
    // ... unless asked for.
    const all = new SigmaEngine(parseSigmaText(`title: B\ncorrelation: {type: event_count, rules: [failed], group-by: [user.id], timespan: 10m, condition: {gte: 3}}\n---${base('failed', 'auth.login')}`), { emitAll: true });
    expect(ids(all, [login(0, 'a', '1')])).toEqual(['failed:1']);
  });

  it('value_count counts distinct values of the field', () => {
    const engine = SigmaEngine.fromText(`
title: Many IPs
correlation: {type: value_count, rules: [ok], group-by: [user.id], timespan: 1h, condition: {gte: 3, field: client.address}}
---${base('ok', 'auth.login')}`);
    expect(ids(engine, [login(0, 'a', '1', '10.0.0.1'), login(1, 'a', '2', '10.0.0.1'), login(2, 'a', '3', '10.0.0.2'), login(3, 'b', '4', '10.0.0.3'), login(4, 'a', '5', '10.0.0.3')])).toEqual(['Many IPs:1,2,3,5']);
  });

  it('temporal needs every rule within the timespan, in any order; temporal_ordered in order', () => {
    const rules = `---${base('mfa', 'auth.mfa.disable')}---${base('stream', 'audit.stream.delete')}`;
    const temporal = SigmaEngine.fromText(`title: T\ncorrelation: {type: temporal, rules: [mfa, stream], group-by: [user.id], timespan: 30m}\n${rules}`);
    const ordered = SigmaEngine.fromText(`title: O\ncorrelation: {type: temporal_ordered, rules: [mfa, stream], group-by: [user.id], timespan: 30m}\n${rules}`);
    const mfa = (m: number, id: string, user = 'a') => at(m, { id, name: 'auth.mfa.disable', actor: { id: user } });
    const del = (m: number, id: string, user = 'a') => at(m, { id, name: 'audit.stream.delete', actor: { id: user } });
    expect(ids(temporal, [del(0, 'd'), mfa(10, 'm')])).toEqual(['T:d,m']);
    expect(ids(temporal, [del(0, 'd'), mfa(40, 'm')])).toEqual([]);
    expect(ids(temporal, [del(0, 'd'), mfa(10, 'm', 'b')])).toEqual([]);
    expect(ids(ordered, [del(0, 'd'), mfa(10, 'm')])).toEqual([]);
    expect(ids(ordered, [mfa(0, 'm'), del(10, 'd')])).toEqual(['O:m,d']);
    expect(ids(ordered, [mfa(0, 'm'), del(40, 'd')])).toEqual([]);
  });

  it('chains a correlation into another, and resolves aliases per rule', () => {
    const engine = SigmaEngine.fromText(`
title: Brute Force Then Success
correlation: {type: temporal_ordered, rules: [burst, success], group-by: [account], timespan: 1h, aliases: {account: {burst: user.id, success: audit.target.id}}}
---
title: burst
name: burst
correlation: {type: event_count, rules: [failed], group-by: [user.id], timespan: 10m, condition: {gte: 2}}
---${base('failed', 'auth.login', '\n        audit.outcome: failure')}---${base('success', 'auth.session.create')}`);
    const success = at(20, { id: 's', name: 'auth.session.create', actor: { id: 'svc' }, target: { id: 'a' } });
    expect(ids(engine, [login(0, 'a', '1'), login(1, 'a', '2'), success])).toEqual(['Brute Force Then Success:1,2,s']);
    expect(ids(engine, [login(0, 'a', '1'), login(1, 'a', '2'), { ...success, target: { id: 'other' } }])).toEqual([]);
  });

  it('sorts events by time before correlating; times may be text, epoch ms or Date', () => {
    const engine = SigmaEngine.fromText(`title: O\ncorrelation: {type: temporal_ordered, rules: [x, y], group-by: [user.id], timespan: 30m}\n---${base('x', 'x.happened')}---${base('y', 'y.happened')}`);
    expect(ids(engine, [at(5, { id: '2', name: 'y.happened' }), at(1, { id: '1', name: 'x.happened' })])).toEqual(['O:1,2']);
    const t0 = Date.UTC(2026, 10, 21, 10);
    expect(ids(engine, [{ id: '2', name: 'y.happened', time: new Date(t0 + 60_000) }, { id: '1', name: 'x.happened', time: t0 }])).toEqual(['O:1,2']);
  });
});

describe('name index', () => {
  it('matches exactly like the detection compiled on its own, event.name tests included', () => {
    // The engine compiles indexed rules knowing their names and drops event.name
    // tests every such name passes; `not`, lists and other names must still count.
    const detection = {
      sel: { 'event.name': ['auth.login', 'auth.logout'], 'audit.outcome': 'failure' },
      keep: { 'event.name': 'auth.login' },
      drop: { 'event.name': ['auth.login', 'auth.logout'], 'user.id': 'root' },
      who: { 'user.id|exists': true },
      condition: '(sel and not drop) or (keep and who)',
    };
    const engine = SigmaEngine.fromText(JSON.stringify({ title: 'T', logsource: { product: 'otel_audit' }, detection }));
    const alone = compileDetection(detection);
    const events = ['auth.login', 'AUTH.Logout', 'auth.logout', 'repo.fork'].flatMap((name) =>
      ['failure', 'success'].flatMap((outcome) => ['root', 'alice', undefined].map((user) => ({ 'event.name': name, 'audit.outcome': outcome, ...(user ? { 'user.id': user } : {}) }))),
    );
    const got = events.map((a) => engine.matchingRules(new AttributeView(a, undefined)).length === 1);
    expect(got).toEqual(events.map((a) => alone.match(new AttributeView(a, undefined))));
    expect(got.filter(Boolean).length).toBeGreaterThan(3);
  });
});

describe('filters', () => {
  it('exclude events from the named rules (condition: not selection), per pySigma semantics', () => {
    const rule = `title: Role Granted\nid: 9a3c8f51-34a4-4a5e-9d74-4b5f9c2d0e11\nlogsource: {product: otel_audit, service: audit}\ndetection:\n    selection:\n        event.name: member.role.assign\n    condition: selection\n`;
    const filter = `---\ntitle: Not The Provisioner\nlogsource: {product: otel_audit, service: audit}\nfilter:\n    rules: [9a3c8f51-34a4-4a5e-9d74-4b5f9c2d0e11]\n    selection:\n        user.id: provisioner\n    condition: not selection\n`;
    const engine = SigmaEngine.fromText(rule + filter);
    const grant = (user: string) => at(0, { id: user, name: 'member.role.assign', actor: { id: user } });
    expect(ids(engine, [grant('alice'), grant('provisioner')])).toEqual(['Role Granted:alice']);
    // A filter for another log source does not apply.
    expect(ids(SigmaEngine.fromText(rule + filter.replace('service: audit}\nfilter', 'service: other}\nfilter')), [grant('provisioner')])).toEqual(['Role Granted:provisioner']);
  });
});

describe('inputs', () => {
  const engine = SigmaEngine.fromText(base('fork', 'repo.fork', '\n        audit.data.private: true\n        user.id: alice'));
  const attributes = { 'event.name': 'repo.fork', 'audit.data.private': true, 'user.id': 'alice', 'log.record.uid': 'r1' };
  it('reads canonical events (YAML or JSON), OTLP log records and the file exporter OTLP JSON lines', () => {
    const canonical = { id: 'c1', name: 'repo.fork', actor: { id: 'alice' }, data: { private: true } };
    expect(engine.runText(JSON.stringify([canonical]), 'a.json').map((m) => m.eventIds)).toEqual([['c1']]);
    expect(engine.runText(`- id: c1\n  name: repo.fork\n  actor: {id: alice}\n  data: {private: true}\n`, 'a.yaml').map((m) => m.eventIds)).toEqual([['c1']]);
    expect(engine.runText(JSON.stringify({ attributes, timeUnixNano: '1763719200000000000' }), 'r.jsonl').map((m) => m.eventIds)).toEqual([['r1']]);
    const otlp = {
      resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: { name: 'x' }, logRecords: [{
        timeUnixNano: '1763719200000000000',
        attributes: [
          { key: 'event.name', value: { stringValue: 'repo.fork' } },
          { key: 'audit.data.private', value: { boolValue: true } },
          { key: 'user.id', value: { stringValue: 'alice' } },
          { key: 'log.record.uid', value: { stringValue: 'o1' } },
        ],
      }] }] }],
    };
    const matches = engine.runText(JSON.stringify(otlp) + '\n', 'out.jsonl');
    expect(matches.map((m) => [m.eventIds, m.time])).toEqual([[['o1'], 1763719200000]]);
    expect(() => readEventViews('{"resourceLogs": []}\n{oops', 'bad.jsonl')).toThrow(/bad.jsonl:2/);
  });
});

describe('parsing and errors', () => {
  it('parses multi-document files and keeps YAML dates as strings', () => {
    const docs = parseSigmaText(`title: A\ndate: 2026-11-21\nlogsource: {product: p}\ndetection: {s: {a: 1}, condition: s}\n---\ntitle: B\ncorrelation: {type: event_count, rules: [x], timespan: 1m, group-by: [a], condition: {gte: 1}}\n---\ntitle: C\nlogsource: {product: p}\nfilter: {rules: [x], s: {a: 1}, condition: not s}\n`, 'multi.yml');
    expect(docs.map((d) => d.kind)).toEqual(['rule', 'correlation', 'filter']);
    expect(docs[0]!.rule.date).toBe('2026-11-21');
  });
  it('names the file and the field path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-engine-'));
    const file = join(dir, 'bad.yml');
    writeFileSync(file, base('x', 'a.b').replace('event.name:', 'event.name|bogus:'));
    expect(() => SigmaEngine.fromPaths([file])).toThrow(SigmaError);
    expect(() => SigmaEngine.fromPaths([file])).toThrow(`${file} at detection.selection.event.name|bogus: unknown modifier "bogus"`);
    writeFileSync(file, 'title: [unclosed');
    expect(() => SigmaEngine.fromPaths([file])).toThrow(/bad.yml at document 0: YAML error/);
    writeFileSync(file, 'title: x\ncorrelation: {type: event_count, rules: [nope], timespan: 5m, group-by: [a], condition: {gte: 1}}\n');
    expect(() => SigmaEngine.fromPaths([file])).toThrow(/correlation.rules\[0\]: no rule or correlation has the id or name "nope"/);
  });
});
