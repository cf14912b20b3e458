import fc from 'fast-check';
import { bucketDepth, estimateDistance, Hasher, hamming, packSketch, probeSequence, unpackSketch } from '../../lambda/core/lsh';
import { CODE_BITS, DEFAULT_INDEX_PARAMS } from '../../lambda/core/params';
import { loadMiniLm } from '../support/minilm';

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

describe('Hasher on real embeddings', () => {
  const data = loadMiniLm();
  const hasher = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 11, 1);

  it('regenerates identical codes from the seed', () => {
    const again = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 11, 1);
    expect(again.encode(data.vectors[5]).codes).toEqual(hasher.encode(data.vectors[5]).codes);
  });

  it('gives near neighbours closer sketches than far vectors (SimHash)', () => {
    // the Hamming distance estimates the angle: it must correlate with the true cosine
    const q = data.vectors[0];
    const eq = hasher.encode(q);
    const pairs = data.vectors.slice(1, 300).map((v) => {
      let cos = 0;
      for (let i = 0; i < v.length; i++) cos += v[i] * q[i];
      return { cos, h: hamming(eq.sketch, hasher.encode(v).sketch) };
    });
    const near = pairs.filter((p) => p.cos > 0.6);
    const far = pairs.filter((p) => p.cos < 0.2);
    expect(near.length).toBeGreaterThan(0);
    const avg = (xs: { h: number }[]) => xs.reduce((s, p) => s + p.h, 0) / xs.length;
    expect(avg(near)).toBeLessThan(avg(far));
  });

  it('round-trips the packed sketch and estimates self-distance as the smallest', () => {
    const e = hasher.encode(data.vectors[3]);
    const u = unpackSketch(packSketch(e));
    expect(u.sketch).toEqual(e.sketch);
    // bfloat16: relative error at most 2^-9
    expect(Math.abs(u.norm - e.norm)).toBeLessThanOrEqual(e.norm * 2 ** -9);
    expect(Math.abs(u.offset - e.offset)).toBeLessThanOrEqual(Math.abs(e.offset) * 2 ** -9);
    const self = estimateDistance('cosine', e, u.sketch, u.norm, u.offset);
    const other = hasher.encode(data.vectors[400]);
    expect(self).toBeLessThan(estimateDistance('cosine', e, other.sketch, other.norm, other.offset));
  });
});
