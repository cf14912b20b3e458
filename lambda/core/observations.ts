// What one instance holds of its collections' calibration (`calibration.ts`): the observed queries it has not
// written yet, and the plans it made from the observed queries it last read.
import { calibratedPlanner, calibrationStep, isCalibrated, isObserving, observationOf, PlanBasis, QueryAngles, QueryObservation } from './calibration';
import { PlanAtSize, PlanOptions } from './planner';
import { ANGLE_BINS } from './profile';
import { addTableHits, SearchedShape, TableHits } from './table-hits';

/**
 * Observed queries an instance gathers before they are written to the collection: a write per
 * this many queries, not per query. An instance that stops holding some loses them, which only
 * delays the calibration.
 */
export const OBSERVATION_FLUSH_QUERIES = 16;

/** Collections one instance keeps pending observations or calibrated plans of. */
const COLLECTIONS = 256;

/** Observed queries of one collection not yet written: how many, their results per whole degree, and their table hits. */
export interface PendingObservations {
  readonly queries: number;
  readonly counts: ReadonlyMap<number, number>;
  readonly hits: TableHits;
}

/** One instance's observed queries, by collection uid, until they are taken to be written. */
export class ObservationBuffer {
  private readonly pending = new Map<string, PendingObservations>();

  /**
   * Takes one query's results in a collection of `vectorCount` (`observationOf`), unless the
   * collection has observed `CALIBRATION_MAX_QUERIES` already or the query had fewer than 10
   * results.
   * @param shape the depth and probes the query read, and the hash tables
   * @param angles the results' angles from the query, radians, nearest first (`Hasher.anglesFrom`)
   * @param arrivals the hash tables that held each result, same order (`CandidateSet.arrivalsOf`)
   */
  observe(uid: string, basis: PlanBasis, observed: QueryAngles | undefined, vectorCount: number, shape: SearchedShape, angles: readonly number[], arrivals: readonly number[]): void {
    if (!isObserving(observed)) return;
    const seen = observationOf(basis, vectorCount, shape, angles, arrivals);
    if (!seen) return;
    if (!this.pending.has(uid) && this.pending.size >= COLLECTIONS) this.pending.delete(this.pending.keys().next().value as string);
    this.pending.set(uid, withObservation(this.pending.get(uid), seen));
  }

  /** The collection's pending observations once there are `OBSERVATION_FLUSH_QUERIES`, removed from the buffer; undefined before. */
  take(uid: string): PendingObservations | undefined {
    const mine = this.pending.get(uid);
    if (!mine || mine.queries < OBSERVATION_FLUSH_QUERIES) return undefined;
    this.pending.delete(uid);
    return mine;
  }
}

/**
 * One instance's calibrated plans, by collection uid. Plans are made again only when the count of
 * observed queries passes a step (`calibrationStep`), from the observations read then, and for
 * each size once (`calibratedPlanner`): a few times over a collection's life, not at every query.
 */
export class CalibratedPlans {
  private readonly planned = new Map<string, { step: number; plans: PlanAtSize }>();

  /** The calibrated plans of a collection; undefined while its observed queries are too few (`isCalibrated`). */
  plansOf(uid: string, basis: PlanBasis, observed: QueryAngles | undefined, o: Omit<PlanOptions, 'entryBytes' | 'hitScale'>): PlanAtSize | undefined {
    if (!isCalibrated(observed)) return undefined;
    const step = calibrationStep(observed);
    let memo = this.planned.get(uid);
    if (!memo || memo.step < step) {
      memo = { step, plans: calibratedPlanner(basis, observed, o) };
      if (this.planned.size >= COLLECTIONS) this.planned.delete(this.planned.keys().next().value as string);
      this.planned.set(uid, memo);
    }
    return memo.plans;
  }
}

/** Pending observations with one query's more. */
export function withObservation(pending: PendingObservations | undefined, seen: QueryObservation): PendingObservations {
  const counts = new Map(pending?.counts ?? []);
  for (const b of seen.bins) counts.set(b, (counts.get(b) ?? 0) + 1);
  return { queries: (pending?.queries ?? 0) + 1, counts, hits: addTableHits(pending?.hits, seen.hits) };
}

/**
 * Adds pending observations to a collection's observed queries, as the counter item's update does
 * (table hits start with the first observations that carry them).
 */
export function addObservations(observed: QueryAngles | undefined, pending: PendingObservations): QueryAngles {
  const counts = observed ? Float64Array.from(observed.counts) : new Float64Array(ANGLE_BINS);
  for (const [b, c] of pending.counts) counts[b] += c;
  return { queries: (observed?.queries ?? 0) + pending.queries, counts, hits: addTableHits(observed?.hits, pending.hits) };
}
