// The nprobe of a collection in k-means lists (bucket layout 3), calibrated on the queries it
// serves: a sampled query reads a wider set of lists, and where its results lay tells how many
// lists a query must read to find the recall target's share of them (`meanCoverageNprobe`).
import { calibrationMargin } from './sampling-margin';
import { meanCoverageNprobe } from './lists';

/**
 * Until queries first calibrate a collection's nprobe, one unfiltered query in this many (per
 * instance and collection) reads wide: the share its first batch set makes queries read many of
 * the lists that grew since (a first batch of 100 vectors trains 3 lists, so a query reads a third
 * of them or more), and the wide reads that end it sooner cost less than the queries they spare
 * (BENCHMARKS.md, "Local mode on disk").
 */
export const FIRST_CALIBRATION_EVERY = 2;

/** Calibration queries an instance gathers before it first sets the nprobe of a collection that queries have not calibrated yet: a first setting that the sampling margin widens (`calibrationMargin`), and that later settings refine. */
export const FIRST_CALIBRATION_QUERIES = 8;

/** Until an instance has gathered `CALIBRATION_FILL` calibration queries of a collection, one unfiltered query in this many (per instance and collection) reads wide. */
export const CALIBRATION_EVERY = 8;

/** Once it has, one unfiltered query in this many reads wide: enough to follow the collection's growth at an eighth of the filling rate. */
export const RECALIBRATION_EVERY = 64;

/**
 * A calibration query reads this many times the current nprobe: its results stand in for the exact
 * neighbours. On Fashion-MNIST a 4x read calibrated nprobe to 0.959 for a 0.95 target (BENCHMARKS.md,
 * "k-means lists": observed queries, `--reference-lists`).
 */
export const CALIBRATION_WIDTH = 4;

/** Calibration queries an instance gathers before it first sets a collection's nprobe, and between two settings. */
export const CALIBRATION_QUERIES = 32;

/** Calibration queries an instance gathers before it next sets the nprobe: `FIRST_CALIBRATION_QUERIES` while no setting calibrated the collection's share, else `CALIBRATION_QUERIES`. */
export const queriesBeforeSetting = (calibrated: boolean): number => (calibrated ? CALIBRATION_QUERIES : FIRST_CALIBRATION_QUERIES);

/** Calibration queries an instance gathers at one query in `CALIBRATION_EVERY` before it reads wide one in `RECALIBRATION_EVERY`: four settings' worth, so that each rests on more than one batch's noise. */
export const CALIBRATION_FILL = 4 * CALIBRATION_QUERIES;

/**
 * The most recent calibration queries a setting counts: sixteen settings' worth. The recall a
 * setting on `CALIBRATION_FILL` queries reaches spreads about as wide as the 0.01 #17 allows,
 * since a query's 10 neighbours are found or missed together; four times as many queries halve
 * it (BENCHMARKS.md, "k-means lists: how many queries a calibration rests on"). The window grows
 * to this at the recalibration rate, so a collection in service reaches it without reading wide
 * more often.
 */
export const CALIBRATION_WINDOW = 16 * CALIBRATION_QUERIES;

/** Results of a calibration query that count: recall@10, as the recall target is stated. */
export const CALIBRATION_K = 10;

/** The lists a calibration query reads: `CALIBRATION_WIDTH` x the mean nprobe, rounded up, at most all. */
export const calibrationWidth = (nprobe: number, lists: number): number => Math.min(lists, Math.ceil(CALIBRATION_WIDTH * nprobe));

/** One calibration query: the lists it read (its width) and, for each of its first `CALIBRATION_K` results, the rank (0 = nearest) in its list order of the list its entry was read from. */
export interface CalibrationQuery {
  readonly width: number;
  readonly ranks: readonly number[];
}

/**
 * One instance's calibration of one collection: which of its unfiltered queries read wide, and the
 * latest calibration queries (at most `CALIBRATION_WINDOW`, oldest first) a setting rests on.
 */
export class CalibrationWindow {
  private served = 0;
  private fresh = 0;
  private readonly latest: CalibrationQuery[] = [];

  /** The calibration queries a setting would rest on now, oldest first. */
  get queries(): readonly CalibrationQuery[] {
    return this.latest;
  }

  /**
   * Whether this unfiltered query reads wide: the last of every `FIRST_CALIBRATION_EVERY` while no
   * setting calibrated the collection (`calibrated`, from any instance), then of every
   * `CALIBRATION_EVERY` until the window holds `CALIBRATION_FILL`, then of every
   * `RECALIBRATION_EVERY` (so an instance's first query, on a cold start, is not the wide one).
   */
  wide(calibrated: boolean): boolean {
    const every = !calibrated ? FIRST_CALIBRATION_EVERY : this.latest.length < CALIBRATION_FILL ? CALIBRATION_EVERY : RECALIBRATION_EVERY;
    return ++this.served % every === 0;
  }

  /**
   * Adds a calibration query, the oldest dropped beyond `CALIBRATION_WINDOW`.
   * @returns true when a setting is due: `queriesBeforeSetting(calibrated)` were added since the last
   */
  add(query: CalibrationQuery, calibrated: boolean): boolean {
    this.latest.push(query);
    if (this.latest.length > CALIBRATION_WINDOW) this.latest.shift();
    if (++this.fresh < queriesBeforeSetting(calibrated)) return false;
    this.fresh = 0;
    return true;
  }
}

/**
 * The share of the exact neighbours that calibration queries of a collection in `lists` lists
 * missed because they lay beyond the lists the queries read: 0 for a query that read every list;
 * otherwise extrapolated from how the results thin out over the read, assuming the share of
 * neighbours beyond the first n lists falls by the same factor rho each time n doubles (as the
 * measured recall of k-means lists does over nprobe, BENCHMARKS.md "k-means lists"). With m1 and
 * m2 the shares of the results beyond the first quarter and the first half of the lists read, the
 * share a beyond a read of w solves a x M(w/4) = M(w/2)^2 with M(n) = a + (1 - a) m(n), so
 * a = m2^2 / (m1 - 2 m2 + m2^2) (at most m2, which it reaches when the results thin out by less
 * than about a third per doubling) and rho = a / M(w/2). Of that share, the lists beyond the read
 * hold what falls before the last list: a x (1 - rho^log2(lists / w)) for each query.
 */
export function referenceMiss(queries: readonly CalibrationQuery[], lists: number): number {
  let slots = 0;
  let beyondQuarter = 0;
  let beyondHalf = 0;
  for (const q of queries) {
    if (q.width >= lists) continue;
    for (const r of q.ranks) {
      slots++;
      if (r >= q.width / 4) beyondQuarter++;
      if (r >= q.width / 2) beyondHalf++;
    }
  }
  if (beyondHalf === 0) return 0;
  const m1 = beyondQuarter / slots;
  const m2 = beyondHalf / slots;
  const denominator = m1 - 2 * m2 + m2 * m2;
  const a = denominator > 0 ? Math.min(m2, (m2 * m2) / denominator) : m2;
  const rho = a / (a + (1 - a) * m2);
  let missed = 0;
  for (const q of queries) missed += a * (1 - rho ** Math.log2(lists / Math.min(lists, q.width)));
  return missed / queries.length;
}

/**
 * The share of a collection's `lists` lists its queries should read (`nprobeOf`), from calibration
 * queries: the mean nprobe at which the queries find the recall target's share of their results
 * (`meanCoverageNprobe`: some queries read one list more than others, `queryNprobe`), over the
 * lists. It aims above the target by the sampling margin of
 * the planner's calibration (`calibrationMargin`), and by the neighbours the queries' wide reads
 * missed (`referenceMiss`): their results found at a share s stand for s x (1 - missed) of the
 * exact neighbours.
 * @param margin how far above the target to aim, as a recall share
 * @default margin `calibrationMargin(queries.length, recallTarget)`
 * @throws RangeError as `coverageNprobe` (no queries, a rank out of range, a target outside [0, 1])
 */
export function calibratedShare(queries: readonly CalibrationQuery[], lists: number, recallTarget: number, margin = calibrationMargin(queries.length, recallTarget)): number {
  if (!(recallTarget >= 0 && recallTarget <= 1)) throw new RangeError(`target must be in [0, 1], got ${recallTarget}`);
  const aim = Math.min(1, (recallTarget + margin) / (1 - referenceMiss(queries, lists)));
  return meanCoverageNprobe(queries.map((q) => q.ranks), lists, aim, CALIBRATION_K) / lists;
}
