// Tests the multi-probe sequence (home bucket first, distinct buckets, cost order) and the bucket depth by collection size.
import fc from 'fast-check';
import { bucketDepth, probeSequence } from '../../lambda/core/multiprobe';
import { CODE_BITS } from '../../lambda/core/params';

/** Bits `from` to `to` (exclusive, most significant first) of a CODE_BITS-wide code as '0'/'1'. */
const codeBits = (code: number, from: number, to: number) => {
  let s = '';
  for (let j = from; j < to; j++) s += (code >>> (CODE_BITS - 1 - j)) & 1 ? '1' : '0';
  return s;
};

describe('probeSequence (query-directed multi-probe)', () => {
  const margins = fc.array(fc.float({ min: 0, max: 10, noNaN: true }), { minLength: CODE_BITS, maxLength: CODE_BITS });

  it('starts at the home bucket and yields distinct buckets that differ only within the depth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** CODE_BITS - 1 }), margins, fc.integer({ min: 1, max: CODE_BITS }), fc.integer({ min: 0, max: 40 }), (code, m, depth, probes) => {
        const seq = probeSequence(code, m, depth, probes);
        expect(seq[0]).toBe(code);
        expect(seq.length).toBe(Math.min(probes + 1, 2 ** depth));
        const prefixes = seq.map((c) => codeBits(c, 0, depth));
        expect(new Set(prefixes).size).toBe(seq.length);
        for (const c of seq) expect(codeBits(c, depth, CODE_BITS)).toBe(codeBits(code, depth, CODE_BITS));
      }),
    );
  });

  it('orders probes by the sum of squared margins of the flipped bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** CODE_BITS - 1 }), margins, (code, m) => {
        const seq = probeSequence(code, m, 10, 30);
        const cost = (c: number) => {
          let s = 0;
          for (let j = 0; j < 10; j++) if (((c ^ code) >>> (CODE_BITS - 1 - j)) & 1) s += m[j] * m[j];
          return s;
        };
        for (let i = 2; i < seq.length; i++) expect(cost(seq[i])).toBeGreaterThanOrEqual(cost(seq[i - 1]) - 1e-6);
      }),
    );
  });
});

describe('bucketDepth', () => {
  it('grows with log2 of the collection size, between partitionBits and CODE_BITS', () => {
    expect(bucketDepth(0, 16, 4)).toBe(4);
    expect(bucketDepth(16 * 2 ** 10, 16, 4)).toBe(10);
    expect(bucketDepth(16 * 2 ** 11, 16, 4)).toBe(11);
    expect(bucketDepth(1e12, 16, 4)).toBe(CODE_BITS);
  });
});
