// Calibration of the query planner by a collection's own queries: the angles at which their results
// lie, kept as a histogram, and the plans made from them instead of from the first batch's profile.
/**
 * The profile (`profile.ts`) measures how far a stored vector's nearest neighbours lie from it, and
 * the planner assumes queries look like stored vectors. When they do not (questions searched
 * against passages, phrases against words), a query's neighbours lie farther away, each is found
 * less often, and a plan made from the profile misses its recall target. The exact re-rank knows
 * how far each query's results lie, so the collection keeps a histogram of those angles (on its
 * counter item, `lambda/store`) and, once `CALIBRATION_MIN_QUERIES` queries are in it, plans from
 * it instead: the same collision model (`collision.ts`), fed the angles the queries meet.
 *
 * The histogram holds each angle moved to the profile's sample size m, as the profile holds its
 * neighbour distances: a k-th neighbour's chord shrinks as N^(-1/D) (`neighbourAngles`), D the
 * profile's median local dimension. A plan for N moves them back. Results a query missed are
 * replaced by farther ones, so a collection whose plans fall short sees larger angles and plans
 * deeper: the error is on the safe side.
 */
import { halfOctave, PlanAtSize, PlanOptions, planForAngles, QueryPlan, roundedRecall } from './planner';
import { addToAngleHistogram, ANGLE_BINS, angleOfChord, chord, DataProfile, medianDimension, PROFILE_NEIGHBOURS } from './profile';
import { hitScaleOf, SearchedShape, TableHits, tableHitsOf } from './table-hits';
import { calibrationMargin } from './sampling-margin';

/** Queries observed before their angles replace the profile's prediction. */
export const CALIBRATION_MIN_QUERIES = 32;

/** Queries after which a collection stops observing: its histogram is then settled. */
export const CALIBRATION_MAX_QUERIES = 65_536;

/** What a collection keeps of its first batch's profile so that any instance can plan again. */
export interface PlanBasis {
  /** The profile's sample size m: the size the observed angles are moved to. */
  readonly sampleSize: number;
  /** The profile's median local dimension D (`medianDimension`). */
  readonly dimension: number;
  /** Mean bytes of one bucket entry, as the stored plans priced them. */
  readonly entryBytes: number;
  /** The profile's pair angles (`DataProfile.pairAngles`), for the bucket read units. */
  readonly pairAngles: Float64Array;
}

/**
 * A collection's observed queries: how many, how many of their results lie at each whole degree
 * at the basis's sample size, and the hash tables that held those results (`table-hits.ts`).
 */
export interface QueryAngles {
  readonly queries: number;
  /** ANGLE_BINS counts. */
  readonly counts: Float64Array;
  /** Absent when observed before table hits were kept: the calibrated plans then scale nothing. */
  readonly hits?: TableHits;
}

/** What one query adds to its collection's observations. */
export interface QueryObservation {
  /** Its results' histogram bins (`observedBins`). */
  readonly bins: readonly number[];
  /** Its results' hits per hash table (`tableHitsOf`). */
  readonly hits: TableHits;
}

/** The basis of a profile's plans. */
export function planBasisOf(profile: DataProfile, entryBytes: number): PlanBasis {
  return { sampleSize: profile.sampleSize, dimension: medianDimension(profile), entryBytes, pairAngles: profile.pairAngles };
}

/** The basis as the config item stores it: JSON with the pair angles rounded to 6 decimals. */
export function encodePlanBasis(basis: PlanBasis): string {
  const pairAngles = Array.from(basis.pairAngles, (x) => Math.round(x * 1e6) / 1e6);
  return JSON.stringify({ sampleSize: basis.sampleSize, dimension: basis.dimension, entryBytes: basis.entryBytes, pairAngles });
}

/** @throws Error when `json` is not an encoded basis */
export function decodePlanBasis(json: string): PlanBasis {
  const b = JSON.parse(json) as { sampleSize: number; dimension: number; entryBytes: number; pairAngles: number[] };
  if (!Array.isArray(b.pairAngles) || b.pairAngles.length !== ANGLE_BINS || !(b.sampleSize > 0) || !(b.dimension > 0)) throw new Error('not a plan basis');
  return { sampleSize: b.sampleSize, dimension: b.dimension, entryBytes: b.entryBytes, pairAngles: Float64Array.from(b.pairAngles) };
}

/** The factor a neighbour chord at the sample size m takes at size N: (m / N)^(1/D), at most 1 (`neighbourAngles`). */
function chordScale(basis: PlanBasis, vectorCount: number): number {
  return Math.pow(Math.min(1, basis.sampleSize / Math.max(1, vectorCount)), 1 / basis.dimension);
}

/**
 * The histogram bins (whole degrees at the basis's sample size) of one query's results, nearest
 * first, given their angles in radians (`Hasher.anglesFrom`) in a collection of `vectorCount`:
 * its first `PROFILE_NEIGHBOURS`, or none when it has fewer (a query of a smaller top-k, or of a
 * collection that small, says nothing of the 10th neighbour).
 */
export function observedBins(basis: PlanBasis, vectorCount: number, angles: readonly number[]): number[] {
  if (angles.length < PROFILE_NEIGHBOURS) return [];
  const grow = 1 / chordScale(basis, vectorCount);
  return angles.slice(0, PROFILE_NEIGHBOURS).map((theta) => Math.min(ANGLE_BINS - 1, Math.round((angleOfChord(chord(theta) * grow) * 180) / Math.PI)));
}

/**
 * One query's observation, from its first `PROFILE_NEIGHBOURS` results: their histogram bins
 * (`observedBins`) and table hits (`tableHitsOf`); undefined when it has fewer.
 * @param shape the depth and probes the query read, and the hash tables
 * @param angles the results' angles from the query, radians, nearest first (`Hasher.anglesFrom`)
 * @param arrivals the hash tables that held each result, same order (`CandidateSet.arrivalsOf`)
 */
export function observationOf(basis: PlanBasis, vectorCount: number, shape: SearchedShape, angles: readonly number[], arrivals: readonly number[]): QueryObservation | undefined {
  const bins = observedBins(basis, vectorCount, angles);
  if (bins.length === 0) return undefined;
  return { bins, hits: tableHitsOf(shape, angles.slice(0, PROFILE_NEIGHBOURS), arrivals.slice(0, PROFILE_NEIGHBOURS)) };
}

/**
 * The angles at which the observed queries' 10 nearest neighbours lie in a collection of
 * `vectorCount`, as a histogram over whole degrees summing to 1 (as `neighbourAngles`).
 * @throws RangeError when nothing was observed
 */
export function observedAngles(basis: PlanBasis, observed: QueryAngles, vectorCount: number): Float64Array {
  const total = observed.counts.reduce((s, c) => s + c, 0);
  if (!(total > 0)) throw new RangeError('no observed angles');
  const scale = chordScale(basis, vectorCount);
  const hist = new Float64Array(ANGLE_BINS);
  for (let b = 0; b < ANGLE_BINS; b++) {
    if (observed.counts[b] === 0) continue;
    addToAngleHistogram(hist, (angleOfChord(chord((b * Math.PI) / 180) * scale) * 180) / Math.PI, observed.counts[b] / total);
  }
  return hist;
}

/** Whether a collection still observes its queries (fewer than `CALIBRATION_MAX_QUERIES` so far). */
export function isObserving(observed: QueryAngles | undefined): boolean {
  return (observed?.queries ?? 0) < CALIBRATION_MAX_QUERIES;
}

/** Whether a collection's observed queries are enough to plan from. */
export function isCalibrated(observed: QueryAngles | undefined): observed is QueryAngles {
  return observed !== undefined && observed.queries >= CALIBRATION_MIN_QUERIES;
}

/**
 * The observations an instance plans from, given the latest it read: they change only when the
 * count of observed queries passes the next power of two times `CALIBRATION_MIN_QUERIES`, so an
 * instance plans again a few times over a collection's life, not at every query.
 */
export function calibrationStep(observed: QueryAngles | undefined): number {
  if (!isCalibrated(observed)) return 0;
  return 1 + Math.floor(Math.log2(Math.min(observed.queries, CALIBRATION_MAX_QUERIES) / CALIBRATION_MIN_QUERIES));
}

/**
 * The plan for N vectors from the observed angles, bucket reads priced from the basis
 * (`planForAngles`), each table's hit probability scaled by the observed hits (`hitScaleOf`),
 * aiming at the recall target plus `calibrationMargin`.
 */
export function calibratedPlan(basis: PlanBasis, observed: QueryAngles, vectorCount: number, o: Omit<PlanOptions, 'entryBytes' | 'hitScale'>): QueryPlan {
  const recallTarget = Math.min(1, o.recallTarget + calibrationMargin(observed.queries, o.recallTarget));
  const hitScale = hitScaleOf(observed.hits);
  return roundedRecall(planForAngles(basis, observedAngles(basis, observed, vectorCount), vectorCount, { ...o, recallTarget, hitScale, entryBytes: basis.entryBytes }));
}

/**
 * Calibrated plans on demand: for a collection of N vectors, the plan at the nearest size
 * 2^(h/2), as the stored plan table (`planAtSize`), each made once (a plan costs a search over
 * depths and probes).
 */
export function calibratedPlanner(basis: PlanBasis, observed: QueryAngles, o: Omit<PlanOptions, 'entryBytes' | 'hitScale'>): PlanAtSize {
  const byHalfOctave = new Map<number, QueryPlan>();
  return (vectorCount) => {
    const h = halfOctave(vectorCount);
    let plan = byHalfOctave.get(h);
    if (!plan) {
      plan = calibratedPlan(basis, observed, Math.pow(2, h / 2), o);
      byHalfOctave.set(h, plan);
    }
    return plan;
  };
}
