// The cheap suffix patterns the renderer masks with (src/collector/contract.ts)
// against the contract's own sensitive.attributePattern, read from the file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectorContract, jsRegExp, suffixPatterns } from '../../src/collector/contract.js';
import { root } from './examples.js';

const contract = JSON.parse(readFileSync(join(root, 'schemas', 'contract.json'), 'utf8')) as {
  fields: { field: string; attributePrefix?: string }[];
  sensitive: { names: string[]; attributePattern: string };
};
const prefix = contract.fields.find((f) => f.field === 'data')!.attributePrefix!;
const official = new RegExp(contract.sensitive.attributePattern);
const patterns = collectorContract().sensitiveSuffixPatterns;
// Node 24 has RE2's (?i:…) groups natively: an independent check of jsRegExp too.
const native = patterns.map((p) => new RegExp(p));
const fast = (key: string) => native.some((re) => re.test(key));

/** Keys like the emitter's data keys: segments of letters (also the sensitive names), digits, _ and -, joined by dots. */
const keyPart = fc.oneof(
  fc.constantFrom(...contract.sensitive.names, 'private_key', 'api-key', 'Access_Key', 'tokenCount', 'count', 'Bearer', 'x'),
  fc.string({ unit: fc.constantFrom(...'aAcCdDeEiIkKnNoOpPrRsStTwWyYzZ019_-'.split('')), minLength: 1, maxLength: 12 }),
);
const segment = fc.array(keyPart, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''));
const dottedKey = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => segments.join('.'));

describe('the collector suffix patterns', () => {
  it('are one per first letter and case of the contract names', () => {
    const letters = new Set(contract.sensitive.names.map((n) => n[0]!));
    expect(patterns).toHaveLength(letters.size * 2);
    for (const name of contract.sensitive.names) {
      for (const key of [name, name.toUpperCase(), `my${name[0]!.toUpperCase()}${name.slice(1)}`]) expect(fast(key), key).toBe(true);
    }
  });

  it('decide like sensitive.attributePattern on audit.data.* attributes', () => {
    fc.assert(fc.property(dottedKey, (key) => {
      expect(fast(prefix + key), prefix + key).toBe(official.test(prefix + key));
    }), { numRuns: 20_000 });
  });

  it('decide like the contract on a body key (a nested key of the data object)', () => {
    fc.assert(fc.property(dottedKey, (key) => {
      expect(fast(key), key).toBe(official.test(prefix + key));
    }), { numRuns: 20_000 });
  });

  it('never let a key through that the contract pattern masks, whatever its characters', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (key) => {
      if (official.test(prefix + key)) expect(fast(prefix + key)).toBe(true);
    }), { numRuns: 20_000 });
  });

  it('mask more than the contract only where a key starts with an empty segment', () => {
    // ".password": the contract's (?:.+\.)? needs a character before the dot.
    expect(official.test(`${prefix}.password`)).toBe(false);
    expect(fast(`${prefix}.password`)).toBe(true);
  });

  it('translate to the same JavaScript RegExp on Node 22 (no (?i:) groups there)', () => {
    fc.assert(fc.property(dottedKey, (key) => {
      expect(patterns.some((p) => jsRegExp(p).test(key))).toBe(fast(key));
    }), { numRuns: 5_000 });
  });

  it('refuse a contract pattern they cannot follow, naming the file', () => {
    expect(() => suffixPatterns('(?:token)$')).toThrow(/schemas\/contract\.json sensitive\.attributePattern/);
    expect(() => suffixPatterns('[^.]*(?:[Tt]oken)$')).toThrow(/not made of \[Xx\] letter classes/);
  });
});
