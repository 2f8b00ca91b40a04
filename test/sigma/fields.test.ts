// Field names are interned per engine, not for the life of the process: a
// long-lived process compiling rule set after rule set holds only the fields
// of the engines it keeps, and a field of one engine still reads an event
// scanned for another (by name).
import { describe, expect, it } from 'vitest';
import { compileField } from '../../src/sigma/events.js';
import { SigmaEngine } from '../../src/sigma/index.js';

const ruleText = (fields: string[]) => `
title: r
logsource: {product: otel_audit}
detection:
  selection:
    event.name: auth.login
${fields.map((f) => `    ${f}: x`).join('\n')}
  condition: selection
`;

describe('compiled fields', () => {
  it('are numbered per engine: after 2000 rule sets with new field names, a new engine numbers its own from 0', () => {
    for (let i = 0; i < 2000; i++) SigmaEngine.fromText(ruleText([`audit.data.f${i}`, `audit.data.g${i}`]));
    const engine = SigmaEngine.fromText(ruleText(['user.id', 'audit.data.last']));
    expect(engine.fields.map((f) => f.slot).sort((a, b) => a - b)).toEqual(engine.fields.map((_, i) => i));
  });

  it('one engine interns a name once, so its rules share the field', () => {
    const engine = SigmaEngine.fromText(`${ruleText(['user.id'])}---${ruleText(['user.id', 'audit.outcome'])}`);
    expect(engine.fields.map((f) => f.name).sort()).toEqual(['audit.outcome', 'event.name', 'user.id']);
  });

  it("a field of another engine, or compiled outside one, reads a scanned event by name", () => {
    const a = SigmaEngine.fromText(ruleText(['audit.data.a', 'user.id']));
    const b = SigmaEngine.fromText(ruleText(['user.id'])); // user.id has another slot here
    const line = '{"event.name":"auth.login","user.id":"x","audit.data.a":"y"}';
    const view = a.jsonLineReader()!(line, 0, line.length)!;
    const userOfB = b.fields.find((f) => f.name === 'user.id')!;
    const userOfA = a.fields.find((f) => f.name === 'user.id')!;
    expect(userOfB.slot).not.toBe(userOfA.slot);
    expect(view.value(userOfA)).toBe('x');
    expect(view.value(userOfB)).toBe('x');
    expect(view.value(compileField('audit.data.a'))).toBe('y');
    expect(view.value(compileField('audit.data.none'))).toBeUndefined();
    expect(b.matchingRules(view)).toHaveLength(1);
  });
});
