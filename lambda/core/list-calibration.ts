// The nprobe of a collection in k-means lists (bucket layout 3), calibrated on the queries it
// serves: a sampled query reads a wider set of lists, and where its results lay tells how many
// lists a query must read to find the recall target's share of them (`meanCoverageNprobe`).
import { calibrationMargin, spreadMargin } from './sampling-margin';
import { meanCoverageNprobe } from './lists';
import { xoshiroUniform } from './prng';

/**
 * Until queries first calibrate a collection's nprobe, one unfiltered query in this many (per
 * instance and collection) reads wide: the share its first batch set makes queries read many of
 * the lists that grew since (a first batch of 100 vectors trains 3 lists, so a query reads a third
 * of them or more), and the wide reads that end it sooner cost less than the queries they spare
 * (BENCHMARKS.md, "Local mode on disk").
 */
export const FIRST_CALIBRATION_EVERY = 2;

/** Calibration queries an instance gathers before the first setting of a collection's nprobe, and before each while the collection's window fills: a first setting that the sampling margin widens (`calibrationMargin`), and that later settings refine. */
export const FIRST_CALIBRATION_QUERIES = 8;

/**
 * Until the collection's window holds `CALIBRATION_WINDOW` calibration queries, one unfiltered
 * query in this many (per instance and collection) reads wide. The window is the collection's,
 * pooled from every instance, so it fills once whatever the rate: a faster fill spends the same
 * wide reads sooner. One in 4 keeps a query's median cost a narrow read's.
 */
export const CALIBRATION_EVERY = 4;

/** Once the window is full, one unfiltered query in this many reads wide: enough to follow the collection's growth. */
export const RECALIBRATION_EVERY = 64;

/**
 * A calibration query reads this many times the current nprobe: its results stand in for the exact
 * neighbours. On Fashion-MNIST a 4x read calibrated nprobe to 0.959 for a 0.95 target (BENCHMARKS.md,
 * "k-means lists": observed queries, `--reference-lists`).
 */
export const CALIBRATION_WIDTH = 4;

/** Calibration queries an instance gathers between two settings once the collection's window is full. */
export const CALIBRATION_QUERIES = 32;

/**
 * The most recent calibration queries of a collection a setting counts (its window), from every
 * instance. The recall a setting on 128 queries reaches spreads about as wide as the 0.01 #17
 * allows, since a query's 10 neighbours are found or missed together; four times as many queries
 * halve it (BENCHMARKS.md, "k-means lists: how many queries a calibration rests on").
 */
export const CALIBRATION_WINDOW = 16 * CALIBRATION_QUERIES;

/** Results of a calibration query that count: recall@10, as the recall target is stated. */
export const CALIBRATION_K = 10;

/** Where a collection's calibration stands: no setting yet, a window still filling, or a full one. */
export type CalibrationPhase = 'first' | 'filling' | 'full';

/** The phase of a collection whose window holds `pooled` calibration queries (undefined: no setting calibrated it yet). */
export const calibrationPhase = (pooled: number | undefined): CalibrationPhase => (pooled === undefined ? 'first' : pooled < CALIBRATION_WINDOW ? 'filling' : 'full');

/** One unfiltered query in this many reads wide in `phase`. */
export const wideEvery = (phase: CalibrationPhase): number => (phase === 'first' ? FIRST_CALIBRATION_EVERY : phase === 'filling' ? CALIBRATION_EVERY : RECALIBRATION_EVERY);

/** Calibration queries an instance gathers before it next adds them to the collection's window and sets the nprobe, in `phase`. */
export const queriesBeforeSetting = (phase: CalibrationPhase): number => (phase === 'full' ? CALIBRATION_QUERIES : FIRST_CALIBRATION_QUERIES);

/**
 * Unfiltered top-10 queries of a new collection one instance serves before its wide reads have
 * gathered the first setting's queries, at most (the query after them joins them): its first
 * query, then `FIRST_CALIBRATION_QUERIES` blocks of `FIRST_CALIBRATION_EVERY`.
 */
export const QUERIES_TO_FIRST_SETTING = 1 + FIRST_CALIBRATION_EVERY * FIRST_CALIBRATION_QUERIES;

/** Unfiltered top-10 queries a collection served by one instance answers until their wide reads fill its window, at most (the query after them joins the last): what a benchmark warms it up with. */
export const QUERIES_TO_FILL = QUERIES_TO_FIRST_SETTING + CALIBRATION_EVERY * (CALIBRATION_WINDOW - FIRST_CALIBRATION_QUERIES);

/** The lists a calibration query reads: `CALIBRATION_WIDTH` x the mean nprobe, rounded up, at most all. */
export const calibrationWidth = (nprobe: number, lists: number): number => Math.min(lists, Math.ceil(CALIBRATION_WIDTH * nprobe));

/** One calibration query: the lists it read (its width) and, for each of its first `CALIBRATION_K` results, the rank (0 = nearest) in its list order of the list its entry was read from. */
export interface CalibrationQuery {
  readonly width: number;
  readonly ranks: readonly number[];
}

/** Salts a collection's seed into the stream that places its wide reads (`CalibrationSampler`). */
const WIDE_READ_STREAM = 0x77d3e5a1;

/**
 * One instance's part in the calibration of one collection: which of its unfiltered queries read
 * wide, and the calibration queries it gathered that the collection's window does not hold yet.
 */
export class CalibrationSampler {
  private served = 0;
  private blockEnd = 0;
  private wideAt = 0;
  private fresh: CalibrationQuery[] = [];
  private readonly random: () => number;

  /**
   * @param seed the collection's seed: it places the wide query in each block, so one instance
   * serving the same queries reads the same ones wide from run to run
   */
  constructor(seed: number) {
    // a stream of its own: the collection's seed also seeds its lists' training
    this.random = xoshiroUniform((seed ^ WIDE_READ_STREAM) >>> 0);
  }

  /**
   * Whether this unfiltered query reads wide. An instance's first query does not (a cold start's
   * latency is not made longer); its queries after it come in blocks of `wideEvery` of the phase
   * the collection's window was in when the block began (`calibrationPhase` of `pooled`), and one
   * query of each block, at a seeded random place in it, reads wide. A fixed place would follow the
   * period: a client that asks the same few queries in turn, as many as a multiple of it, would have
   * the same ones read wide every time, and the window would rest on those alone.
   */
  wide(pooled: number | undefined): boolean {
    const n = this.served++;
    if (n === 0) return false;
    if (n > this.blockEnd) {
      const every = wideEvery(calibrationPhase(pooled));
      this.wideAt = this.blockEnd + 1 + Math.floor(this.random() * every);
      this.blockEnd += every;
    }
    return n === this.wideAt;
  }

  /** Adds a calibration query to those gathered. */
  add(query: CalibrationQuery): void {
    this.fresh.push(query);
  }

  /** Whether `queriesBeforeSetting` of the phase are gathered: time to `take` them into the window. */
  due(pooled: number | undefined): boolean {
    return this.fresh.length >= queriesBeforeSetting(calibrationPhase(pooled));
  }

  /** The gathered calibration queries, oldest first, no longer held here. */
  take(): CalibrationQuery[] {
    const taken = this.fresh;
    this.fresh = [];
    return taken;
  }

  /** Holds `taken` again, before any gathered since, when they did not join the window (at most the latest `CALIBRATION_WINDOW`). */
  restore(taken: readonly CalibrationQuery[]): void {
    this.fresh = joinWindow(taken, this.fresh);
  }
}

/** A collection's window after `fresh` calibration queries join the `held` ones: the latest `CALIBRATION_WINDOW`, oldest first. */
export const joinWindow = (held: readonly CalibrationQuery[], fresh: readonly CalibrationQuery[]): CalibrationQuery[] => [...held, ...fresh].slice(-CALIBRATION_WINDOW);

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
 * Each calibration query's share of its `CALIBRATION_K` results in the lists a mean nprobe `nprobe`
 * reads, reading one list more in proportion to the fraction (the mix `meanCoverageNprobe` inverts):
 * what a window says its queries find at a setting.
 */
export function foundShares(queries: readonly CalibrationQuery[], nprobe: number): number[] {
  const whole = Math.floor(nprobe);
  const f = nprobe - whole;
  return queries.map((q) => ((1 - f) * q.ranks.filter((r) => r < whole).length + f * q.ranks.filter((r) => r < whole + 1).length) / CALIBRATION_K);
}

/** The mean nprobe at which calibration queries find `(recallTarget + margin) / (1 - missed)` of their results (`missed`: their `referenceMiss`). */
function aimedNprobe(queries: readonly CalibrationQuery[], lists: number, recallTarget: number, margin: number, missed: number): number {
  if (!(recallTarget >= 0 && recallTarget <= 1)) throw new RangeError(`target must be in [0, 1], got ${recallTarget}`);
  const aim = Math.min(1, (recallTarget + margin) / (1 - missed));
  return meanCoverageNprobe(queries.map((q) => q.ranks), lists, aim, CALIBRATION_K);
}

/** `windowMargin`, with the queries' `referenceMiss` already worked out. */
function marginOf(queries: readonly CalibrationQuery[], lists: number, recallTarget: number, missed: number): number {
  if (queries.length < CALIBRATION_WINDOW) return calibrationMargin(queries.length, recallTarget);
  return spreadMargin(foundShares(queries, aimedNprobe(queries, lists, recallTarget, 0, missed)), recallTarget);
}

/**
 * How far above the recall target a window of calibration queries aims. A full window
 * (`CALIBRATION_WINDOW` queries), whose setting a collection keeps, aims by the standard error of
 * its queries' mean found share at the setting with no margin, from their own spread
 * (`spreadMargin`), and at least the sampling margin of as many independent neighbours. A window
 * still filling aims by that least margin alone (`calibrationMargin`): a first setting on 8 queries
 * whose spread says little would otherwise read every list, and each setting while the window fills
 * lasts a few dozen queries before the next refines it.
 * @throws RangeError as `calibratedShare`
 */
export function windowMargin(queries: readonly CalibrationQuery[], lists: number, recallTarget: number): number {
  return marginOf(queries, lists, recallTarget, referenceMiss(queries, lists));
}

/**
 * The share of a collection's `lists` lists its queries should read (`nprobeOf`), from calibration
 * queries: the mean nprobe at which the queries find the recall target's share of their results
 * (`meanCoverageNprobe`: some queries read one list more than others, `queryNprobe`), over the
 * lists. It aims above the target by the standard error of the queries' own found shares
 * (`windowMargin`), and by the neighbours the queries' wide reads missed (`referenceMiss`): their
 * results found at a share s stand for s x (1 - missed) of the exact neighbours.
 * @param margin how far above the target to aim, as a recall share
 * @default margin `windowMargin(queries, lists, recallTarget)`
 * @throws RangeError as `coverageNprobe` (no queries, a rank out of range, a target outside [0, 1])
 */
export function calibratedShare(queries: readonly CalibrationQuery[], lists: number, recallTarget: number, margin?: number): number {
  const missed = referenceMiss(queries, lists);
  return aimedNprobe(queries, lists, recallTarget, margin ?? marginOf(queries, lists, recallTarget, missed), missed) / lists;
}

/**
 * A join's setting: the window once `fresh` calibration queries join the `held` ones (`joinWindow`),
 * and the share of a collection's `lists` lists that reaches `recallTarget` on it (`calibratedShare`).
 * @throws RangeError as `calibratedShare`
 */
export function joinedSetting(held: readonly CalibrationQuery[], fresh: readonly CalibrationQuery[], lists: number, recallTarget: number): { window: CalibrationQuery[]; share: number } {
  const window = joinWindow(held, fresh);
  return { window, share: calibratedShare(window, lists, recallTarget) };
}
