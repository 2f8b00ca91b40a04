import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/event/uuid.js';

describe('uuidv7', () => {
  it('has the RFC 9562 layout, the time in its first 48 bits, and is unique', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (ms) => {
        const id = uuidv7(ms);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(parseInt(id.replace('-', '').slice(0, 12), 16)).toBe(ms);
      }),
    );
    expect(new Set(Array.from({ length: 10_000 }, () => uuidv7(1_700_000_000_000))).size).toBe(10_000);
  });

  it('sorts by time', () => {
    const ids = [1, 2, 300, 4_000_000, 1_795_270_569_598].map((ms) => uuidv7(ms));
    expect(ids.slice().sort()).toEqual(ids);
  });
});
