// What one instance holds of its collections' calibration (`calibration.ts`): the observed queries it has not
// written yet, and the plans it made from the observed queries it last read.
import { calibratedPlanner, calibrationStep, isCalibrated, isObserving, observedBins, PlanBasis, QueryAngles } from './calibration';
import { PlanAtSize, PlanOptions } from './planner';
import { ANGLE_BINS } from './profile';

/**
 * Observed queries an instance gathers before they are written to the collection: a write per
 * this many queries, not per query. An instance that stops holding some loses them, which only
 * delays the calibration.
 */
export const OBSERVATION_FLUSH_QUERIES = 16;

/** Collections one instance keeps pending observations or calibrated plans of. */
const COLLECTIONS = 256;

/** Observed queries of one collection not yet written: how many, and their results per whole degree. */
export interface PendingObservations {
  readonly queries: number;
  readonly counts: ReadonlyMap<number, number>;
}

/** One instance's observed queries, by collection uid, until they are taken to be written. */
export class ObservationBuffer {
  private readonly pending = new Map<string, { queries: number; counts: Map<number, number> }>();

  /**
   * Takes one query's result angles (radians, nearest first, `Hasher.anglesFrom`) in a
   * collection of `vectorCount`, unless the collection has observed `CALIBRATION_MAX_QUERIES`
   * already or the query had fewer than 10 results (`observedBins`).
   */
  observe(uid: string, basis: PlanBasis, observed: QueryAngles | undefined, vectorCount: number, angles: readonly number[]): void {
    if (!isObserving(observed)) return;
    const bins = observedBins(basis, vectorCount, angles);
    if (bins.length === 0) return;
    let mine = this.pending.get(uid);
    if (!mine) {
      if (this.pending.size >= COLLECTIONS) this.pending.delete(this.pending.keys().next().value as string);
      mine = { queries: 0, counts: new Map() };
      this.pending.set(uid, mine);
    }
    mine.queries++;
    for (const b of bins) mine.counts.set(b, (mine.counts.get(b) ?? 0) + 1);
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
  plansOf(uid: string, basis: PlanBasis, observed: QueryAngles | undefined, o: Omit<PlanOptions, 'entryBytes'>): PlanAtSize | undefined {
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

/** Adds pending observations to a collection's observed queries, as the counter item's update does. */
export function addObservations(observed: QueryAngles | undefined, pending: PendingObservations): QueryAngles {
  const counts = observed ? Float64Array.from(observed.counts) : new Float64Array(ANGLE_BINS);
  for (const [b, c] of pending.counts) counts[b] += c;
  return { queries: (observed?.queries ?? 0) + pending.queries, counts };
}
