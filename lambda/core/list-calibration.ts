// The nprobe of a collection in k-means lists (bucket layout 3), calibrated on the queries it
// serves: a sampled query reads a wider set of lists, and where its results lay tells how many
// lists a query must read to find the recall target's share of them (`coverageNprobe`).
import { coverageNprobe } from './lists';

/** One unfiltered query in this many (per instance and collection) reads wide and calibrates. */
export const CALIBRATION_EVERY = 16;

/**
 * A calibration query reads this many times the current nprobe: its results stand in for the exact
 * neighbours. On Fashion-MNIST a 4x read calibrated nprobe to 0.959 for a 0.95 target (BENCHMARKS.md,
 * "k-means lists": observed queries, `--reference-lists`).
 */
export const CALIBRATION_WIDTH = 4;

/** Calibration queries an instance gathers before it sets a collection's nprobe. */
export const CALIBRATION_QUERIES = 32;

/** Results of a calibration query that count: recall@10, as the recall target is stated. */
export const CALIBRATION_K = 10;

/** The lists a calibration query reads: `CALIBRATION_WIDTH` x nprobe, at most all. */
export const calibrationWidth = (nprobe: number, lists: number): number => Math.min(lists, CALIBRATION_WIDTH * nprobe);

/**
 * The share of a collection's `lists` lists its queries should read (`nprobeOf`), from calibration
 * queries: `ranks[q]` holds, for each of query q's first `CALIBRATION_K` results, the rank (0 =
 * nearest) in q's list order of the list its entry was read from. The smallest nprobe at which
 * the queries find `recallTarget` of their results (`coverageNprobe`), over the lists.
 * @throws RangeError as `coverageNprobe` (no queries, a rank out of range, a target outside [0, 1])
 */
export function calibratedShare(ranks: readonly (readonly number[])[], lists: number, recallTarget: number): number {
  return coverageNprobe(ranks, lists, recallTarget, CALIBRATION_K) / lists;
}
