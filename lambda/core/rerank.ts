// Which candidates a query fetches for the exact re-rank, chosen from the bounds of their sketch estimates.
import type { DistanceEstimate } from './sketch-estimator';

/**
 * Standard errors of the sketch's angle estimate that bound a candidate's distance when choosing
 * what to re-rank (`selectForRerank`). With calibrated errors, the 10th neighbour is dropped when
 * the difference of two estimate errors exceeds 2z standard errors: about 8 % of the time at
 * z = 1, 4 % at 1.25. Chosen with the benchmark's cost model on Fashion-MNIST and GloVe-100: at 1
 * the re-rank loses a visible share of the top 10, while 1.5 or 2 fetch many more vectors per query
 * for hardly any more recall (the share of the top 10 the re-rank keeps: BENCHMARKS.md).
 */
export const RERANK_CONFIDENCE = 1.25;

/**
 * The candidates whose full vectors a query fetches for the exact re-rank: those whose lower
 * bound can still beat the `topK`-th smallest upper bound, closest estimate first, at most
 * `max`. A query whose sketches separate the neighbours clearly fetches few vectors; an
 * ambiguous one fetches more. Always at least `min(topK, candidates)`.
 * @param candidates estimates with bounds (`SketchEstimator.withBounds` at `RERANK_CONFIDENCE`)
 * @param topK the k of the query (1 or more)
 * @param max the most vectors fetched: the collection's `rerank` or the query's override
 */
export function selectForRerank<T extends DistanceEstimate>(candidates: readonly T[], topK: number, max: number): T[] {
  return selectFromSorted(sortByEstimate(candidates), topK, max);
}

/** The candidates, closest estimate first (a copy). */
export function sortByEstimate<T extends DistanceEstimate>(candidates: readonly T[]): T[] {
  return [...candidates].sort((a, b) => a.est - b.est);
}

/** `selectForRerank` of candidates already in `sortByEstimate` order. */
export function selectFromSorted<T extends DistanceEstimate>(byEstimate: readonly T[], topK: number, max: number): T[] {
  if (byEstimate.length <= topK) return byEstimate.slice(0, max);
  const uppers = byEstimate.map((c) => c.upper).sort((a, b) => a - b);
  const bound = uppers[topK - 1];
  const chosen = byEstimate.filter((c) => c.lower <= bound);
  return chosen.slice(0, max);
}
