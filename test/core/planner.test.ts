// Tests the query planner on real embeddings: the cheapest plan that reaches the recall target, the entries it
// expects a query to read, plans by collection size, and the query shape.
import { findProbability } from '../../lambda/core/collision';
import { centreOf, Hasher } from '../../lambda/core/hasher';
import { bucketDepth, probeSequence, tableProbes } from '../../lambda/core/multiprobe';
import { CODE_BITS, DEFAULT_INDEX_PARAMS, resolveIndexParams, UNPROFILED } from '../../lambda/core/params';
import { bucketReadFloor, bucketReadUnits, expectedEntriesRead, planAtSize, planQuery, planTableForIndex, queryShape } from '../../lambda/core/planner';
import { ANGLE_BINS, neighbourAngles, profileOf } from '../../lambda/core/profile';
import { exactTopK, loadMiniLm } from '../support/minilm';

const data = loadMiniLm();
// a sample like an upsert batch of a shuffled collection (the set is ordered by source document)
const sample = data.vectors.filter((_, i) => i % 2 === 0).slice(0, 300);
const hasher = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 9, 1, centreOf(sample, 'cosine'));
const profile = profileOf(sample.map((v) => hasher.centredUnit(v)));
const options = { hashTables: 32, partitionBits: 4, recallTarget: 0.95, entryBytes: 92 };

const cost = (n: number, depth: number, probes: number, extraProbes = 0) => bucketReadUnits(profile, n, depth, probes, options, extraProbes);
const anglesAt = new Map<number, Float64Array>();
const recall = (n: number, depth: number, probes: number, extraProbes = 0) => {
  const angles = anglesAt.get(n) ?? anglesAt.set(n, neighbourAngles(profile, n)).get(n)!;
  let r = 0;
  for (let b = 0; b < ANGLE_BINS; b++) if (angles[b] > 0) r += angles[b] * findProbability((b * Math.PI) / 180, depth, probes, 32, 1, extraProbes);
  return r;
};

describe('planQuery', () => {
  it('picks the cheapest depth and probes that reach the recall target (against every total of probes)', () => {
    const L = options.hashTables;
    for (const n of [1000, 100000, 10000000]) {
      // GIVEN every depth, and every total of probes spread over the hash tables, that the planner may choose
      const plan = planQuery(profile, n, options);
      const extra = plan.extraProbes ?? 0;
      // THEN its recall reaches the target, and no choice that also does is cheaper
      expect(plan.recall).toBeGreaterThanOrEqual(0.95);
      expect(plan.recall).toBeCloseTo(recall(n, plan.depth, plan.probes, extra), 9);
      expect(extra).toBeLessThan(L);
      for (let depth = 4; depth <= Math.min(CODE_BITS, Math.ceil(Math.log2(n))); depth++) {
        if (depth < Math.floor(Math.log2(n)) - 12) continue;
        let previous = -1;
        for (let total = 0; total <= 64 * L; total++) {
          const [p, e] = [Math.floor(total / L), total % L];
          const c = cost(n, depth, p, e);
          // read units grow with every probe added: the first total that reaches the target is the depth's
          // cheapest, and past the plan's cost no total can undercut it
          expect(c).toBeGreaterThanOrEqual(previous);
          previous = c;
          if (c > cost(n, plan.depth, plan.probes, extra)) break;
          if (recall(n, depth, p, e) >= 0.95) {
            expect(c).toBeGreaterThanOrEqual(cost(n, plan.depth, plan.probes, extra) - 1e-9);
            break;
          }
        }
      }
    }
  });

  it('adds probes one hash table at a time: recall and read units between those of whole probes per table', () => {
    // GIVEN a plan that spreads its probes unevenly
    const n = 100000;
    const plan = [...Array(8).keys()].map((k) => planQuery(profile, n, { ...options, recallTarget: 0.9 + 0.01 * k })).find((p) => (p.extraProbes ?? 0) > 0);
    expect(plan).toBeDefined();
    const { depth, probes, extraProbes } = plan!;
    // THEN it lies strictly between the whole numbers of probes around it, in recall and in read units
    expect(recall(n, depth, probes, extraProbes)).toBeGreaterThan(recall(n, depth, probes));
    expect(recall(n, depth, probes, extraProbes)).toBeLessThan(recall(n, depth, probes + 1));
    expect(cost(n, depth, probes, extraProbes)).toBeGreaterThan(cost(n, depth, probes));
    expect(cost(n, depth, probes, extraProbes)).toBeLessThan(cost(n, depth, probes + 1));
    // and its floor is one Query call per bucket read
    expect(bucketReadFloor(probes, 32, extraProbes!)).toBeCloseTo(0.5 * (32 * (1 + probes) + extraProbes!), 12);
  });

  it('spends more for a higher target and keeps fixed parameters fixed', () => {
    const n = 1e6;
    const low = planQuery(profile, n, { ...options, recallTarget: 0.8 });
    const high = planQuery(profile, n, { ...options, recallTarget: 0.97 });
    expect(cost(n, high.depth, high.probes)).toBeGreaterThan(cost(n, low.depth, low.probes));
    expect(high.recall).toBeGreaterThan(low.recall);
    const fixedDepth = planQuery(profile, n, { ...options, bucketSize: 64 });
    expect(fixedDepth.depth).toBe(bucketDepth(n, 64, 4));
    expect(planQuery(profile, n, { ...options, probes: 3 }).probes).toBe(3);
  });

  it('returns the best it can when no plan reaches the target', () => {
    const plan = planQuery(profile, 1e6, { ...options, hashTables: 1, recallTarget: 0.999 });
    expect(plan.recall).toBeLessThan(0.999);
    expect(plan.recall).toBeGreaterThan(0);
  });
});

describe('expectedEntriesRead', () => {
  it('counts the entries the real hash tables put in the buckets a query reads (real embeddings)', () => {
    // GIVEN the whole set in the default hash tables, read at depth 6 with 3 probes
    const [depth, probes] = [6, 3];
    const L = hasher.hashTables;
    const shift = CODE_BITS - depth;
    const codes = data.vectors.map((v) => hasher.encode(v).codes);
    let entries = 0;
    let queries = 0;
    for (let qi = 1; qi < codes.length; qi += 4) {
      const eq = hasher.encodeQuery(data.vectors[qi]);
      for (let t = 0; t < L; t++) {
        const reads = new Set(probeSequence(eq.codes[t], eq.margins.subarray(t * CODE_BITS, (t + 1) * CODE_BITS), depth, probes).map((c) => c >>> shift));
        codes.forEach((c, i) => {
          if (i !== qi && reads.has(c[t] >>> shift)) entries++; // the query itself is not an entry it finds
        });
      }
      queries++;
    }
    // THEN the profile of 300 predicts the mean entries read per table within 15 %
    const measured = entries / queries / L;
    expect(Math.abs(expectedEntriesRead(profile, data.vectors.length, depth, probes) / measured - 1)).toBeLessThan(0.15);
  });
});

describe('planTableForIndex and queryShape', () => {
  const index = resolveIndexParams({});
  const plans = planTableForIndex(index, profile, 92);

  it('plans every half-octave of size from the sample to 2^30 and uses the nearest', () => {
    expect(plans.plans).toHaveLength(2 * 30 - plans.from + 1);
    const n = 123456;
    const h = Math.round(2 * Math.log2(n));
    expect(planAtSize(plans, n)).toEqual(plans.plans[h - plans.from]);
    expect(planAtSize(plans, 1)).toEqual(plans.plans[0]);
    expect(planAtSize(plans, 2 ** 40)).toEqual(plans.plans[plans.plans.length - 1]);
    // deeper buckets as the collection grows
    expect(planAtSize(plans, 2 ** 26).depth).toBeGreaterThan(planAtSize(plans, 2 ** 12).depth);
  });

  it('takes the index’s fixed values and the query’s override over the plan, and UNPROFILED before there is one', () => {
    const n = 50000;
    const planned = planAtSize(plans, n);
    expect(queryShape(index, plans, n)).toEqual({ depth: planned.depth, probes: planned.probes, extraProbes: planned.extraProbes ?? 0, expectedRecall: planned.recall });
    expect(queryShape(index, plans, n, 7)).toEqual({ depth: planned.depth, probes: 7, extraProbes: 0 });
    expect(queryShape({ ...index, bucketSize: 32 }, plans, n).depth).toBe(bucketDepth(n, 32, index.partitionBits));
    expect(queryShape({ ...index, probes: 5 }, plans, n)).toMatchObject({ probes: 5, extraProbes: 0 });
    expect(queryShape(index, undefined, n)).toEqual({ depth: bucketDepth(n, UNPROFILED.bucketSize, index.partitionBits), probes: UNPROFILED.probes, extraProbes: 0 });
    // a plan stored before extra probes existed reads as none
    const { extraProbes: _, ...older } = planned;
    expect(queryShape(index, () => older, n).extraProbes).toBe(0);
    expect(queryShape(index, () => ({ ...older, extraProbes: 3 }), n).extraProbes).toBe(3);
  });

  it('predicts the recall the hash tables give on the real embeddings', () => {
    // GIVEN the whole set (778 all-MiniLM-L6-v2 vectors) in the default hash tables, and its plan for 778 vectors
    const n = data.vectors.length;
    const shape = queryShape(index, plans, n);
    const shift = CODE_BITS - shape.depth;
    const codes = data.vectors.map((v) => hasher.encode(v).codes);
    let found = 0;
    let total = 0;
    for (let qi = 0; qi < n; qi += 3) {
      // WHEN each query reads its planned buckets
      const eq = hasher.encodeQuery(data.vectors[qi]);
      const reads = Array.from(
        { length: hasher.hashTables },
        (_, t) => new Set(probeSequence(eq.codes[t], eq.margins.subarray(t * CODE_BITS, (t + 1) * CODE_BITS), shape.depth, tableProbes(shape.probes, shape.extraProbes, t)).map((c) => c >>> shift)),
      );
      for (const i of exactTopK(data.vectors, data.vectors[qi], 10, qi)) {
        if (codes[i].some((c, t) => reads[t].has(c >>> shift))) found++;
        total++;
      }
    }
    // THEN the share of true neighbours among the candidates is what the plan expects, within 0.05
    expect(Math.abs(found / total - shape.expectedRecall!)).toBeLessThan(0.05);
  });
});
