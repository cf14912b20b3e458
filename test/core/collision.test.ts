// Tests the LSH collision model (the chance a query's probes find a vector at a given angle) and the perturbation sets.
import fc from 'fast-check';
import { findProbability, MAX_PROBE_RANK, normalCdf, tableHitProbability } from '../../lambda/core/collision';
import { Hasher } from '../../lambda/core/hasher';
import { perturbationSets, probeSequence } from '../../lambda/core/multiprobe';
import { CODE_BITS } from '../../lambda/core/params';
import { xoshiro128ss } from '../../lambda/core/prng';

const rad = (deg: number) => (deg * Math.PI) / 180;

describe('perturbationSets', () => {
  it('lists every set of the first bits in order of cost, as a brute-force sort does (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.001, max: 10, noNaN: true }), { minLength: CODE_BITS, maxLength: CODE_BITS }), fc.integer({ min: 1, max: 7 }), (margins, depth) => {
        // GIVEN all 2^depth - 1 non-empty sets of the first `depth` bits, sorted by cost
        const cost = (set: number[]) => set.reduce((s, j) => s + margins[j] * margins[j], 0);
        const all: number[][] = [];
        for (let mask = 1; mask < 1 << depth; mask++) all.push([...Array(depth).keys()].filter((j) => mask & (1 << j)));
        all.sort((a, b) => cost(a) - cost(b));
        // WHEN the sets are enumerated
        const sets = perturbationSets(margins, depth, all.length + 5);
        // THEN they are all of them, each once, with the same costs in the same order
        expect(sets).toHaveLength(all.length);
        expect(new Set(sets.map((s) => [...s].sort().join(','))).size).toBe(all.length);
        sets.forEach((s, i) => expect(cost(s)).toBeCloseTo(cost(all[i]), 9));
      }),
    );
  });

  it('is what probeSequence flips', () => {
    const margins = Array.from({ length: CODE_BITS }, (_, j) => ((j * 7919) % 97) / 10 + 0.01);
    const code = 0xa5a5a5;
    const flipped = perturbationSets(margins, 12, 20).map((set) => set.reduce((c, j) => c ^ (1 << (CODE_BITS - 1 - j)), code) >>> 0);
    expect(probeSequence(code, margins, 12, 20)).toEqual([code, ...flipped]);
  });
});

describe('collision model', () => {
  it('gives the closed form (1 - θ/π)^d for exact-match buckets (Charikar 2002)', () => {
    for (const deg of [10, 30, 50, 70]) {
      for (const depth of [4, 10, 16]) {
        const exact = Math.pow(1 - deg / 180, depth);
        expect(Math.abs(tableHitProbability(rad(deg), depth, 0) / exact - 1)).toBeLessThan(0.05);
      }
    }
  });

  it('finds more with more probes and fewer with deeper buckets or wider angles', () => {
    for (const deg of [20, 45, 70]) {
      let last = 0;
      for (const probes of [0, 1, 2, 4, 8, 16, 32, MAX_PROBE_RANK]) {
        const p = tableHitProbability(rad(deg), 12, probes);
        expect(p).toBeGreaterThanOrEqual(last);
        last = p;
      }
    }
    expect(tableHitProbability(rad(30), 14, 4)).toBeLessThan(tableHitProbability(rad(30), 10, 4));
    expect(tableHitProbability(rad(50), 12, 4)).toBeLessThan(tableHitProbability(rad(30), 12, 4));
    expect(tableHitProbability(0, 24, 0)).toBe(1);
    expect(findProbability(rad(40), 12, 4, 32)).toBeCloseTo(1 - Math.pow(1 - tableHitProbability(rad(40), 12, 4), 32), 12);
    // 5 of the 32 tables probe one bucket more; each table's hit probability scaled by 0.9
    const [p, pMore] = [tableHitProbability(rad(40), 12, 4), tableHitProbability(rad(40), 12, 5)];
    expect(findProbability(rad(40), 12, 4, 32, 0.9, 5)).toBeCloseTo(1 - Math.pow(1 - 0.9 * p, 27) * Math.pow(1 - 0.9 * pMore, 5), 12);
    expect(findProbability(rad(40), 12, 4, 32, 1, 5)).toBeGreaterThan(findProbability(rad(40), 12, 4, 32));
    expect(findProbability(rad(40), 12, 4, 32, 1, 5)).toBeLessThan(findProbability(rad(40), 12, 5, 32));
  });

  it('predicts how often the real hash tables and probe sequence find a vector at a given angle', () => {
    // GIVEN pairs of vectors at exactly 40 degrees (query q, vector x = cos θ q + sin θ u, u ⟂ q), 32 hash tables each
    const dim = 64;
    const hasher = new Hasher(dim, 'euclidean', { hashTables: 32, sketchBits: 32 }, 3, 1);
    const next = xoshiro128ss(11);
    const gauss = () => {
      const a = (next() + 0.5) / 4294967296;
      return Math.sqrt(-2 * Math.log(a)) * Math.cos((2 * Math.PI * next()) / 4294967296);
    };
    const unit = (v: Float32Array) => {
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    };
    const theta = rad(40);
    const [depth, probes] = [10, 6];
    let hits = 0;
    let trials = 0;
    for (let pair = 0; pair < 150; pair++) {
      const q = unit(Float32Array.from({ length: dim }, gauss));
      let u = Float32Array.from({ length: dim }, gauss);
      const dot = u.reduce((s, x, i) => s + x * q[i], 0);
      u = unit(u.map((x, i) => x - dot * q[i]));
      const x = q.map((qi, i) => Math.cos(theta) * qi + Math.sin(theta) * u[i]);
      const eq = hasher.encodeQuery(q);
      const ex = hasher.encode(x);
      const shift = CODE_BITS - depth;
      for (let t = 0; t < 32; t++) {
        // WHEN the query probes its buckets of `depth` bits in table t
        const margins = eq.margins.subarray(t * CODE_BITS, (t + 1) * CODE_BITS);
        const reads = probeSequence(eq.codes[t], margins, depth, probes).map((c) => c >>> shift);
        if (reads.includes(ex.codes[t] >>> shift)) hits++;
        trials++;
      }
    }
    // THEN the share found matches the model's probability (4,800 trials: standard error about 0.007)
    expect(Math.abs(hits / trials - tableHitProbability(theta, depth, probes))).toBeLessThan(0.03);
  });

  it('gives the same probabilities for few probes before and after a larger probe count is modelled at that angle', () => {
    // GIVEN an angle no other test asks about, modelled first for at most 8 probes
    const theta = (131 * Math.PI) / 180;
    const few = [0, 1, 4, 8].map((p) => [6, 12, 20].map((d) => tableHitProbability(theta, d, p)));
    // WHEN a probe count past 8 is asked for at the same angle (the model adds the ranks past 8)
    const many = tableHitProbability(theta, 12, 40);
    // THEN the smaller counts are unchanged to the bit, and more probes find more
    expect([0, 1, 4, 8].map((p) => [6, 12, 20].map((d) => tableHitProbability(theta, d, p)))).toEqual(few);
    expect(many).toBeGreaterThan(tableHitProbability(theta, 12, 8));
  });

  it('rejects a depth or probe count outside the model', () => {
    expect(() => tableHitProbability(1, CODE_BITS + 1, 0)).toThrow(/depth must be an integer in 0..24/);
    expect(() => tableHitProbability(1, 10, MAX_PROBE_RANK + 1)).toThrow(/probes must be an integer in 0..64/);
  });

  it('computes the normal CDF', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });
});
