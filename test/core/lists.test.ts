// Tests the k-means lists (IVF) steps: list space, nearest lists against brute force, training on
// real embeddings, the 2-means split of a full list, and the nprobe calibration queries need.
import fc from 'fast-check';
import { coverageNprobe, listOrder, meanCoverageNprobe, listScores, listSpace, nearestList, splitList, trainLists } from '../../lambda/core/lists';
import { fillGaussian, xoshiro128ss } from '../../lambda/core/prng';
import { loadMiniLmMatrix } from '../support/minilm';

/** A uniform source in [0, 1) from the store's pinned generator. */
function uniform(seed: number): () => number {
  const next = xoshiro128ss(seed);
  return () => next() / 4294967296;
}

function squaredDistance(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += (a[ao + j] - b[bo + j]) ** 2;
  return s;
}

/** Sum over rows of the squared distance to the nearest centroid: what Lloyd's iterations lower. */
function inertia(rows: Float32Array, dim: number, centroids: Float32Array): number {
  let total = 0;
  for (let r = 0; r < rows.length / dim; r++) {
    let best = Infinity;
    for (let i = 0; i < centroids.length / dim; i++) best = Math.min(best, squaredDistance(rows, r * dim, centroids, i * dim, dim));
    total += best;
  }
  return total;
}

describe('listSpace', () => {
  it('scales rows to unit length under cosine and keeps them under euclidean', () => {
    // GIVEN two rows, one of them zero
    const rows = new Float32Array([3, 4, 0, 0]);
    // WHEN put in list space
    const cosine = listSpace(rows, 2, 'cosine');
    // THEN cosine rows have unit length (zero stays zero) and euclidean rows are the input itself
    expect(Array.from(cosine)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6), 0, 0]);
    expect(listSpace(rows, 2, 'euclidean')).toBe(rows);
  });

  it('refuses dot products and rows that do not fit the dimension', () => {
    expect(() => listSpace(new Float32Array(4), 2, 'dot')).toThrow(/cosine or euclidean/);
    expect(() => listSpace(new Float32Array(5), 2, 'cosine')).toThrow(/whole number of 2-dimensional rows/);
  });
});

describe('nearestList and listOrder', () => {
  it('order the lists by the distance of their centroids, as brute force does (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 10_000 }), fc.constantFrom('cosine' as const, 'euclidean' as const), (dim, k, seed, metric) => {
        // GIVEN k lists trained on Gaussian rows, and a Gaussian query, in list space
        const rows = listSpace(fillGaussian(new Float32Array(4 * k * dim), seed), dim, metric);
        const lists = trainLists(rows, dim, metric, k, { iterations: 2, random: uniform(seed) });
        const query = listSpace(fillGaussian(new Float32Array(dim), seed + 1), dim, metric);
        // WHEN the lists are ordered for the query
        const order = Array.from(listOrder(lists, query));
        // THEN they are a permutation, nearest first by the metric's distance, and nearestList is the first
        expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: k }, (_, i) => i));
        const d = order.map((i) => squaredDistance(query, 0, lists.centroids, i * dim, dim));
        for (let i = 1; i < d.length; i++) expect(d[i]).toBeGreaterThanOrEqual(d[i - 1] - 1e-4);
        expect(squaredDistance(query, 0, lists.centroids, nearestList(lists, query) * dim, dim)).toBeCloseTo(d[0], 4);
      }),
      { numRuns: 100 },
    );
  });

  it('checks the row and the room for scores', () => {
    const lists = trainLists(new Float32Array([1, 0, 0, 1]), 2, 'euclidean', 2, { iterations: 1, random: uniform(1) });
    expect(() => listScores(lists, new Float32Array(1))).toThrow(/needs 2 values/);
    expect(() => listScores(lists, new Float32Array(2), 0, new Float32Array(1))).toThrow(/room for 2 lists/);
  });
});

describe('trainLists', () => {
  it('finds well-separated groups, one list each', () => {
    // GIVEN 3 groups of 20 rows around far-apart corners
    const dim = 4;
    const noise = fillGaussian(new Float32Array(60 * dim), 7);
    const rows = new Float32Array(60 * dim);
    for (let r = 0; r < 60; r++) for (let j = 0; j < dim; j++) rows[r * dim + j] = (j === r % 3 ? 100 : 0) + noise[r * dim + j];
    // WHEN 3 lists are trained
    const lists = trainLists(rows, dim, 'euclidean', 3, { iterations: 10, random: uniform(3) });
    // THEN every group lies in one list of its own
    const listOfGroup = [0, 1, 2].map((g) => nearestList(lists, rows, g * dim));
    expect(new Set(listOfGroup).size).toBe(3);
    for (let r = 0; r < 60; r++) expect(nearestList(lists, rows, r * dim)).toBe(listOfGroup[r % 3]);
  });

  it('lowers the squared distances to the centroids with more iterations, and repeats for a seed (MiniLM embeddings)', () => {
    // GIVEN the MiniLM embeddings in list space under cosine
    const { data: raw, dim } = loadMiniLmMatrix();
    const rows = listSpace(raw, dim, 'cosine');
    // WHEN 16 lists are trained with 1 and with 10 iterations, and again with the same seed
    const once = trainLists(rows, dim, 'cosine', 16, { iterations: 1, random: uniform(5) });
    const ten = trainLists(rows, dim, 'cosine', 16, { iterations: 10, random: uniform(5) });
    const again = trainLists(rows, dim, 'cosine', 16, { iterations: 10, random: uniform(5) });
    // THEN the tenth iteration fits better, centroids have unit length, and the seed fixes the result
    expect(inertia(rows, dim, ten.centroids)).toBeLessThan(inertia(rows, dim, once.centroids));
    for (let i = 0; i < ten.count; i++) expect(ten.norms2[i]).toBeCloseTo(1, 4);
    expect(Array.from(again.centroids)).toEqual(Array.from(ten.centroids));
  });

  it('needs at least as many rows as lists', () => {
    expect(() => trainLists(new Float32Array(4), 2, 'euclidean', 3, { iterations: 1, random: uniform(1) })).toThrow(/3 lists need at least as many training rows, got 2/);
    expect(() => trainLists(new Float32Array(4), 2, 'euclidean', 0, { iterations: 1, random: uniform(1) })).toThrow(/k must be a positive integer/);
  });
});

describe('splitList', () => {
  it('cuts a full list of MiniLM embeddings in two tighter halves, each member with its nearer half', () => {
    // GIVEN one list holding every MiniLM embedding
    const { data: raw, dim } = loadMiniLmMatrix();
    const rows = listSpace(raw, dim, 'cosine');
    const members = Array.from({ length: rows.length / dim }, (_, r) => r);
    const whole = trainLists(rows, dim, 'cosine', 1, { iterations: 3, random: uniform(2) });
    // WHEN it splits
    const split = splitList(rows, dim, 'cosine', members, { iterations: 5, random: uniform(9) });
    // THEN both halves have members, each member's side is its nearer half, and the halves fit the members better than one list
    expect(split).toBeDefined();
    const { halves, side } = split!;
    const ones = side.reduce((s, v) => s + v, 0);
    expect(ones).toBeGreaterThan(0);
    expect(ones).toBeLessThan(members.length);
    members.forEach((r, i) => expect(side[i]).toBe(nearestList(halves, rows, r * dim)));
    expect(inertia(rows, dim, halves.centroids)).toBeLessThan(inertia(rows, dim, whole.centroids));
  });

  it('leaves a list of identical members whole', () => {
    const rows = new Float32Array([1, 2, 1, 2, 1, 2]);
    expect(splitList(rows, 2, 'euclidean', [0, 1, 2], { iterations: 3, random: uniform(1) })).toBeUndefined();
    expect(splitList(rows, 2, 'euclidean', [0], { iterations: 3, random: uniform(1) })).toBeUndefined();
  });
});

describe('coverageNprobe', () => {
  /** Slots filled in the first n lists, over all queries: recall@k x k x queries. */
  const filledAt = (ranks: readonly (readonly number[])[], n: number, k: number) => ranks.reduce((s, r) => s + Math.min(k, r.filter((x) => x < n).length), 0);
  /** Some lists, queries' neighbour ranks in them, a k and a target. */
  const calibrationCase = fc.integer({ min: 1, max: 12 }).chain((lists) =>
    fc.record({
      lists: fc.constant(lists),
      ranks: fc.array(fc.array(fc.integer({ min: 0, max: lists - 1 }), { maxLength: 14 }), { minLength: 1, maxLength: 6 }),
      k: fc.integer({ min: 1, max: 10 }),
      target: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  );

  it('is the smallest nprobe whose lists hold the target share of the top-k slots, as brute force finds it (property)', () => {
    fc.assert(
      fc.property(
        calibrationCase,
        ({ lists, ranks, k, target }) => {
          const needed = target * k * ranks.length;
          let expected = lists;
          for (let n = 1; n <= lists; n++) {
            if (filledAt(ranks, n, k) >= needed) {
              expected = n;
              break;
            }
          }
          expect(coverageNprobe(ranks, lists, target, k)).toBe(expected);
        },
      ),
    );
  });

  it('as a mean nprobe, mixes the whole nprobe and one list fewer so the slots filled meet the target exactly (property)', () => {
    fc.assert(
      fc.property(
        calibrationCase,
        ({ lists, ranks, k, target }) => {
          const whole = coverageNprobe(ranks, lists, target, k);
          const mean = meanCoverageNprobe(ranks, lists, target, k);
          expect(mean).toBeGreaterThanOrEqual(Math.max(1, whole - 1));
          expect(mean).toBeLessThanOrEqual(whole);
          // where the target is reached past the first list, a fraction f of the queries reading `whole` lists fills exactly the slots needed
          const needed = target * k * ranks.length;
          if (whole > 1 && filledAt(ranks, whole, k) >= needed) {
            const f = mean - (whole - 1);
            const mixed = (1 - f) * filledAt(ranks, whole - 1, k) + f * filledAt(ranks, whole, k);
            expect(mixed).toBeCloseTo(needed, 9);
          }
        },
      ),
    );
  });

  it('picks an nprobe at which MiniLM queries find the target share of their exact top 10 in the lists they read', () => {
    // GIVEN 16 lists over MiniLM, and 40 of its embeddings as queries (each left out of its own neighbours)
    const { data: raw, dim } = loadMiniLmMatrix();
    const rows = listSpace(raw, dim, 'cosine');
    const n = rows.length / dim;
    const lists = trainLists(rows, dim, 'cosine', 16, { iterations: 8, random: uniform(3) });
    const listOf = Int32Array.from({ length: n }, (_, r) => nearestList(lists, rows, r * dim));
    const queries = Array.from({ length: 40 }, (_, i) => i * 13);
    const top10 = queries.map((q) =>
      Array.from({ length: n }, (_, r) => r)
        .filter((r) => r !== q)
        .sort((a, b) => squaredDistance(rows, q * dim, rows, a * dim, dim) - squaredDistance(rows, q * dim, rows, b * dim, dim))
        .slice(0, 10),
    );
    const orders = queries.map((q) => listOrder(lists, rows, q * dim));
    const ranks = top10.map((nbrs, i) => nbrs.map((r) => orders[i].indexOf(listOf[r])));
    // WHEN calibrating for 0.9
    const nprobe = coverageNprobe(ranks, lists.count, 0.9);
    // THEN reading each query's first nprobe lists finds at least 0.9 of the top 10, and one list fewer does not
    const found = (probe: number) => {
      const hits = top10.map((nbrs, i) => {
        const read = new Set(Array.from(orders[i].subarray(0, probe)));
        return nbrs.filter((r) => read.has(listOf[r])).length / 10;
      });
      return hits.reduce((a, b) => a + b, 0) / hits.length;
    };
    expect(nprobe).toBeGreaterThan(1);
    expect(nprobe).toBeLessThan(16);
    expect(found(nprobe)).toBeGreaterThanOrEqual(0.9);
    expect(found(nprobe - 1)).toBeLessThan(0.9);
  });

  it('refuses no lists, no queries, a rank outside the lists, a bad k or target', () => {
    expect(() => coverageNprobe([], 4, 0.9)).toThrow(/at least one query/);
    expect(() => coverageNprobe([[0]], 0, 0.9)).toThrow(/lists must be a positive integer/);
    expect(() => coverageNprobe([[4]], 4, 0.9)).toThrow(/list rank must be an integer in 0..3, got 4/);
    expect(() => coverageNprobe([[0]], 4, 0.9, 0)).toThrow(/k must be a positive integer/);
    expect(() => coverageNprobe([[0]], 4, 1.5)).toThrow(/target must be in \[0, 1\]/);
  });
});
