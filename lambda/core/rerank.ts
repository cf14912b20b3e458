import type { DistanceEstimate } from './lsh';

/**
 * Standard errors of the sketch's angle estimate that bound a candidate's distance when choosing
 * what to re-rank (`selectForRerank`). 1 was chosen on Fashion-MNIST 60k: against a fixed count
 * it re-ranks about 110 vectors per query where a fixed 150 gives the same recall@10
 * (BENCHMARKS.md).
 */
export const RERANK_CONFIDENCE = 1;

/**
 * The candidates whose full vectors a query fetches for the exact re-rank: those whose lower
 * bound can still beat the `topK`-th smallest upper bound, closest estimate first, at most
 * `max`. A query whose sketches separate the neighbours clearly fetches few vectors; an
 * ambiguous one fetches more. Always at least `min(topK, candidates)`.
 * @param candidates estimates with bounds (`estimateWithBounds` at `RERANK_CONFIDENCE`)
 * @param topK the k of the query (1 or more)
 * @param max the most vectors fetched: the collection's `rerank` or the query's override
 */
export function selectForRerank<T extends DistanceEstimate>(candidates: readonly T[], topK: number, max: number): T[] {
  const byEstimate = [...candidates].sort((a, b) => a.est - b.est);
  if (byEstimate.length <= topK) return byEstimate.slice(0, max);
  const uppers = candidates.map((c) => c.upper).sort((a, b) => a - b);
  const bound = uppers[topK - 1];
  const chosen = byEstimate.filter((c) => c.lower <= bound);
  return chosen.slice(0, max);
}
