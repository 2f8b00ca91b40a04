// Engine unit tests: each value modifier and each condition form, on
// canonical events and OTLP attributes. Rules are written inline as YAML.
import { describe, expect, it } from 'vitest';
import { DetectionError, SigmaEngine, viewOfCanonical, type PartialCanonicalEvent } from '../../src/sigma/index.js';
import { AttributeView } from '../../src/sigma/events.js';
import { compileDetection } from '../../src/sigma/detection.js';
import { parseCondition } from '../../src/sigma/condition.js';

/** Does `detection` (YAML body under `detection:`) match the attributes? */
function matches(detection: Record<string, unknown>, attributes: Record<string, unknown>): boolean {
  return compileDetection(detection).match(new AttributeView(attributes, undefined));
}
const sel = (item: Record<string, unknown>) => ({ selection: item, condition: 'selection' });

describe('values and wildcards', () => {
  it('compares strings case-insensitively, numbers and booleans as text', () => {
    expect(matches(sel({ 'event.name': 'Repo.Fork' }), { 'event.name': 'repo.fork' })).toBe(true);
    expect(matches(sel({ 'event.name': 'repo.fork' }), { 'event.name': 'repo.forks' })).toBe(false);
    expect(matches(sel({ 'audit.data.count': 5 }), { 'audit.data.count': '5' })).toBe(true);
    expect(matches(sel({ 'audit.data.ok': false }), { 'audit.data.ok': false })).toBe(true);
    expect(matches(sel({ 'audit.data.ok': false }), { 'audit.data.ok': true })).toBe(false);
  });
  it('handles * and ? wildcards and their escapes', () => {
    expect(matches(sel({ 'event.name': 'repo.*' }), { 'event.name': 'REPO.delete' })).toBe(true);
    expect(matches(sel({ 'event.name': 'repo.?ork' }), { 'event.name': 'repo.fork' })).toBe(true);
    expect(matches(sel({ 'event.name': 'repo.?ork' }), { 'event.name': 'repo.frork' })).toBe(false);
    expect(matches(sel({ 'audit.data.q': 'a\\*b' }), { 'audit.data.q': 'a*b' })).toBe(true);
    expect(matches(sel({ 'audit.data.q': 'a\\*b' }), { 'audit.data.q': 'axxb' })).toBe(false);
    expect(matches(sel({ 'audit.data.q': 'a\\?' }), { 'audit.data.q': 'a?' })).toBe(true);
    expect(matches(sel({ 'audit.data.q': 'C:\\\\*' }), { 'audit.data.q': 'C:\\temp' })).toBe(true);
    // A backslash before an ordinary character stays a literal backslash.
    expect(matches(sel({ 'audit.data.q': 'C:\\temp' }), { 'audit.data.q': 'c:\\TEMP' })).toBe(true);
  });
  it('ORs list values and ANDs map keys; an array event value matches if any element does', () => {
    expect(matches(sel({ 'event.name': ['a', 'b'] }), { 'event.name': 'b' })).toBe(true);
    expect(matches(sel({ 'event.name': ['a', 'b'] }), { 'event.name': 'B' })).toBe(true);
    expect(matches(sel({ 'event.name': ['a', 'b'] }), { 'event.name': 'c' })).toBe(false);
    expect(matches(sel({ 'audit.data.n': [1, 2] }), { 'audit.data.n': 2 })).toBe(true);
    expect(matches(sel({ 'audit.data.n': [1, 'x*'] }), { 'audit.data.n': 'xyz' })).toBe(true);
    // Case folding beyond ASCII: the Kelvin sign lower-cases to k.
    expect(matches(sel({ 'audit.data.unit': 'k' }), { 'audit.data.unit': '\u212a' })).toBe(true);
    expect(matches(sel({ 'audit.data.unit': ['k', 'm'] }), { 'audit.data.unit': '\u212a' })).toBe(true);
    expect(matches(sel({ 'event.name': 'a', 'user.id': 'x' }), { 'event.name': 'a', 'user.id': 'y' })).toBe(false);
    expect(matches(sel({ 'audit.data.tags': 'admin' }), { 'audit.data.tags': ['dev', 'admin'] })).toBe(true);
  });
  it('treats null as absent or null, and empty string as empty', () => {
    expect(matches(sel({ 'audit.data.x': null }), {})).toBe(true);
    expect(matches(sel({ 'audit.data.x': null }), { 'audit.data.x': null })).toBe(true);
    expect(matches(sel({ 'audit.data.x': null }), { 'audit.data.x': '' })).toBe(false);
    expect(matches(sel({ 'audit.data.x': '' }), { 'audit.data.x': '' })).toBe(true);
    expect(matches(sel({ 'audit.data.x': '' }), {})).toBe(false);
  });
});

describe('modifiers', () => {
  const cases: [string, unknown, unknown, boolean][] = [
    ['contains', 'dmi', 'ADMIN', true],
    ['contains', 'x', 'admin', false],
    ['startswith', 'http://', 'HTTP://a', true],
    ['startswith', 'http://', 'https://a', false],
    ['endswith', '.exe', 'a.EXE', true],
    ['endswith', '.exe', 'a.exe.txt', false],
    ['contains|all', ['a', 'b'], 'xaxb', true],
    ['contains|all', ['a', 'b'], 'xax', false],
    ['cased', 'Admin', 'Admin', true],
    ['cased', 'Admin', 'admin', false],
    ['neq', 'admin', 'viewer', true],
    ['neq', ['admin', 'owner'], 'owner', false],
    ['re', '^ad.+n$', 'admin', true],
    ['re', '^AD', 'admin', false],
    ['re|i', '^AD', 'admin', true],
    ['re|m', '^b$', 'a\nb', true],
    ['re|s', 'a.b', 'a\nb', true],
    ['re', 'a.b', 'a\nb', false],
    ['re', '(?i)^AD', 'admin', true],
    ['re', '(?is)^AD.b', 'ad\nb', true],
    ['base64', 'admin', 'YWRtaW4=', true],
    ['base64|contains', 'admin', 'xxYWRtaW4=yy', true],
    ['base64offset|contains', 'http', 'aaaaaHR0cA', true],
    ['base64offset|contains', 'http', Buffer.from(' http://x').toString('base64'), true],
    ['base64offset|contains', 'http', Buffer.from('  http://x').toString('base64'), true],
    ['utf16le|base64|contains', 'ab', Buffer.from('ab', 'utf16le').toString('base64'), true],
    ['wide|base64|contains', 'ab', Buffer.from('ab', 'utf16le').toString('base64'), true],
    ['utf16be|base64|contains', 'ab', Buffer.from([0, 0x61, 0, 0x62]).toString('base64'), true],
    ['utf16|base64|contains', 'ab', Buffer.from([0xff, 0xfe, 0x61, 0, 0x62, 0]).toString('base64'), true],
    ['windash|contains', '-enc', 'cmd /enc x', true],
    ['windash|contains', '-enc', 'cmd \u2013enc x', true],
    ['windash|contains', '-enc', 'cmd enc x', false],
    ['lt', 90, 7, true],
    ['lt', 90, '90', false],
    ['lte', 90, 90, true],
    ['gt', 5, 6, true],
    ['gte', 100000, 99999, false],
    ['gte', 100000, 'abc', false],
    ['cidr', '10.0.0.0/8', '10.1.2.3', true],
    ['cidr', '10.0.0.0/8', '11.1.2.3', false],
    ['cidr', ['192.168.0.0/16', '2001:db8::/32'], '2001:db8::1', true],
    ['cidr', '2001:db8::/32', '2001:db9::1', false],
    ['hour', 3, '2026-11-21T03:15:00Z', true],
    ['minute', 15, '2026-11-21T03:15:00Z', true],
    ['day', 21, '2026-11-21T03:15:00Z', true],
    ['week', 47, '2026-11-21T03:15:00Z', true],
    ['month', 11, '2026-11-21T03:15:00Z', true],
    ['year', 2025, '2026-11-21T03:15:00Z', false],
  ];
  it.each(cases)('|%s %j against %j → %s', (modifiers, value, eventValue, expected) => {
    expect(matches(sel({ [`audit.data.v|${modifiers}`]: value }), { 'audit.data.v': eventValue })).toBe(expected);
  });

  it('exists: true and false', () => {
    expect(matches(sel({ 'audit.data.v|exists': true }), { 'audit.data.v': 0 })).toBe(true);
    expect(matches(sel({ 'audit.data.v|exists': true }), {})).toBe(false);
    expect(matches(sel({ 'audit.data.v|exists': false }), {})).toBe(true);
  });
  it('fieldref compares with another field, with contains/startswith/endswith', () => {
    expect(matches(sel({ 'audit.target.id|fieldref': 'user.id' }), { 'audit.target.id': 'Bob', 'user.id': 'bob' })).toBe(true);
    expect(matches(sel({ 'audit.target.id|fieldref': 'user.id' }), { 'audit.target.id': 'bob', 'user.id': 'alice' })).toBe(false);
    expect(matches(sel({ 'audit.target.id|fieldref|startswith': 'user.id' }), { 'audit.target.id': 'bob-2', 'user.id': 'bob' })).toBe(true);
    expect(matches(sel({ 'audit.target.id|fieldref': 'user.id' }), { 'audit.target.id': 'bob' })).toBe(false);
  });
  it('expand replaces placeholders from the options', () => {
    const detection = sel({ 'user.id|expand': '%admins%' });
    const compiled = compileDetection(detection, { placeholders: { admins: ['root', 'alice'] } });
    expect(compiled.match(new AttributeView({ 'user.id': 'alice' }, undefined))).toBe(true);
    expect(compiled.match(new AttributeView({ 'user.id': 'bob' }, undefined))).toBe(false);
    expect(() => compileDetection(detection)).toThrow(/placeholder %admins%/);
  });
  it('keywords search every value; |all ANDs them', () => {
    expect(matches({ keywords: ['forbidden'], condition: 'keywords' }, { 'audit.data.msg': 'access FORBIDDEN here' })).toBe(true);
    expect(matches({ keywords: { '|all': ['a1', 'b2'] }, condition: 'keywords' }, { x: 'a1', y: 'b2' })).toBe(true);
    expect(matches({ keywords: { '|all': ['a1', 'b2'] }, condition: 'keywords' }, { x: 'a1' })).toBe(false);
  });
  it('rejects unknown modifiers, bad values and bad combinations with the field path', () => {
    const error = (d: Record<string, unknown>) => {
      try {
        compileDetection(d);
      } catch (e) {
        return e as DetectionError;
      }
      throw new Error('no error');
    };
    expect(error(sel({ 'a|nope': 'x' }))).toMatchObject({ path: 'detection.selection.a|nope', message: 'unknown modifier "nope"' });
    expect(error(sel({ 'a|gt': 'x' })).message).toMatch(/takes a number/);
    expect(error(sel({ 'a|cidr': '10.0.0.0/99' })).message).toMatch(/not a CIDR/);
    expect(error(sel({ 'a|re': '(' })).message).toMatch(/invalid regular expression/);
    expect(error(sel({ 'a|contains|all': 'x' })).message).toMatch(/at least two/);
    expect(error(sel({ a: ['x', null] })).message).toMatch(/null cannot appear/);
    expect(error(sel({ 'a|exists': 'yes' })).message).toMatch(/true or false/);
  });
});

describe('conditions', () => {
  const detection = {
    sel_a: { 'audit.data.a': 1 },
    sel_b: { 'audit.data.b': 1 },
    filter_c: { 'audit.data.c': 1 },
    _hidden: { 'audit.data.h': 1 },
  };
  const run = (condition: string, attrs: Record<string, unknown>) => matches({ ...detection, condition }, attrs);

  it('gives not > and > or precedence', () => {
    // a or b and c  ==  a or (b and c)
    expect(run('sel_a or sel_b and filter_c', { 'audit.data.a': 1 })).toBe(true);
    expect(run('sel_a or sel_b and filter_c', { 'audit.data.b': 1 })).toBe(false);
    // not a and b  ==  (not a) and b
    expect(run('not sel_a and sel_b', { 'audit.data.b': 1 })).toBe(true);
    expect(run('not sel_a and sel_b', { 'audit.data.a': 1, 'audit.data.b': 1 })).toBe(false);
    expect(run('not (sel_a and sel_b)', { 'audit.data.a': 1 })).toBe(true);
    expect(run('not not sel_a', { 'audit.data.a': 1 })).toBe(true);
  });
  it('parses the tree it evaluates', () => {
    expect(parseCondition('a or b and not c')).toEqual({ type: 'or', items: [{ type: 'id', name: 'a' }, { type: 'and', items: [{ type: 'id', name: 'b' }, { type: 'not', item: { type: 'id', name: 'c' } }] }] });
    expect(parseCondition('1 of sel_* and not all of them')).toEqual({ type: 'and', items: [{ type: 'of', quantifier: 'one', pattern: 'sel_*' }, { type: 'not', item: { type: 'of', quantifier: 'all', pattern: 'them' } }] });
  });
  it('supports 1 of / all of patterns and them, leaving _ names out of them', () => {
    expect(run('1 of sel_*', { 'audit.data.b': 1 })).toBe(true);
    expect(run('all of sel_*', { 'audit.data.b': 1 })).toBe(false);
    expect(run('all of sel_*', { 'audit.data.a': 1, 'audit.data.b': 1 })).toBe(true);
    expect(run('all of them', { 'audit.data.a': 1, 'audit.data.b': 1, 'audit.data.c': 1 })).toBe(true);
    expect(run('1 of them', { 'audit.data.h': 1 })).toBe(false);
    expect(run('1 of sel_* and not 1 of filter_*', { 'audit.data.a': 1, 'audit.data.c': 1 })).toBe(false);
    expect(run('_hidden', { 'audit.data.h': 1 })).toBe(true);
  });
  it('ORs a list of conditions', () => {
    expect(matches({ ...detection, condition: ['sel_a', 'sel_b'] }, { 'audit.data.b': 1 })).toBe(true);
  });
  it('reports syntax errors and unknown identifiers', () => {
    expect(() => run('sel_a and', {})).toThrow(/unexpected end/);
    expect(() => run('(sel_a', {})).toThrow(/missing "\)"/);
    expect(() => run('sel_a sel_b', {})).toThrow(/unexpected "sel_b"/);
    expect(() => run('sel_x', {})).toThrow(/"sel_x", which is not a search identifier/);
    expect(() => run('1 of nothing_*', {})).toThrow(/matches no search identifier/);
    expect(() => run('2 of sel_*', {})).toThrow(/only "1 of" and "all of"/);
    expect(() => run('sel_a | count() > 5', {})).toThrow(/correlation rule/);
  });
});

describe('canonical events resolve rule fields through the contract', () => {
  const rule = `
title: Contract Fields
logsource: {product: otel_audit, service: audit}
detection:
    selection:
        event.name: member.role.assign
        event.domain: acme.audit
        user.id: alice
        enduser.id: alice
        client.address|cidr: 203.0.113.0/24
        audit.outcome: success
        audit.actor.type: user
        audit.target.id: bob
        organization.id: acme
        audit.data.changes.role.to: admin
        audit.data.a.b: 1
    condition: selection
`;
  const event: PartialCanonicalEvent = {
    id: 'e1', name: 'member.role.assign', outcome: 'success', organization: 'acme',
    actor: { id: 'alice', type: 'user', ip: '203.0.113.9' }, target: { type: 'user', id: 'bob' },
    data: { changes: { role: { to: 'admin' } }, 'a.b': 1 },
  };
  it('matches every contract field, with the domain from the options', () => {
    const engine = SigmaEngine.fromText(rule, { domain: 'acme.audit' });
    expect(engine.run([viewOfCanonical(event, 'acme.audit')]).map((m) => m.eventIds)).toEqual([['e1']]);
    expect(engine.run([viewOfCanonical(event, 'other.audit')])).toEqual([]);
    expect(engine.run([viewOfCanonical({ ...event, actor: { id: 'alice', type: 'user', ip: '198.51.100.1' } }, 'acme.audit')])).toEqual([]);
  });
});
