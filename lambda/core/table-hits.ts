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

/**
 * Factors on a table's hit probability at which expected hits are summed: 0.5 to 1.5 in steps of
 * 0.05. A draw of random hyperplanes moves the factor by a few per cent; a first batch unlike
 * the rest (the hashing centre and subspace come from it) moves it by more: GloVe's most frequent
 * words imported first fit below 0.8 (BENCHMARKS.md, "Probes one hash table at a time, and a wider
 * hit factor").
 */
export const HIT_SCALES: readonly number[] = Array.from({ length: 21 }, (_, j) => Math.round((0.5 + 0.05 * j) * 100) / 100);

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
  /** Hash tables that probed one bucket more (`tableProbes`). @default 0 */
  readonly extraProbes?: number;
  readonly hashTables: number;
}

/**
 * The hash tables expected to hold a vector that at least one of L holds, when each holds it
 * independently, with probability p, or p⁺ in the first `moreTables` of them:
 * (Σ p_t) / (1 − Π (1 − p_t)), which is L·p / (1 − (1 − p)^L) when all are equal, and 1 as the
 * p_t tend to 0.
 * @param p one table's hit probability, 0..1 (a larger value counts as 1)
 * @param moreTables how many of the `tables` hit with `pMore` instead. @default 0
 */
export function expectedHitsGivenFound(p: number, tables: number, pMore = p, moreTables = 0): number {
  const q = Math.min(1, Math.max(0, p));
  const qMore = Math.min(1, Math.max(0, pMore));
  const found = 1 - Math.pow(1 - q, tables - moreTables) * Math.pow(1 - qMore, moreTables);
  return found > 1e-12 ? ((tables - moreTables) * q + moreTables * qMore) / found : 1;
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
  const extra = shape.extraProbes ?? 0;
  let observed = 0;
  for (let i = 0; i < angles.length; i++) {
    observed += arrivals[i];
    const p = tableHitProbability(angles[i], shape.depth, shape.probes);
    const pMore = extra > 0 ? tableHitProbability(angles[i], shape.depth, shape.probes + 1) : p;
    for (let j = 0; j < HIT_SCALES.length; j++) expected[j] += expectedHitsGivenFound(HIT_SCALES[j] * p, shape.hashTables, HIT_SCALES[j] * pMore, extra);
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
