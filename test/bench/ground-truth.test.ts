// Tests the brute-force ground truth and its cache, and recall@k, percentiles and means.
import { readdirSync } from 'node:fs';
import { loadMiniLm } from '../../bench/datasets/minilm';
import { headRows, row } from '../../bench/datasets/types';
import { distance } from '../../bench/distance';
import { exactTopK, groundTruth, groundTruthKey } from '../../bench/ground-truth';
import { mean, percentile, recallAgainst, recallAtK } from '../../bench/recall';
import { tempDir } from './fixtures';

const minilm = loadMiniLm({ queries: 20 });

/** The top-k by sorting every distance: slow and obviously right. */
function sortedTopK(metric: 'cosine' | 'euclidean' | 'dot', q: Float32Array, k: number): number[] {
  return Array.from({ length: minilm.base.rows }, (_, i) => ({ i, d: distance(metric, q, row(minilm.base, i)) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, k)
    .map((x) => x.i);
}

describe('exact ground truth', () => {
  test.each(['cosine', 'euclidean', 'dot'] as const)('brute-force top-10 under %s equals a full sort of every distance', (metric) => {
    const gt = exactTopK(minilm.base, minilm.queries, 10, metric);
    for (let q = 0; q < minilm.queries.rows; q++) {
      expect(Array.from(gt.ids.subarray(q * 10, q * 10 + 10))).toEqual(sortedTopK(metric, row(minilm.queries, q), 10));
    }
  });

  test('distances are ascending and are the distances of the ids', () => {
    const gt = exactTopK(minilm.base, minilm.queries, 10, 'euclidean');
    for (let q = 0; q < 3; q++) {
      for (let i = 0; i < 10; i++) {
        expect(gt.distances[q * 10 + i]).toBeCloseTo(distance('euclidean', row(minilm.queries, q), row(minilm.base, gt.ids[q * 10 + i])), 9);
        if (i > 0) expect(gt.distances[q * 10 + i]).toBeGreaterThanOrEqual(gt.distances[q * 10 + i - 1]);
      }
    }
  });

  test('with fewer base vectors than k, the missing places are id -1 at infinite distance', () => {
    const gt = exactTopK(headRows(minilm.base, 3), headRows(minilm.queries, 1), 5, 'cosine');
    expect(Array.from(gt.ids.slice(3))).toEqual([-1, -1]);
    expect(gt.distances[4]).toBe(Infinity);
  });

  test('is computed once, then read from the cache with the same ids and distances', () => {
    const dir = tempDir();
    const first = groundTruth(minilm, 10, { cacheDir: dir });
    const files = readdirSync(dir);
    expect(files.sort()).toEqual([`${groundTruthKey(minilm, 10)}.fvecs`, `${groundTruthKey(minilm, 10)}.ivecs`]);
    const logs: string[] = [];
    const second = groundTruth(minilm, 10, { cacheDir: dir, log: (m) => logs.push(m) });
    expect(logs.join()).toMatch(/from cache/);
    expect(second.ids).toEqual(first.ids);
    expect(second.distances).toEqual(first.distances);
  });

  test('the cache key changes with the sizes and with the vectors themselves', () => {
    const other = loadMiniLm({ queries: 20, seed: 43 });
    const smaller = { ...minilm, base: headRows(minilm.base, 100) };
    const keys = new Set([groundTruthKey(minilm, 10), groundTruthKey(other, 10), groundTruthKey(smaller, 10), groundTruthKey(minilm, 100)]);
    expect(keys.size).toBe(4);
  });
});

describe('recall@k', () => {
  const dist = new Map<number, number>([
    [1, 0.1],
    [2, 0.2],
    [3, 0.3],
    [4, 0.3], // a tie with the k-th neighbour
    [5, 0.9],
  ]);
  const d = (id: number) => dist.get(id) ?? Infinity;

  test('counts results within the k-th true distance (plus 1e-3), so a tie at the k-th place is a hit', () => {
    expect(recallAtK([1, 2, 3], 0.3, 3, d)).toBe(1);
    expect(recallAtK([1, 2, 4], 0.3, 3, d)).toBe(1);
    expect(recallAtK([1, 5, 2], 0.3, 3, d)).toBeCloseTo(2 / 3);
    expect(recallAtK([5], 0.3, 3, d)).toBe(0);
  });

  test('a repeated id counts once, and only the first k distinct results count', () => {
    expect(recallAtK([1, 1, 1], 0.3, 3, d)).toBeCloseTo(1 / 3);
    expect(recallAtK([5, 5, 5, 1, 2], 0.3, 2, d)).toBe(0.5);
  });

  test('against a ground truth: the exact answer scores 1, a reversed list of far vectors scores 0', () => {
    const gt = exactTopK(minilm.base, minilm.queries, 10, 'cosine');
    const distanceOf = (id: number) => distance('cosine', row(minilm.queries, 0), row(minilm.base, id));
    expect(recallAgainst(gt, 0, Array.from(gt.ids.subarray(0, 10)), 10, distanceOf)).toBe(1);
    const far = sortedTopK('dot', Float32Array.from(row(minilm.queries, 0), (x) => -x), 10); // nearest to the negated query: the farthest
    expect(recallAgainst(gt, 0, far, 10, distanceOf)).toBe(0);
    expect(() => recallAgainst(gt, 0, [], 11, distanceOf)).toThrow(/at least 11/);
  });

  test('percentile by nearest rank, and mean', () => {
    const v = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(v, 50)).toBe(5);
    expect(percentile(v, 95)).toBe(10);
    expect(percentile(v, 0)).toBe(1);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
    expect(mean([1, 2, 3, 6])).toBe(3);
  });
});
