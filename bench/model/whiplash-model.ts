// The cost model of Whiplash's query, in process: the store's own search steps over every base
// vector's encoding held in memory, for collections too large to ingest into DynamoDB Local.
import { frameOf, Hasher } from '../../lambda/core/hasher';
import { calibratedPlanner, isObserving, observationOf, PlanBasis, planBasisOf, QueryAngles } from '../../lambda/core/calibration';
import { addObservations, CalibratedPlans, ObservationBuffer, withObservation } from '../../lambda/core/observations';
import { PlanAtSize, PlanTable, planTableForIndex } from '../../lambda/core/planner';
import { ANGLE_BINS, DataProfile, PROFILE_MAX_SAMPLE, PROFILE_MIN_SAMPLE, PROFILE_NEIGHBOURS } from '../../lambda/core/profile';
import { PRNG_VERSION } from '../../lambda/core/prng';
import { bucketReadLimit, CandidateSet, exactTopK, planSearch, sampleProfile } from '../../lambda/core/search';
import { packSketch } from '../../lambda/core/sketch-format';
import { IndexParams, Metric } from '../../lambda/core/types';
import { readUnits } from '../../lambda/core/capacity';
import { Matrix, row } from '../datasets/types';
import { StoreItems } from './store-layout';
import { DYNAMO_ITEM_OVERHEAD } from '../cost/model';

/** The model's one collection, as the calibration's buffers key it. */
const MODEL_UID = 'model';

/** Largest page a DynamoDB Query returns: 1 MB of items read (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html). */
export const QUERY_PAGE_BYTES = 1024 * 1024;

/**
 * Page sizes of a Query over items of the given sizes, in key order: a page ends once it holds
 * 1 MB. One empty page when there are no items.
 */
export function queryPages(itemBytes: Iterable<number>): number[] {
  const pages: number[] = [];
  let page = 0;
  let open = false;
  for (const b of itemBytes) {
    page += b;
    open = true;
    if (page >= QUERY_PAGE_BYTES) {
      pages.push(page);
      page = 0;
      open = false;
    }
  }
  if (open || pages.length === 0) pages.push(page);
  return pages;
}

/** Read units and pages of a Query over items of the given sizes, in key order: each page (`queryPages`) billed by `readUnits` (eventually consistent). */
export function queryReadUnits(itemBytes: Iterable<number>): { units: number; pages: number } {
  const pages = queryPages(itemBytes);
  return { units: pages.reduce((u, page) => u + readUnits(page), 0), pages: pages.length };
}

/** What the model says one query reads and returns: the store's `QueryStats`, plus bytes and the split of read units. */
export interface ModelQuery {
  /** Base row numbers, nearest first (the store's ids are `String(row)`). */
  readonly ids: number[];
  /** For each of `ids`, the hash tables whose bucket reads held it (`CandidateSet.arrivalsOf`). */
  readonly arrivals: number[];
  readonly depth: number;
  readonly probes: number;
  /** Hash tables that probed one bucket more (`QueryShape.extraProbes`). */
  readonly extraProbes: number;
  /** The plan's predicted share of the neighbours among the candidates (absent without plans or with a probes override). */
  readonly expectedRecall?: number;
  /** Query calls of round trip 1, one page each (`pages` equals it: a read stops at its limit or 1 MB). */
  readonly bucketReads: number;
  readonly pages: number;
  /** Bucket reads that reached their limit (`bucketReadLimit`) or 1 MB, as the store counts them. */
  readonly truncatedReads: number;
  /** Bucket reads that found nothing: DynamoDB bills them the minimum half unit, DynamoDB Local reports 0. */
  readonly emptyReads: number;
  readonly candidates: number;
  readonly reranked: number;
  /** Bucket entries read (an entry found through several tables counts each time). */
  readonly entriesRead: number;
  /** Read units as DynamoDB bills them (`layout.readUnits` per Query page and per BatchGetItem item). */
  readonly readUnits: number;
  readonly bucketReadUnits: number;
  readonly fetchReadUnits: number;
  /** Bytes of every item read ("Item sizes and formats"). */
  readonly bytesRead: number;
  readonly roundTrips: number;
  /** Of `opts.truth` (the exact neighbours), how many were among the candidates, and among those re-ranked. */
  readonly truthInCandidates?: number;
  readonly truthReranked?: number;
}

/** Of `truth` (exact neighbours, base rows; absent: nothing), how many were among a query's candidates and among its finalists. */
export function truthFound(truth: ArrayLike<number> | undefined, candidates: { has(row: number): boolean }, finalists: readonly number[]): Pick<ModelQuery, 'truthInCandidates' | 'truthReranked'> {
  if (!truth) return {};
  const reranked = new Set(finalists);
  const rows = Array.from(truth);
  return { truthInCandidates: rows.filter((r) => candidates.has(r)).length, truthReranked: rows.filter((r) => reranked.has(r)).length };
}

/** The first `rows` base vectors as the buckets table holds them: per hash table, entries sorted by code. */
interface Snapshot {
  readonly rows: number;
  /** Per table: codes ascending (ties by row), the row of each, and running bytes (`cum[i]` = bytes of entries before i). */
  readonly tables: { codes: Uint32Array; rows: Int32Array; cum: Float64Array }[];
}

const ROW_BITS = 2 ** 20;

/**
 * A cost model of Whiplash's query: the store's search steps (`lambda/core/search.ts`: `planSearch`,
 * `CandidateSet`, `exactTopK`, `sampleProfile`), its planner (`planTableForIndex`), its item layout
 * (`bucketEntryItem`, `itemSize`, `readUnits`, `bucketReadPlan` through `StoreItems`) over every
 * base vector's encoding held in memory. Validated against the real store where both run
 * (BENCHMARKS.md; test/bench/model.test.ts).
 *
 * Assumes what the benchmark's ingest does: row i has id `String(i)`, the first upsert batch
 * (`centreRows` rows) sets the centre and, when it holds at least PROFILE_MIN_SAMPLE rows, the
 * query plans; no metadata, and each row inserted once (its entries' version tokens follow from
 * that); the store's cached count equals the rows.
 */
export class WhiplashModel {
  readonly hasher: Hasher;
  /** The first batch's profile and mean bucket entry size (undefined when it is too small to profile). */
  readonly profile?: { readonly profile: DataProfile; readonly entryBytes: number };
  /** Plans by recall target, made from the profile on first use. */
  private readonly plansByTarget = new Map<number, PlanTable>();
  /** The collection's observations as the store keeps them: this process's buffer, the counter item's, and its calibrated plans. */
  private explicit?: { readonly observed: QueryAngles; readonly plans: PlanAtSize };
  private readonly observations = { buffer: new ObservationBuffer(), plans: new CalibratedPlans(), counter: undefined as QueryAngles | undefined, read: undefined as QueryAngles | undefined };
  private readonly codes: Uint32Array;
  private readonly packed: Uint8Array;
  private readonly packedBytes: number;
  private readonly entryBytes: Uint16Array;
  private readonly vectorBytes: Uint16Array;
  /** Each row's bucket entry version token (`StoreItems.entryTokenOf`), which orders the entries of one code. */
  private readonly tokens: string[];
  private readonly snapshots = new Map<number, Snapshot>();

  /**
   * Encodes every row of `base`.
   * @param centreRows rows of the first upsert batch, whose mean is the centre. @default 500
   * @param hashSpace `auto`: the hashing subspace the first batch fixes, as the store; `whole`:
   *   the whole space, as a collection whose first write predates the subspace. @default auto
   * @param prngVersion the collection's PRNG version (`prng.ts`; 2: whole-space sketches even in a
   *   subspace, 3: split sketches there). @default PRNG_VERSION
   */
  constructor(
    readonly base: Matrix,
    readonly metric: Metric,
    readonly params: IndexParams,
    readonly seed: number,
    readonly items: StoreItems,
    centreRows = 500,
    onProgress?: (done: number) => void,
    hashSpace: 'auto' | 'whole' = 'auto',
    prngVersion = PRNG_VERSION,
  ) {
    if (base.rows >= ROW_BITS) throw new RangeError(`the model holds fewer than ${ROW_BITS} rows`);
    const first = Array.from({ length: Math.min(centreRows, base.rows) }, (_, i) => row(base, i));
    const frame = frameOf(first, metric);
    this.hasher = new Hasher(base.dim, metric, params, seed, prngVersion, frame.centre, frame.mipsNorm, hashSpace === 'auto' ? frame.subspace : undefined);
    const L = params.hashTables;
    this.packedBytes = this.hasher.packedSketchBytes;
    this.codes = new Uint32Array(base.rows * L);
    this.packed = new Uint8Array(base.rows * this.packedBytes);
    this.entryBytes = new Uint16Array(base.rows * L);
    this.vectorBytes = new Uint16Array(base.rows);
    this.tokens = new Array<string>(base.rows);
    for (let r = 0; r < base.rows; r++) {
      const e = this.hasher.encode(row(base, r));
      const packed = packSketch(e);
      if (packed.byteLength !== this.packedBytes) throw new Error(`packSketch gave ${packed.byteLength} bytes, the model expects ${this.packedBytes}`);
      this.codes.set(e.codes, r * L);
      this.packed.set(packed, r * this.packedBytes);
      const id = String(r);
      for (let t = 0; t < L; t++) this.entryBytes[r * L + t] = items.bucketEntryBytes(t, e.codes[t], id, packed);
      this.vectorBytes[r] = items.vectorItemBytes(id, row(base, r));
      this.tokens[r] = items.entryTokenOf(row(base, r));
      if (onProgress && (r + 1) % 1000 === 0) onProgress(r + 1);
    }
    onProgress?.(base.rows);
    if (first.length >= PROFILE_MIN_SAMPLE) {
      // as the store plans from its first batch: that batch's profile, its entries' mean size in table 0
      const sampled = Math.min(first.length, PROFILE_MAX_SAMPLE);
      let entryBytes = 0;
      for (let r = 0; r < sampled; r++) entryBytes += this.entryBytes[r * L];
      this.profile = { profile: sampleProfile(this.hasher, first), entryBytes: entryBytes / sampled };
    }
  }

  /**
   * Mean bytes stored per vector over the first `rows`: its bucket entries and its vector item, by
   * "Item sizes and formats", plus DynamoDB's 100 bytes of storage overhead per item (same page).
   */
  storedBytesPerVector(rows = this.base.rows): number {
    let bytes = 0;
    const L = this.params.hashTables;
    for (let i = 0; i < rows * L; i++) bytes += this.entryBytes[i] + DYNAMO_ITEM_OVERHEAD;
    for (let r = 0; r < rows; r++) bytes += this.vectorBytes[r] + DYNAMO_ITEM_OVERHEAD;
    return bytes / rows;
  }

  /**
   * The plans the store makes from the first batch's profile for `recallTarget` (absent: the
   * index's); undefined when the first batch is too small to profile and no target was asked for.
   * @throws Error when a target is asked for and there is no profile to plan from
   */
  private plansAt(asked: number | undefined): PlanTable | undefined {
    if (!this.profile) {
      if (asked !== undefined) throw new Error('the first batch is smaller than PROFILE_MIN_SAMPLE: no profile to plan from');
      return undefined;
    }
    const recallTarget = asked ?? this.params.recallTarget;
    let plans = this.plansByTarget.get(recallTarget);
    if (!plans) {
      plans = planTableForIndex({ ...this.params, recallTarget }, this.profile.profile, this.profile.entryBytes);
      this.plansByTarget.set(recallTarget, plans);
    }
    return plans;
  }

  /**
   * Adds one query's results to `observed`, as the store observes an unfiltered query
   * (`ObservationBuffer.observe`): their angles in the hash frame, moved to the profile's sample
   * size, and the hash tables that held each. Returns the new observations (for plans calibrated
   * by a chosen set of queries).
   * @param result the query's answer (`query`) against the first `rows` base vectors
   * @throws Error when the first batch was too small to profile
   */
  observe(observed: QueryAngles | undefined, q: Float32Array, result: Pick<ModelQuery, 'ids' | 'arrivals' | 'depth' | 'probes' | 'extraProbes'>, rows = this.base.rows): QueryAngles {
    const shape = { depth: result.depth, probes: result.probes, extraProbes: result.extraProbes, hashTables: this.params.hashTables };
    const seen = observationOf(this.basis(), rows, shape, this.firstAngles(q, result.ids), result.arrivals.slice(0, PROFILE_NEIGHBOURS));
    if (!seen) return observed ?? { queries: 0, counts: new Float64Array(ANGLE_BINS) };
    return addObservations(observed, withObservation(undefined, seen));
  }

  /** The angles from `q` of the first `PROFILE_NEIGHBOURS` results (base rows), as the store observes them. */
  private firstAngles(q: Float32Array, ids: readonly number[]): number[] {
    return this.hasher.anglesFrom(q, ids.slice(0, PROFILE_NEIGHBOURS).map((r) => row(this.base, r)));
  }

  private basis(): PlanBasis {
    if (!this.profile) throw new Error('the first batch is smaller than PROFILE_MIN_SAMPLE: nothing to calibrate');
    return planBasisOf(this.profile.profile, this.profile.entryBytes);
  }

  /** Plans calibrated by the given observations; the last ones are kept. */
  private plannerFor(observed: QueryAngles): PlanAtSize {
    if (this.explicit?.observed !== observed) this.explicit = { observed, plans: calibratedPlanner(this.basis(), observed, this.planOptions(this.params.recallTarget)) };
    return this.explicit.plans;
  }

  /** The planner's options for the index at `recallTarget`. */
  private planOptions(recallTarget: number) {
    const { hashTables, partitionBits, bucketSize, probes } = this.params;
    return { hashTables, partitionBits, bucketSize, probes, recallTarget };
  }

  /** The buckets as they are once the first `rows` vectors are ingested. */
  private snapshot(rows: number): Snapshot {
    let s = this.snapshots.get(rows);
    if (s) return s;
    if (!Number.isInteger(rows) || rows < 1 || rows > this.base.rows) throw new RangeError(`rows must be 1..${this.base.rows}, got ${rows}`);
    const L = this.params.hashTables;
    const tables = Array.from({ length: L }, (_, t) => {
      // code * 2^20 + row is exact in a double (24 + 20 bits): one numeric sort orders by code, then row
      const keys = new Float64Array(rows);
      for (let r = 0; r < rows; r++) keys[r] = this.codes[r * L + t] * ROW_BITS + r;
      keys.sort();
      const codes = new Uint32Array(rows);
      const rs = new Int32Array(rows);
      const cum = new Float64Array(rows + 1);
      for (let i = 0; i < rows; i++) {
        const r = keys[i] % ROW_BITS;
        codes[i] = (keys[i] - r) / ROW_BITS;
        rs[i] = r;
        cum[i + 1] = cum[i] + this.entryBytes[r * L + t];
      }
      return { codes, rows: rs, cum };
    });
    s = { rows, tables };
    this.snapshots.set(rows, s);
    return s;
  }

  /**
   * First index in `table`'s sorted entries whose key is at or after (`strict`: after) `(pk, sk)`;
   * `sk` undefined means the start (or, strict, the end) of the partition. Keys are fixed-width,
   * order-preserving encodings of the code (`lambda/store/key-format.ts`), so code order is key order.
   */
  private seek(snap: Snapshot, table: number, pk: string, sk: string | undefined, strict: boolean): number {
    const tb = snap.tables[table];
    let lo = 0;
    let hi = tb.codes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.items.bucketKey(table, tb.codes[mid], String(tb.rows[mid]), this.tokens[tb.rows[mid]]);
      let c = k.pk < pk ? -1 : k.pk > pk ? 1 : 0;
      if (c === 0) c = sk === undefined ? (strict ? -1 : 1) : k.sk < sk ? -1 : k.sk > sk ? 1 : 0;
      const before = strict ? c <= 0 : c < 0;
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * One bucket read as DynamoDB answers the store's Query with `Limit: limit`: one page of the
   * range's first entries in key order (code, version token, then id as a string) until `limit` entries or 1 MB
   * (`queryPages`); `truncated` when it stopped at either, as a `LastEvaluatedKey` says.
   */
  private readBucket(snap: Snapshot, read: { table: number; pk: string; lower?: string; upper?: string }, limit: number): { rows: number[]; bytes: number; truncated: boolean } {
    const tb = snap.tables[read.table];
    const a = this.seek(snap, read.table, read.pk, read.lower, false);
    const b = this.seek(snap, read.table, read.pk, read.upper, true);
    const all = tb.cum[b] - tb.cum[a];
    if (b - a < limit && all < QUERY_PAGE_BYTES) return { rows: Array.from(tb.rows.subarray(a, b)), bytes: all, truncated: false };
    // the snapshot orders equal codes by row number; DynamoDB by the sort key: the entry's version token, then the id's string
    const L = this.params.hashTables;
    const order = Array.from({ length: b - a }, (_, i) => a + i).sort((x, y) => tb.codes[x] - tb.codes[y] || compareStrings(this.tokens[tb.rows[x]], this.tokens[tb.rows[y]]) || compareStrings(String(tb.rows[x]), String(tb.rows[y])));
    const rows: number[] = [];
    let bytes = 0;
    for (const i of order) {
      if (rows.length === limit || bytes >= QUERY_PAGE_BYTES) break;
      rows.push(tb.rows[i]);
      bytes += this.entryBytes[tb.rows[i] * L + read.table];
    }
    return { rows, bytes, truncated: rows.length === limit || bytes >= QUERY_PAGE_BYTES };
  }

  /**
   * One query against the first `rows` base vectors, as `WhiplashStore.query` runs it.
   * @param opts.probes, opts.rerank per-query overrides (absent: the index parameters)
   * @param opts.recallTarget the plans the store would have made for this target instead of the index's
   * @param opts.truth exact neighbours (base rows), to tell whether a miss is the buckets' or the re-rank choice's
   * @param opts.readLimit entries per bucket read instead of the store's `bucketReadLimit`, to measure what its cut costs
   * @param opts.calibration `store` (the default): as the store, this query follows the plans the
   *   queries before it calibrated, and is observed in turn (`lambda/store/query-calibration.ts`:
   *   16 gathered, added to the counter with the next query's bucket reads, read back in its
   *   round trip 2); `off`: the profile's plans, nothing observed; observations (`observe`): the
   *   plans they calibrate, nothing observed. With `recallTarget` (the plans of a collection with
   *   another target), the profile's.
   */
  query(
    q: Float32Array,
    opts: { topK: number; rows?: number; probes?: number; rerank?: number; recallTarget?: number; truth?: ArrayLike<number>; readLimit?: number; calibration?: 'store' | 'off' | QueryAngles },
  ): ModelQuery {
    const snap = this.snapshot(opts.rows ?? this.base.rows);
    const calibration = opts.recallTarget !== undefined ? 'off' : (opts.calibration ?? 'store');
    const o = this.observations;
    const calibrated =
      !this.profile || calibration === 'off'
        ? undefined
        : calibration === 'store'
          ? o.plans.plansOf(MODEL_UID, this.basis(), o.read, this.planOptions(this.params.recallTarget))
          : this.plannerFor(calibration);
    const plans = calibrated ?? this.plansAt(opts.recallTarget);
    if (calibration === 'store') {
      // round trip 1 adds the pending observations; round trip 2 reads the counter
      const pending = o.buffer.take(MODEL_UID);
      if (pending) o.counter = addObservations(o.counter, pending);
      o.read = o.counter;
    }
    const target = { dimension: this.base.dim, metric: this.metric, index: this.params, hasher: this.hasher, plans, vectorCount: snap.rows };
    const plan = planSearch(target, { query: q, topK: opts.topK, probes: opts.probes, rerank: opts.rerank });
    const { shape } = plan;
    const enc = plan.encoding!;

    let bucketReadUnits = 0;
    let bytesRead = 0;
    let pages = 0;
    let emptyReads = 0;
    let entriesRead = 0;
    let truncatedReads = 0;
    const reads = this.items.readPlan(enc, shape.depth, shape.probes, shape.extraProbes);
    const limit = opts.readLimit ?? bucketReadLimit(reads.length);
    const candidates = new CandidateSet<number>(plan);
    for (const read of reads) {
      const { rows, bytes, truncated } = this.readBucket(snap, read, limit);
      bytesRead += bytes;
      entriesRead += rows.length;
      if (rows.length === 0) emptyReads++;
      if (truncated) truncatedReads++;
      bucketReadUnits += readUnits(bytes);
      pages++;
      for (const r of rows) candidates.add(r, this.packed.subarray(r * this.packedBytes, (r + 1) * this.packedBytes));
    }
    // The store's own choice of what to re-rank (arrival order breaks ties, as in the store).
    const finalists = candidates.finalists();

    // Round trip 2: BatchGetItem of the counter and the finalists' vector items, each rounded on its own.
    const fetchSizes = [this.items.counterItemBytes(snap.rows), ...finalists.map((r) => this.vectorBytes[r])];
    const fetchReadUnits = fetchSizes.reduce((s, b) => s + readUnits(b), 0);
    bytesRead += fetchSizes.reduce((s, b) => s + b, 0);

    const matches = exactTopK(plan, finalists.map((r) => ({ r, id: String(r), vector: row(this.base, r) })));
    const ids = matches.map((m) => m.r);
    const arrivals = ids.map((r) => candidates.arrivalsOf(r));
    if (calibration === 'store' && this.profile && isObserving(o.read) && matches.length >= PROFILE_NEIGHBOURS) {
      o.buffer.observe(MODEL_UID, this.basis(), o.read, snap.rows, { ...shape, hashTables: this.params.hashTables }, this.firstAngles(q, ids), arrivals.slice(0, PROFILE_NEIGHBOURS));
    }
    return {
      ids,
      arrivals,
      ...shape,
      bucketReads: reads.length,
      pages,
      truncatedReads,
      emptyReads,
      candidates: candidates.size,
      reranked: finalists.length,
      entriesRead,
      readUnits: bucketReadUnits + fetchReadUnits,
      bucketReadUnits,
      fetchReadUnits,
      bytesRead,
      roundTrips: 2,
      ...truthFound(opts.truth, candidates, finalists),
    };
  }
}

/**
 * A view of `model` that reads buckets of `depth` bits (index `bucketSize` = N / 2^depth, the
 * store's own `bucketDepth` rule) and has no plans: for exploring layouts the planner would not choose.
 */
export function atDepth(model: WhiplashModel, depth: number): WhiplashModel {
  const view = Object.create(model) as WhiplashModel;
  Object.defineProperty(view, 'params', { value: { ...model.params, bucketSize: model.base.rows / 2 ** depth } });
  Object.defineProperty(view, 'profile', { value: undefined });
  return view;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
