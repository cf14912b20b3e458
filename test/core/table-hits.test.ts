// Tests the calibration by hits per hash table: the hits expected of a result that was found, the factor
// recovered from simulated results, and the arrivals a query's candidate set counts.
import { tableHitProbability } from '../../lambda/core/collision';
import { centreOf, Hasher } from '../../lambda/core/hasher';
import { resolveIndexParams } from '../../lambda/core/params';
import { xoshiro128ss } from '../../lambda/core/prng';
import { CandidateSet, planSearch } from '../../lambda/core/search';
import { packSketch } from '../../lambda/core/sketch-format';
import { addTableHits, expectedHitsGivenFound, HIT_SCALES, hitScaleOf, tableHitsOf } from '../../lambda/core/table-hits';
import { loadMiniLm } from '../support/minilm';

const radians = (deg: number) => (deg * Math.PI) / 180;

/** Uniform draws in [0, 1) from the pinned generator. */
function uniform(seed: number): () => number {
  const next = xoshiro128ss(seed);
  return () => next() / 2 ** 32;
}

/**
 * Hash tables out of `tables` that hold a result when each does with probability p (the first
 * `moreTables` with `pMore`), drawn until at least one does (a result was found).
 */
function arrivalsGivenFound(random: () => number, p: number, tables: number, pMore = p, moreTables = 0): number {
  for (;;) {
    let hits = 0;
    for (let t = 0; t < tables; t++) if (random() < (t < moreTables ? pMore : p)) hits++;
    if (hits > 0) return hits;
  }
}

describe('the hits expected of a result that was found', () => {
  it('is L·p over the chance of a find: 1 as p tends to 0, L at p = 1, growing with p', () => {
    expect(expectedHitsGivenFound(0, 8)).toBe(1);
    expect(expectedHitsGivenFound(1e-9, 8)).toBeCloseTo(1, 6);
    expect(expectedHitsGivenFound(1, 8)).toBe(8);
    expect(expectedHitsGivenFound(1.3, 8)).toBe(8);
    expect(expectedHitsGivenFound(0.5, 2)).toBeCloseTo(1 / 0.75, 12);
    const grid = [0.01, 0.1, 0.3, 0.6, 0.9].map((p) => expectedHitsGivenFound(p, 8));
    grid.slice(1).forEach((x, i) => expect(x).toBeGreaterThan(grid[i]));
  });

  it('is the mean of simulated hits among the results found at least once', () => {
    const random = uniform(7);
    for (const p of [0.05, 0.3, 0.7]) {
      const trials = 40_000;
      let sum = 0;
      for (let i = 0; i < trials; i++) sum += arrivalsGivenFound(random, p, 8);
      expect(Math.abs(sum / trials - expectedHitsGivenFound(p, 8))).toBeLessThan(0.03);
    }
  });

  it('is the mean of simulated hits when the first tables probe one bucket more, and hit more often', () => {
    // GIVEN 8 tables, 3 of which hit with a higher probability
    const random = uniform(9);
    for (const [p, pMore] of [
      [0.05, 0.2],
      [0.3, 0.45],
    ]) {
      const trials = 40_000;
      let sum = 0;
      let found = 0;
      for (let i = 0; i < trials; i++) {
        let hits = 0;
        for (let t = 0; t < 8; t++) if (random() < (t < 3 ? pMore : p)) hits++;
        if (hits > 0) {
          sum += hits;
          found++;
        }
      }
      // THEN the expected hits given a find are their mean; equal probabilities give the plain form
      expect(Math.abs(sum / found - expectedHitsGivenFound(p, 8, pMore, 3))).toBeLessThan(0.03);
      expect(expectedHitsGivenFound(p, 8, p, 3)).toBeCloseTo(expectedHitsGivenFound(p, 8), 12);
    }
  });
});

describe('the factor a collection’s hash tables hit by', () => {
  const shape = { depth: 12, probes: 4, hashTables: 8 };

  it('recovers the factor that drew the hits of results found at least once', () => {
    // GIVEN results at 15-45 degrees, each held by each table with probability s·p (p the collision model's), all found
    for (const [s, seed] of [[0.6, 5], [0.85, 1], [0.95, 2], [1.05, 3], [1.15, 4], [1.4, 6]] as const) {
      const random = uniform(seed);
      const angles = Array.from({ length: 20_000 }, () => radians(15 + 30 * random()));
      const arrivals = angles.map((a) => arrivalsGivenFound(random, s * tableHitProbability(a, shape.depth, shape.probes), shape.hashTables));
      // WHEN their hits are summed in batches, as instances flush them, and the factor fitted
      let hits;
      for (let from = 0; from < angles.length; from += 160) hits = addTableHits(hits, tableHitsOf(shape, angles.slice(from, from + 160), arrivals.slice(from, from + 160)));
      // THEN it is the factor that drew them
      expect(Math.abs(hitScaleOf(hits) - s)).toBeLessThan(0.02);
      // AND what the model alone expects is off in the same direction
      expect(Math.sign(hits!.observed - hits!.expected[HIT_SCALES.indexOf(1)])).toBe(Math.sign(s - 1));
    }
  });

  it('recovers the factor when the first hash tables probe one bucket more', () => {
    // GIVEN results drawn with 3 of 8 tables at 5 probes, the rest at 4, each table's probability scaled by 0.9
    const mixed = { ...shape, extraProbes: 3 };
    const random = uniform(8);
    const angles = Array.from({ length: 20_000 }, () => radians(15 + 30 * random()));
    const arrivals = angles.map((a) => arrivalsGivenFound(random, 0.9 * tableHitProbability(a, 12, 4), 8, 0.9 * tableHitProbability(a, 12, 5), 3));
    // THEN the factor fitted with the mixed shape is 0.9, and with the extra probes ignored it is not
    expect(Math.abs(hitScaleOf(tableHitsOf(mixed, angles, arrivals)) - 0.9)).toBeLessThan(0.02);
    expect(hitScaleOf(tableHitsOf(shape, angles, arrivals)) - 0.9).toBeGreaterThan(0.02);
  });

  it('is 1 with nothing observed, and stays within the factors it sums at', () => {
    expect(hitScaleOf(undefined)).toBe(1);
    const angles = [20, 25, 30].map(radians);
    const fewest = tableHitsOf(shape, angles, [1, 1, 1]);
    expect(hitScaleOf(fewest)).toBe(HIT_SCALES[0]);
    const most = tableHitsOf(shape, angles, [8, 8, 8]);
    expect(hitScaleOf(most)).toBe(HIT_SCALES[HIT_SCALES.length - 1]);
    // observed hits equal to the expectation at a grid factor fit that factor
    const atGrid = { observed: most.expected[3], expected: most.expected };
    expect(hitScaleOf(atGrid)).toBeCloseTo(HIT_SCALES[3], 9);
  });

  it('refuses arrivals that do not match the results', () => {
    expect(() => tableHitsOf(shape, [radians(20)], [1, 2])).toThrow(/1 angles but 2 arrivals/);
  });
});

describe('the arrivals a query’s candidates count', () => {
  const data = loadMiniLm();
  const index = resolveIndexParams({ hashTables: 4 }, 'index', data.dimension);
  const hasher = new Hasher(data.dimension, 'cosine', index, 5, 1, centreOf(data.vectors.slice(0, 500), 'cosine'));
  const target = { dimension: data.dimension, metric: 'cosine' as const, index, hasher, plans: undefined, vectorCount: data.vectors.length };

  it('counts each bucket entry of a candidate, and none of one the filter leaves out', () => {
    // GIVEN a query's candidate set, filtered to one source
    const source = data.sources[0];
    const plan = planSearch(target, { query: data.vectors[0], topK: 10, predicate: (m) => m.source === source });
    const candidates = new CandidateSet<string>(plan);
    const entry = (i: number) => [data.ids[i], packSketch(hasher.encode(data.vectors[i])), JSON.stringify({ source: data.sources[i] })] as const;
    const other = data.sources.findIndex((s) => s !== source);
    // WHEN entries arrive from several hash tables: the first vector's from three, another source's from two
    for (const i of [0, other, 0, 0, other]) candidates.add(...entry(i));
    // THEN the candidate counts three arrivals, the filtered vector is no candidate, and an unseen key none
    expect(candidates.arrivalsOf(data.ids[0])).toBe(3);
    expect(candidates.has(data.ids[other])).toBe(false);
    expect(candidates.arrivalsOf(data.ids[other])).toBe(0);
    expect(candidates.size).toBe(1);
    expect(candidates.arrivalsOf('never-read')).toBe(0);
  });
});
