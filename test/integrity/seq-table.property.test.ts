// verify keeps a stream's records in a SeqTable instead of a Map (faster for
// dense sequence numbers): it must answer as the Map did, for any sequence
// numbers, forged ones beyond array indices included, in any order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeqTable } from '../../src/integrity/seq-table.js';

const seqs = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 300 }) }, { weight: 1, arbitrary: fc.constantFrom(2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 1e9) });

describe('SeqTable', () => {
  it('answers get, has, size, keys and entries as a Map of the first value set for each number', () => {
    fc.assert(
      fc.property(fc.array(seqs, { maxLength: 200 }), fc.array(seqs, { maxLength: 50 }), (sets, probes) => {
        const table = new SeqTable<string>();
        const map = new Map<number, string>();
        sets.forEach((seq, i) => {
          if (map.has(seq)) return; // verify sets each number once
          map.set(seq, `r${i}`);
          table.set(seq, `r${i}`);
        });
        expect(table.size).toBe(map.size);
        expect([...table.keys()]).toEqual([...map.keys()]);
        expect([...table]).toEqual([...map]);
        for (const seq of [...probes, ...probes.map((s) => s - 1), ...probes.map((s) => s + 1), 0]) {
          expect(table.get(seq)).toBe(map.get(seq));
          expect(table.has(seq)).toBe(map.has(seq));
        }
      }),
      { numRuns: 500 },
    );
  });
});
