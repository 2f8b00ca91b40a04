// The fast canonical form (JSON.stringify with the sorted member names) is
// byte for byte what the reference RFC 8785 library makes after the same
// normalisation, for any JSON value: the emitter and verify must hash the same bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalSlow } from '../../src/integrity/canonical.js';

const key = fc.oneof(fc.string(), fc.constantFrom('a', 'b', 'A', 'é', 'ä', '\u{1F600}', '10', '2', '', 'a.b', '__proto__x'));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }).filter((t) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(t))), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
}));

describe('canonicalJson', () => {
  it('equals the RFC 8785 reference (canonicalize) after normalisation', () => {
    fc.assert(fc.property(json.object, (value) => {
      expect(canonicalJson(value)).toBe(canonicalSlow(value));
    }), { numRuns: 2000 });
  });

  it('leaves out null and undefined members, keeps nulls in arrays, and sorts by UTF-16 code units', () => {
    expect(canonicalJson({ b: 1, a: null, c: undefined, d: [null, undefined, 2], é: { z: 1, y: 2 }, E: true })).toBe('{"E":true,"b":1,"d":[null,null,2],"é":{"y":2,"z":1}}');
    expect(canonicalJson({ '\u{1F600}': 1, '\uFB33': 2 })).toBe(canonicalSlow({ '\u{1F600}': 1, '\uFB33': 2 }));
    expect(canonicalJson({ n: -0, big: 1e21, small: 1e-7 })).toBe('{"big":1e+21,"n":0,"small":1e-7}');
    const awkward = { 'k"\\': 'a"b\\c\n\u0001\u007f\u2028 \u{1F600}', [String.fromCharCode(0x1f)]: 'x' };
    expect(canonicalJson(awkward)).toBe(canonicalSlow(awkward));
  });
});
