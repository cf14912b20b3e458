// Tests how many lists a query in k-means lists reads (lambda/core/nprobe.ts): the mean nprobe of a
// share as lists grow, and each query's whole number of lists, which keeps that mean on real embeddings.
import fc from 'fast-check';
import { nprobeOf, queryNprobe, vectorUniform } from '../../lambda/core/nprobe';
import { loadMiniLm } from '../support/minilm';

const data = loadMiniLm();

describe('nprobeOf', () => {
  it('reads the same share of the lists as they grow, fraction kept, at least one and at most all', () => {
    expect(nprobeOf(4 / 15, 15)).toBeCloseTo(4, 12);
    expect(nprobeOf(4 / 15, 40)).toBeCloseTo(32 / 3, 12);
    expect(nprobeOf(0.001, 10)).toBe(1);
    expect(nprobeOf(1, 7)).toBe(7);
  });
});

describe('queryNprobe', () => {
  it('reads the whole number below the mean or one more, the same for the same vector (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 200, noNaN: true }), fc.array(fc.float({ noNaN: true }), { minLength: 1, maxLength: 16 }), (mean, values) => {
        const v = Float32Array.from(values);
        const n = queryNprobe(mean, v);
        expect([Math.floor(mean), Math.ceil(mean)]).toContain(n);
        expect(queryNprobe(mean, Float32Array.from(values))).toBe(n);
        if (Number.isInteger(mean)) expect(n).toBe(mean);
      }),
    );
  });

  it('keeps the mean over real embeddings: the share reading one list more is the fraction', () => {
    // GIVEN the MiniLM embeddings as queries
    for (const mean of [3.1, 3.5, 7.85]) {
      // WHEN each reads its whole number of lists
      const reads = data.vectors.map((v) => queryNprobe(mean, v));
      // THEN they average the mean, within the sampling error of the fraction (3 standard errors)
      const f = mean - Math.floor(mean);
      const average = reads.reduce((a, b) => a + b, 0) / reads.length;
      expect(Math.abs(average - mean)).toBeLessThan(3 * Math.sqrt((f * (1 - f)) / reads.length));
    }
  });
});

describe('vectorUniform', () => {
  it('spreads near-equal vectors over [0, 1)', () => {
    // GIVEN one embedding and copies that differ from it in the last bit of one coordinate
    const base = data.vectors[0];
    const copies = Array.from({ length: 400 }, (_, i) => {
      const v = Float32Array.from(base);
      new Uint32Array(v.buffer)[i % v.length] ^= 1;
      return v;
    });
    // THEN their values fill each tenth of [0, 1) about equally (none empty, none over twice its share)
    const tenths = new Array<number>(10).fill(0);
    for (const v of copies) tenths[Math.floor(vectorUniform(v) * 10)]++;
    expect(Math.min(...tenths)).toBeGreaterThan(0);
    expect(Math.max(...tenths)).toBeLessThan(80);
  });
});
