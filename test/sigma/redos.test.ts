// Denial of service through rules: patterns an attacker (or a careless rule
// author) writes must not make matching or compiling take seconds. Wildcards
// go through a glob matcher, not a backtracking RegExp; `re` through RE2
// (re2js, linear time), with constructs outside RE2 refused at compile time.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandPattern } from '../../src/sigma/condition.js';
import { numericValue } from '../../src/sigma/correlation.js';
import { compileDetection, DetectionError } from '../../src/sigma/detection.js';
import { AttributeView } from '../../src/sigma/events.js';
import { checkPack, SigmaEngine, SigmaError } from '../../src/sigma/index.js';

/** Generous for a shared 2-core machine: each case took seconds to minutes before. */
const BUDGET_MS = 1000;

function timed<T>(work: () => T): T {
  const started = performance.now();
  const result = work();
  expect(performance.now() - started).toBeLessThan(BUDGET_MS);
  return result;
}

const matcher = (selection: Record<string, unknown>) => {
  const { match } = compileDetection({ selection, condition: 'selection' });
  return (value: unknown) => match(new AttributeView({ 'audit.data.q': value }, undefined));
};

describe('backtracking patterns match in linear time', () => {
  it('re: ^(a+)+$ on 27 characters (8.5 s with RegExp)', () => {
    const match = matcher({ 'audit.data.q|re': '^(a+)+$' });
    expect(timed(() => match('a'.repeat(27) + '!'))).toBe(false);
    expect(timed(() => match('a'.repeat(100_000) + '!'))).toBe(false);
    expect(timed(() => match('a'.repeat(27)))).toBe(true);
  });

  it('a 13-wildcard value on 100 characters (over two minutes as a RegExp)', () => {
    const match = matcher({ 'audit.data.q': '*a*a*a*a*a*a*a*a*a*a*a*a*b' });
    expect(timed(() => match('a'.repeat(100)))).toBe(false);
    expect(timed(() => match('a'.repeat(100_000)))).toBe(false);
    expect(match('a'.repeat(99) + 'b')).toBe(true);
    expect(match('A'.repeat(99) + 'B')).toBe(true);
    const withAny = matcher({ 'audit.data.q': '*a?a?a?a?a?a?a?a?a?a?a?a?b' });
    expect(timed(() => withAny('a'.repeat(100_000)))).toBe(false);
    expect(withAny('a'.repeat(30) + 'b')).toBe(true);
  });

  it("'*select*from*where*' on a 56 KB value (2.2 s per event as a RegExp)", () => {
    const match = matcher({ 'audit.data.q': '*select*from*where*' });
    const value = ('select ' + 'from '.repeat(11_200)).slice(0, 56_000);
    expect(timed(() => {
      let hits = 0;
      for (let i = 0; i < 20; i++) if (match(value)) hits++;
      return hits;
    })).toBe(0);
    expect(match(value + ' WHERE x')).toBe(true);
    expect(matcher({ 'audit.data.q|contains': 'select*from*where' })(value)).toBe(false);
  });

  it('1 of a*a*…b in a condition, over a long search identifier name (78 s as a RegExp)', () => {
    expect(timed(() => expandPattern('a*a*a*a*a*a*a*a*a*a*a*a*b', ['a'.repeat(40), 'ab', 'a'.repeat(12) + 'b', 'sel']))).toEqual(['a'.repeat(12) + 'b']);
    expect(expandPattern('sel_*', ['sel_a', 'sel_b', 'filter'])).toEqual(['sel_a', 'sel_b']);
    expect(expandPattern('a.b?', ['a.b?', 'axbc'])).toEqual(['a.b?']);
  });

  it('cidr on a long value with a colon, and numeric strings with many digits (6 s and 10 s before)', () => {
    const v6 = matcher({ 'audit.data.q|cidr': '::1/128' });
    expect(timed(() => v6('1:' + '1'.repeat(50_000) + 'x'))).toBe(false);
    expect(v6('::1')).toBe(true);
    expect(matcher({ 'audit.data.q|cidr': '::ffff:0:0/96' })('::ffff:10.1.2.3')).toBe(true);
    expect(timed(() => numericValue('1'.repeat(50_000) + 'x'))).toBeUndefined();
    expect(numericValue('12.5e3')).toBe(12_500);
    expect(numericValue('-.5')).toBe(-0.5);
    expect(numericValue('7.')).toBe(7);
  });

  it('refuses windash on a value with so many options that its variants would not fit (5^8 took 1.8 s, 5^12 runs out of memory)', () => {
    const error = timed(() => {
      try {
        compileDetection({ selection: { 'a|windash|contains': Array.from({ length: 12 }, (_, i) => ` -o${i}`).join('') }, condition: 'selection' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    });
    expect(error).toBeInstanceOf(DetectionError);
    expect((error as DetectionError).message).toMatch(/"windash" would make 5\^12 variants/);
    expect(compileDetection({ selection: { 'a|windash|contains': ' -a -b -c -d -e' }, condition: 'selection' }).match(new AttributeView({ a: 'x /a \u2013b -c /d -e' }, undefined))).toBe(true);
  });
});

describe('re: RE2 syntax and semantics', () => {
  const re = (pattern: unknown, value: unknown, modifiers = '') => matcher({ [`audit.data.q|re${modifiers}`]: pattern })(value);

  it('keeps what rules use: flags, inline flags, classes, anchors, numbers and lists', () => {
    expect(re('^adm.n$', 'admin')).toBe(true);
    expect(re('^ADMIN$', 'admin')).toBe(false);
    expect(re('^ADMIN$', 'admin', '|i')).toBe(true);
    expect(re('(?i)^ADMIN$', 'admin')).toBe(true);
    expect(re('a(?i:B)c', 'abc')).toBe(true);
    expect(re('^b$', 'a\nb', '|m')).toBe(true);
    expect(re('^b$', 'a\nb')).toBe(false);
    expect(re('a.b', 'a\nb', '|s')).toBe(true);
    expect(re('a.b', 'a\nb')).toBe(false);
    expect(re('^\\d{3}$', 123)).toBe(true);
    expect(re('^tr', true)).toBe(true);
    expect(re('^x', ['a', 'xy'])).toBe(true);
    expect(re('^(?P<user>[a-z]+)@', 'bob@example.com')).toBe(true);
    expect(re('\\p{Greek}', 'αβγ')).toBe(true);
  });

  it('refuses backtracking-only constructs, naming the construct, file, line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-re2-'));
    const cases: [string, RegExp][] = [
      ['(a)\\1', /a backreference \(\\1\)/],
      ['foo(?=bar)', /a lookahead/],
      ['foo(?!bar)', /a negative lookahead/],
      ['(?<=x)foo', /a lookbehind/],
      ['(?<!x)foo', /a negative lookbehind/],
      ['(?>a+)b', /an atomic group/],
      ['a++b', /a possessive quantifier/],
      ['(?P<n>a)(?P=n)', /a named backreference/],
    ];
    for (const [pattern, construct] of cases) {
      const file = join(dir, 'rule.yml');
      writeFileSync(file, `title: T\nlogsource: {product: otel_audit, service: audit}\ndetection:\n    selection:\n        event.name: a.b\n        user.id|re: '${pattern}'\n    condition: selection\n`);
      let error: unknown;
      try {
        SigmaEngine.fromPaths([file]);
      } catch (caught) {
        error = caught;
      }
      expect(error, pattern).toBeInstanceOf(SigmaError);
      const sigmaError = error as SigmaError;
      expect(sigmaError.code).toBe('SIGMA_RULE_INVALID');
      expect(sigmaError.file).toBe(file);
      expect([sigmaError.line, sigmaError.column]).toEqual([6, 21]);
      expect(sigmaError.message).toMatch(construct);
      expect(sigmaError.message).toMatch(/RE2 syntax, matched in linear time/);
      const issues = checkPack([dir], { skipConventions: true }).issues;
      expect(issues).toContainEqual(expect.objectContaining({ file, path: 'detection.selection.user.id|re', severity: 'error', message: expect.stringMatching(construct) as unknown }));
      expect(issues.find((i) => i.path === 'detection.selection.user.id|re')).toMatchObject({ line: 6, column: 21 });
    }
    // In a character class or escaped, the same characters are fine.
    expect(re('[(?=]x', '=x')).toBe(true);
    expect(re('\\(\\?=', '(?=')).toBe(true);
  });

  it('refuses syntax errors and RE2 limits as a DetectionError', () => {
    for (const pattern of ['(', '\\u0041', 'a{1001}', '('.repeat(2000) + 'a' + ')'.repeat(2000)]) {
      expect(() => compileDetection({ selection: { 'a|re': pattern }, condition: 'selection' }), pattern.slice(0, 20)).toThrow(/invalid regular expression/);
    }
  });
});
