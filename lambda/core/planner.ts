// The query planner: for each collection size, the bucket depth and probes per hash table that reach the recall
// target at the fewest read units, and the query shape a query uses.
import { READ_UNIT_BYTES, readUnits } from './capacity';
import { findProbability, MAX_PROBE_RANK, tableHitProbability } from './collision';
import { bucketDepth } from './multiprobe';
import { CODE_BITS, UNPROFILED } from './params';
import { IndexParams } from './types';
import { ANGLE_BINS, DataProfile, neighbourAngles } from './profile';

/**
 * The query planner: for a collection of N vectors, the bucket depth and probes per hash table
 * that find a share `recallTarget` of a query's 10 nearest neighbours at the fewest read units.
 *
 * - Recall: a neighbour at angle θ is found with probability 1 − (1 − p)^L, p from the collision
 *   model (`collision.ts`); the plan's recall is the mean over the neighbour angles the profile
 *   predicts at N (`neighbourAngles`).
 * - Probes: `probes` per hash table, and one more in the first `extraProbes` tables
 *   (`tableProbes`), so that a plan may add one probe at a time, not L.
 * - Read units: a query reads L × (1 + probes) + extraProbes buckets, which hold N × E[p(θ)] entries per table
 *   over the profile's pair angles θ (`expectedEntriesRead`): more than (1 + probes) N / 2^d
 *   when the data is clustered, since a query lands where vectors are dense
 *   (`bucketReadUnits`).
 *
 * Plans are made once per collection, when its profile is measured, for sizes N = 2^(h/2) up to
 * 2^PLAN_MAX_LOG2; a query uses the plan of the nearest size.
 */

/** A query plan: how deep the buckets are and how many extra buckets each hash table probes. */
export interface QueryPlan {
  /** Bucket depth, code prefix bits (partitionBits..CODE_BITS). */
  readonly depth: number;
  /** Extra buckets per hash table (0..MAX_PROBE_RANK). */
  readonly probes: number;
  /**
   * Hash tables, the first ones, that probe one bucket more than `probes` (0..L − 1,
   * `tableProbes`). Absent from plans stored before it existed.
   * @default 0
   */
  readonly extraProbes?: number;
  /** Predicted share of the 10 nearest neighbours among the candidates (0..1). */
  readonly recall: number;
}

export interface PlanOptions {
  /** Hash tables (L). */
  readonly hashTables: number;
  /** Smallest depth: a bucket never spans partitions. */
  readonly partitionBits: number;
  /** Share of the neighbours a plan must find (0..1). */
  readonly recallTarget: number;
  /** Bytes of one bucket entry item, for the read units (`layout.itemSize`). */
  readonly entryBytes: number;
  /** A fixed bucket size (vectors per bucket, as `bucketDepth`); undefined: the depth is planned. */
  readonly bucketSize?: number;
  /** A fixed probe count; undefined: planned. */
  readonly probes?: number;
  /**
   * The factor on each hash table's hit probability that the collection's own hyperplanes show
   * (`hitScaleOf`), for the predicted recall only: bucket reads are priced from the pair angles.
   * @default 1
   */
  readonly hitScale?: number;
}

/** Sizes are planned up to 2^30 vectors. */
export const PLAN_MAX_LOG2 = 30;

/** The probe counts per hash table the planner tries first at each depth; it bisects the totals between two of them (`planForAngles`). */
export const PROBE_CHOICES: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, MAX_PROBE_RANK];

/** Pair angles up to this many degrees go through the collision model; wider ones are nearly independent of the query. */
const MODELLED_DEGREES = 90;

/**
 * Expected bucket entries a query reads in one hash table, home bucket and `probes` more, in a
 * collection of N: N × E[p(θ)] over the profile's pair angles θ, with p the collision model's
 * probability that a vector at θ lies in a bucket read. Beyond 90 degrees a vector's code is
 * nearly independent of the query's, so each bucket read holds it with probability (1 − θ/π)^d.
 */
export function expectedEntriesRead(profile: Pick<DataProfile, 'pairAngles'>, vectorCount: number, depth: number, probes: number): number {
  let share = 0;
  for (let b = 0; b < ANGLE_BINS; b++) {
    const w = profile.pairAngles[b];
    if (w === 0) continue;
    share += w * (b <= MODELLED_DEGREES ? tableHitProbability((b * Math.PI) / 180, depth, probes) : (1 + probes) * Math.pow(1 - b / 180, depth));
  }
  return vectorCount * share;
}

/** Read units of a Query page that holds nothing (eventually consistent): the least any bucket read costs. */
const QUERY_PAGE_FLOOR = readUnits(0);

/**
 * Predicted read units of a plan's bucket reads (`readUnits` in expectation): per hash table,
 * 1 + its probes Query calls of at least the floor, the floor per 4 KB of entries, and on average
 * half a page of rounding per call.
 * @param extraProbes tables that probe one bucket more (`tableProbes`). @default 0
 */
export function bucketReadUnits(
  profile: Pick<DataProfile, 'pairAngles'>,
  vectorCount: number,
  depth: number,
  probes: number,
  o: Pick<PlanOptions, 'hashTables' | 'entryBytes'>,
  extraProbes = 0,
): number {
  const perTable = (p: number) => QUERY_PAGE_FLOOR * ((1 + p) / 2 + (expectedEntriesRead(profile, vectorCount, depth, p) * o.entryBytes) / READ_UNIT_BYTES);
  const units = (o.hashTables - extraProbes) * perTable(probes) + (extraProbes > 0 ? extraProbes * perTable(probes + 1) : 0);
  return Math.max(bucketReadFloor(probes, o.hashTables, extraProbes), units);
}

/** The least a plan's bucket reads cost whatever they hold: L × (1 + probes) + extraProbes Query calls at the floor of `readUnits`. */
export function bucketReadFloor(probes: number, hashTables: number, extraProbes = 0): number {
  return QUERY_PAGE_FLOOR * (hashTables * (1 + probes) + extraProbes);
}

/**
 * The cheapest plan for N vectors whose predicted recall reaches the target; when none does, the
 * plan with the highest predicted recall.
 */
export function planQuery(profile: DataProfile, vectorCount: number, o: PlanOptions): QueryPlan {
  return planForAngles(profile, neighbourAngles(profile, vectorCount), vectorCount, o);
}

/**
 * The share of neighbours lying at `angles` (a histogram over whole degrees summing to 1, as
 * `neighbourAngles`) that a plan of `depth`, `probes` and `extraProbes` finds in `hashTables` hash
 * tables: the collision model's find probability (`findProbability`, each table's hit probability
 * scaled by `hitScale`) averaged over the histogram.
 */
export function recallAtAngles(angles: Float64Array, depth: number, probes: number, hashTables: number, hitScale = 1, extraProbes = 0): number {
  let r = 0;
  for (let b = 0; b < ANGLE_BINS; b++) if (angles[b] > 0) r += angles[b] * findProbability((b * Math.PI) / 180, depth, probes, hashTables, hitScale, extraProbes);
  return r;
}

/**
 * The cheapest plan for N vectors whose queries' 10 nearest neighbours lie at `angles` (a
 * histogram over whole degrees, as `neighbourAngles`), with bucket reads priced from the pair
 * angles of `profile`; when no plan reaches the target, the one with the highest predicted recall.
 *
 * At each depth, recall and read units both grow with the total probes T = L × probes +
 * extraProbes, so the cheapest plan of a depth is the least T that reaches the target: found among
 * `PROBE_CHOICES` per table, then by bisection over the T between the last choice that fell short
 * and the first that reached it.
 */
export function planForAngles(profile: Pick<DataProfile, 'pairAngles'>, angles: Float64Array, vectorCount: number, o: PlanOptions): QueryPlan {
  const log2N = Math.log2(Math.max(2, vectorCount));
  const L = o.hashTables;
  const depths =
    o.bucketSize !== undefined
      ? [bucketDepth(vectorCount, o.bucketSize, o.partitionBits)]
      : // buckets of about 1 to 4096 vectors at N / 2^d
        range(Math.max(o.partitionBits, Math.floor(log2N) - 12), Math.max(o.partitionBits, Math.min(CODE_BITS, Math.ceil(log2N))));
  const probeChoices = o.probes !== undefined ? [o.probes] : PROBE_CHOICES;
  // a plan's recall at a total of probes; its read units are priced only once it reaches the target
  const planAt = (depth: number, total: number): Required<QueryPlan> => {
    const probes = Math.floor(total / L);
    const extraProbes = total - probes * L;
    return { depth, probes, extraProbes, recall: recallAtAngles(angles, depth, probes, L, o.hitScale, extraProbes) };
  };
  let best: (Required<QueryPlan> & { cost: number }) | undefined;
  let fallback: Required<QueryPlan> | undefined;
  for (const depth of depths) {
    let shortOf = -1; // the largest total probes known to fall short at this depth
    for (const probes of probeChoices) {
      // more probes cost more: once even the floor of the least total not yet known to fall short
      // reaches the best plan's cost, no more probes can replace it (and the collision model is not
      // asked about ranks no plan will use)
      const least = Math.max(shortOf + 1, o.probes === undefined ? 0 : probes * L);
      if (best && bucketReadFloor(Math.floor(least / L), L, least % L) >= best.cost) break;
      let plan = planAt(depth, probes * L);
      if (plan.recall >= o.recallTarget) {
        let reaches = probes * L;
        while (o.probes === undefined && reaches - shortOf > 1) {
          const mid = (shortOf + reaches) >> 1;
          const between = planAt(depth, mid);
          if (between.recall >= o.recallTarget) {
            reaches = mid;
            plan = between;
          } else shortOf = mid;
        }
        const cost = bucketReadUnits(profile, vectorCount, depth, plan.probes, o, plan.extraProbes);
        if (!best || cost < best.cost) best = { ...plan, cost };
        break; // more probes at this depth only cost more
      }
      shortOf = probes * L;
      if (!fallback || plan.recall > fallback.recall) fallback = plan;
    }
  }
  const { depth, probes, extraProbes, recall } = (best ?? fallback)!;
  return { depth, probes, ...(extraProbes > 0 ? { extraProbes } : {}), recall };
}

/** A plan for each size 2^(h/2), h = 2 log2(m) .. 2 PLAN_MAX_LOG2, m the profile's sample size. */
export interface PlanTable {
  /** h of the first plan. */
  readonly from: number;
  readonly plans: readonly QueryPlan[];
}

/** Plans for every size from the sample's to 2^PLAN_MAX_LOG2 vectors. */
export function planTable(profile: DataProfile, o: PlanOptions): PlanTable {
  const from = Math.floor(2 * Math.log2(profile.sampleSize));
  const plans: QueryPlan[] = [];
  for (let h = from; h <= 2 * PLAN_MAX_LOG2; h++) plans.push(planQuery(profile, Math.pow(2, h / 2), o));
  return { from, plans };
}

/** The plan for a collection of `vectorCount` vectors: the table's nearest size. */
export function planAtSize(table: PlanTable, vectorCount: number): QueryPlan {
  return table.plans[Math.min(table.plans.length - 1, Math.max(0, halfOctave(vectorCount) - table.from))];
}

/** The h of the nearest planned size 2^(h/2) to a collection of `vectorCount` vectors. */
export function halfOctave(vectorCount: number): number {
  return Math.round(2 * Math.log2(Math.max(1, vectorCount)));
}

/** A plan with its predicted recall to three decimals: plenty, and it keeps a stored table small. */
export function roundedRecall(plan: QueryPlan): QueryPlan {
  return { ...plan, recall: Math.round(plan.recall * 1000) / 1000 };
}

/** The plans of a collection with these index parameters (`PlanOptions` from them). */
export function planTableForIndex(index: IndexParams, profile: DataProfile, entryBytes: number): PlanTable {
  const { hashTables, partitionBits, recallTarget, bucketSize, probes } = index;
  const table = planTable(profile, { hashTables, partitionBits, recallTarget, entryBytes, bucketSize, probes });
  return { from: table.from, plans: table.plans.map(roundedRecall) };
}

/** Plans made on demand (a collection calibrated by its queries, `calibration.ts`): the plan for a collection of `vectorCount` vectors. */
export type PlanAtSize = (vectorCount: number) => QueryPlan;

/** What one query reads: bucket depth and probes per hash table, and the recall its plan predicts. */
export interface QueryShape {
  readonly depth: number;
  readonly probes: number;
  /** Hash tables, the first ones, that probe one bucket more than `probes` (`tableProbes`). */
  readonly extraProbes: number;
  /** Predicted by the plan; undefined without a plan or with a probes override. */
  readonly expectedRecall?: number;
}

/**
 * The depth and probes of a query of a collection of `vectorCount` vectors: the index's fixed
 * `bucketSize` or `probes` where set, the query's `probes` override where given, the plan of the
 * nearest size (or the calibrated plan, `calibration.ts`) otherwise, and `UNPROFILED` when the
 * collection has no plans yet.
 */
export function queryShape(index: IndexParams, plans: PlanTable | PlanAtSize | undefined, vectorCount: number, probesOverride?: number): QueryShape {
  const planned = typeof plans === 'function' ? plans(vectorCount) : plans ? planAtSize(plans, vectorCount) : undefined;
  const depth =
    index.bucketSize !== undefined
      ? bucketDepth(vectorCount, index.bucketSize, index.partitionBits)
      : (planned?.depth ?? bucketDepth(vectorCount, UNPROFILED.bucketSize, index.partitionBits));
  const probes = probesOverride ?? index.probes ?? planned?.probes ?? UNPROFILED.probes;
  const extraProbes = probesOverride === undefined && index.probes === undefined ? (planned?.extraProbes ?? 0) : 0;
  return { depth, probes, extraProbes, ...(planned && probesOverride === undefined ? { expectedRecall: planned.recall } : {}) };
}

function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) out.push(i);
  return out;
}
