// Calibration of the collision model by a collection's own hyperplanes: how many hash tables held each result a
// query returned, against how many the model expects, and the factor on each table's hit probability that fits.
/**
 * The collision model (`collision.ts`) averages over random hyperplanes; a collection draws its
 * hyperplanes once and all its queries share that draw, so its tables hit a neighbour a few per
 * cent more or less often than the model says, in one direction per draw (BENCHMARKS.md, "A
 * collection's own hyperplanes: hits per hash table"). A query sees this in its own results: each
 * of them arrived from some of the L hash tables. A result was found at least once, so its
 * arrivals are compared with the hits expected given a find, L·p / (1 − (1 − p)^L), not with L·p.
 * The sums are kept at a few factors s on p (`HIT_SCALES`); the factor at which expected and
 * observed hits agree (`hitScaleOf`) scales p in the calibrated plans (`PlanOptions.hitScale`).
 */
import { tableHitProbability } from './collision';

/** Factors on a table's hit probability at which expected hits are summed: 0.8 to 1.2 in steps of 0.05. */
export const HIT_SCALES: readonly number[] = [0.8, 0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15, 1.2];

/** A collection's observed results' hits per hash table. */
export interface TableHits {
  /** Sum over observed results of the hash tables that held each. */
  readonly observed: number;
  /** Sum over the same results of the hits expected given a find, at each of `HIT_SCALES` (`expectedHitsGivenFound`). */
  readonly expected: Float64Array;
}

/** What one query's search saw of its plan: depth and probes per hash table (`QueryShape`), and the hash tables. */
export interface SearchedShape {
  readonly depth: number;
  readonly probes: number;
  readonly hashTables: number;
}

/**
 * The hash tables expected to hold a vector that at least one of L holds, when each holds it with
 * probability p independently: L·p / (1 − (1 − p)^L), 1 as p tends to 0.
 * @param p one table's hit probability, 0..1 (a larger value counts as 1)
 */
export function expectedHitsGivenFound(p: number, tables: number): number {
  const q = Math.min(1, Math.max(0, p));
  const found = 1 - Math.pow(1 - q, tables);
  return found > 1e-12 ? (tables * q) / found : 1;
}

/**
 * One query's table hits: for each result, the tables it arrived from (`CandidateSet.arrivalsOf`)
 * and the expected hits given a find at its angle, at each of `HIT_SCALES`.
 * @param angles the results' angles from the query, radians (`Hasher.anglesFrom`)
 * @param arrivals the hash tables that held each result, same order
 * @throws RangeError when the lengths differ
 */
export function tableHitsOf(shape: SearchedShape, angles: readonly number[], arrivals: readonly number[]): TableHits {
  if (angles.length !== arrivals.length) throw new RangeError(`${angles.length} angles but ${arrivals.length} arrivals`);
  const expected = new Float64Array(HIT_SCALES.length);
  let observed = 0;
  for (let i = 0; i < angles.length; i++) {
    observed += arrivals[i];
    const p = tableHitProbability(angles[i], shape.depth, shape.probes);
    for (let j = 0; j < HIT_SCALES.length; j++) expected[j] += expectedHitsGivenFound(HIT_SCALES[j] * p, shape.hashTables);
  }
  return { observed, expected };
}

/** The sum of two collections of table hits (undefined counts as none). */
export function addTableHits(a: TableHits | undefined, b: TableHits): TableHits {
  if (!a) return { observed: b.observed, expected: Float64Array.from(b.expected) };
  return { observed: a.observed + b.observed, expected: a.expected.map((x, j) => x + b.expected[j]) };
}

/**
 * The factor on each table's hit probability at which the expected hits match the observed ones:
 * interpolated between the two `HIT_SCALES` that bracket them, clamped to the first and last;
 * 1 when nothing was observed. Expected hits grow with the factor, so the match is unique.
 */
export function hitScaleOf(hits: TableHits | undefined): number {
  if (!hits || !(hits.observed > 0)) return 1;
  const x = hits.expected;
  const last = HIT_SCALES.length - 1;
  if (hits.observed <= x[0]) return HIT_SCALES[0];
  if (hits.observed >= x[last]) return HIT_SCALES[last];
  let j = 0;
  while (x[j + 1] < hits.observed) j++;
  const w = (hits.observed - x[j]) / (x[j + 1] - x[j]);
  return HIT_SCALES[j] + w * (HIT_SCALES[j + 1] - HIT_SCALES[j]);
}
