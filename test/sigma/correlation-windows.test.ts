// A group's window after it fires (it is emptied and reused, which must be the
// same as a new window), event_count windows (which keep no values), and
// group-by on one field, on several fields and on none (the engine feeds a
// single group-by value without an array).
import { describe, expect, it } from 'vitest';
import { SigmaEngine, viewOfCanonical, type PartialCanonicalEvent } from '../../src/sigma/index.js';

const base = (name: string, eventName: string) => `
title: ${name}
name: ${name}
logsource: {product: otel_audit, service: audit}
detection:
    selection:
        event.name: ${eventName}
    condition: selection
`;
const at = (minute: number, event: PartialCanonicalEvent): PartialCanonicalEvent => ({ ...event, time: new Date(Date.UTC(2026, 10, 21, 10, minute)).toISOString() });
const login = (minute: number, user: string, id: string, ip = '1.1.1.1', org = 'acme') => at(minute, { id, name: 'auth.login', actor: { id: user, ip }, organization: org });
const matches = (engine: SigmaEngine, events: PartialCanonicalEvent[]) =>
  engine.run(events.map((e) => viewOfCanonical(e))).map((m) => `${m.title}:${m.eventIds.join(',')}${m.group ? ' ' + JSON.stringify(m.group) : ''}`);

describe('correlation windows after a fire', () => {
  it('event_count counts afresh after firing, and old events still expire', () => {
    const engine = SigmaEngine.fromText(`title: Burst\ncorrelation: {type: event_count, rules: [l], group-by: [user.id], timespan: 10m, condition: {gte: 2}}\n---${base('l', 'auth.login')}`);
    // 1,2 fire; 3 alone does not (the window was emptied); 3,4 fire; 5 at +20m is alone; 6 within 10m of 5 fires.
    expect(matches(engine, [login(0, 'a', '1'), login(1, 'a', '2'), login(2, 'a', '3'), login(3, 'a', '4'), login(20, 'a', '5'), login(25, 'a', '6')])).toEqual([
      'Burst:1,2 {"user.id":"a"}',
      'Burst:3,4 {"user.id":"a"}',
      'Burst:5,6 {"user.id":"a"}',
    ]);
    // Expiry after a reuse: 7 is more than 10 minutes before 8.
    expect(matches(engine, [login(0, 'a', '1'), login(1, 'a', '2'), login(2, 'a', '7'), login(13, 'a', '8')])).toEqual(['Burst:1,2 {"user.id":"a"}']);
  });

  it('value_count and temporal forget the values of a fired window', () => {
    const counts = SigmaEngine.fromText(`title: IPs\ncorrelation: {type: value_count, rules: [l], group-by: [user.id], timespan: 1h, condition: {gte: 2, field: client.address}}\n---${base('l', 'auth.login')}`);
    expect(matches(counts, [login(0, 'a', '1', '10.0.0.1'), login(1, 'a', '2', '10.0.0.2'), login(2, 'a', '3', '10.0.0.2'), login(3, 'a', '4', '10.0.0.2'), login(4, 'a', '5', '10.0.0.1')])).toEqual([
      'IPs:1,2 {"user.id":"a"}',
      'IPs:3,4,5 {"user.id":"a"}',
    ]);
    const rules = `---${base('mfa', 'auth.mfa.disable')}---${base('stream', 'audit.stream.delete')}`;
    const temporal = SigmaEngine.fromText(`title: T\ncorrelation: {type: temporal, rules: [mfa, stream], group-by: [user.id], timespan: 30m}\n${rules}`);
    const ordered = SigmaEngine.fromText(`title: O\ncorrelation: {type: temporal_ordered, rules: [mfa, stream], group-by: [user.id], timespan: 30m}\n${rules}`);
    const mfa = (m: number, id: string) => at(m, { id, name: 'auth.mfa.disable', actor: { id: 'a' } });
    const del = (m: number, id: string) => at(m, { id, name: 'audit.stream.delete', actor: { id: 'a' } });
    expect(matches(temporal, [mfa(0, 'm1'), del(1, 'd1'), del(2, 'd2'), mfa(3, 'm2')])).toEqual(['T:m1,d1 {"user.id":"a"}', 'T:d2,m2 {"user.id":"a"}']);
    expect(matches(ordered, [mfa(0, 'm1'), del(1, 'd1'), del(2, 'd2'), mfa(3, 'm2'), del(4, 'd3')])).toEqual(['O:m1,d1 {"user.id":"a"}', 'O:m2,d3 {"user.id":"a"}']);
  });

  it('groups by several fields, by one and by none', () => {
    const two = SigmaEngine.fromText(`title: Two\ncorrelation: {type: event_count, rules: [l], group-by: [user.id, organization.id], timespan: 10m, condition: {gte: 2}}\n---${base('l', 'auth.login')}`);
    expect(matches(two, [login(0, 'a', '1', 'x', 'o1'), login(1, 'a', '2', 'x', 'o2'), login(2, 'a', '3', 'x', 'o1'), login(3, 'b', '4', 'x', 'o2'), login(4, 'a', '5', 'x', 'o2')])).toEqual([
      'Two:1,3 {"user.id":"a","organization.id":"o1"}',
      'Two:2,5 {"user.id":"a","organization.id":"o2"}',
    ]);
    const none = SigmaEngine.fromText(`title: None\ncorrelation: {type: event_count, rules: [l], timespan: 10m, condition: {gte: 3}}\n---${base('l', 'auth.login')}`);
    expect(matches(none, [login(0, 'a', '1'), login(1, 'b', '2'), login(2, 'c', '3')])).toEqual(['None:1,2,3 {}']);
    // A missing group-by value groups as null.
    const one = SigmaEngine.fromText(`title: One\ncorrelation: {type: event_count, rules: [l], group-by: [organization.id], timespan: 10m, condition: {gte: 2}}\n---${base('l', 'auth.login')}`);
    const bare = (m: number, id: string): PartialCanonicalEvent => at(m, { id, name: 'auth.login', actor: { id: 'a' } });
    expect(matches(one, [bare(0, '1'), login(1, 'a', '2', 'x', 'o1'), bare(2, '3'), login(3, 'a', '4', 'x', 'o1')])).toEqual([
      'One:1,3 {"organization.id":null}',
      'One:2,4 {"organization.id":"o1"}',
    ]);
  });
});
