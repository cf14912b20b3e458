// recall@k with ann-benchmarks' distance tolerance, nearest-rank percentiles and means.
import type { GroundTruth } from './ground-truth';

/**
 * ann-benchmarks' tolerance on distances (`epsilon = 1e-3` in its `get_recall_values`): a result
 * counts as a true neighbour when its distance is at most the k-th true distance plus this, so
 * ties at the k-th place (duplicate vectors) are not counted as misses.
 */
export const RECALL_EPSILON = 1e-3;

/**
 * recall@k of one query: the share of the first `k` distinct results whose exact distance is
 * within {@link RECALL_EPSILON} of the k-th true neighbour's. 1 means the top-k is exact.
 *
 * @param resultIds base row numbers as returned, nearest first (only the first `k` distinct count)
 * @param trueKthDistance exact distance of the k-th nearest neighbour
 * @param distanceOf exact distance from the query to a base row
 */
export function recallAtK(resultIds: readonly number[], trueKthDistance: number, k: number, distanceOf: (id: number) => number, epsilon = RECALL_EPSILON): number {
  if (k < 1) throw new RangeError(`k must be at least 1, got ${k}`);
  const seen = new Set<number>();
  let hits = 0;
  for (const id of resultIds) {
    if (seen.size >= k) break;
    if (seen.has(id)) continue;
    seen.add(id);
    if (distanceOf(id) <= trueKthDistance + epsilon) hits++;
  }
  return hits / k;
}

/** recall@k of query `q` against a ground truth computed with `gt.k >= k`. */
export function recallAgainst(gt: GroundTruth, q: number, resultIds: readonly number[], k: number, distanceOf: (id: number) => number): number {
  if (k > gt.k) throw new RangeError(`recall@${k} needs a ground truth of at least ${k} neighbours, it has ${gt.k}`);
  return recallAtK(resultIds, gt.distances[q * gt.k + k - 1], k, distanceOf);
}

/** The p-th percentile (0..100) by nearest rank of a list of numbers; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Arithmetic mean; NaN for an empty list. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
