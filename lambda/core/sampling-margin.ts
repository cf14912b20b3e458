// How far above a recall target a calibration aims, from the queries it measured: shared by the
// planner's calibration (`calibration.ts`) and the lists' nprobe (`list-calibration.ts`).
import { PROFILE_NEIGHBOURS } from './profile';

/**
 * How far above the recall target a calibrated plan aims when it knows only how many queries it
 * observed: one standard error of the recall they measure, as if their `queries` x 10 neighbours
 * were found or missed independently at the target's rate. The observed queries are a sample of
 * the collection's queries: the cheapest plan that reaches the target on them is, more often than
 * not, one that their sample flatters, and the queries after them find less (BENCHMARKS.md, "The
 * first plan of a subspace, and a margin for calibration"). A query's 10 neighbours are found
 * together more often than not, so the true error is larger: this is the least margin, shrinking
 * as the observed queries grow (`spreadMargin` when each query's own recall is known).
 */
export function calibrationMargin(queries: number, recallTarget: number): number {
  return Math.sqrt((recallTarget * (1 - recallTarget)) / (PROFILE_NEIGHBOURS * Math.max(1, queries)));
}

/**
 * How far above the recall target a calibration aims when it knows each observed query's own
 * recall: the standard error of their mean recall (the queries' sample standard deviation over the
 * square root of their number), and at least `calibrationMargin`. The queries, not their
 * neighbours, are the sample: a query whose neighbours lie together is found or missed whole, and
 * its recall spreads the more for it, by as much as the collection's data makes it (BENCHMARKS.md,
 * "k-means lists: a margin from the window's own spread").
 * @param recalls each observed query's recall@10, a share in [0, 1]
 * @throws RangeError when there are no recalls
 */
export function spreadMargin(recalls: readonly number[], recallTarget: number): number {
  if (recalls.length === 0) throw new RangeError('a margin needs at least one query');
  return Math.max(calibrationMargin(recalls.length, recallTarget), sampleStandardDeviation(recalls) / Math.sqrt(recalls.length));
}

/** The sample standard deviation of `values` (over n - 1; 0 for fewer than two). */
export function sampleStandardDeviation(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return Math.sqrt(squares / (n - 1));
}
