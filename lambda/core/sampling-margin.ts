// How far above a recall target a calibration aims, from the number of queries it measured: shared
// by the planner's calibration (`calibration.ts`) and the lists' nprobe (`list-calibration.ts`).
import { PROFILE_NEIGHBOURS } from './profile';

/**
 * How far above the recall target a calibrated plan aims: one standard error of the recall the
 * observed queries measure, as if their `queries` x 10 neighbours were found or missed
 * independently at the target's rate. The observed queries are a sample of the collection's
 * queries: the cheapest plan that reaches the target on them is, more often than not, one that
 * their sample flatters, and the queries after them find less (BENCHMARKS.md, "The first plan
 * of a subspace, and a margin for calibration"). A query's 10 neighbours are found together more
 * often than not, so the true error is larger: this is the least margin, shrinking as the observed
 * queries grow.
 */
export function calibrationMargin(queries: number, recallTarget: number): number {
  return Math.sqrt((recallTarget * (1 - recallTarget)) / (PROFILE_NEIGHBOURS * Math.max(1, queries)));
}
