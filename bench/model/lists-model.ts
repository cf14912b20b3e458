// The cost model of a query on a collection in k-means lists (bucket layout 3), in process: the
// store's list order, read limit, sketch, re-rank and read-unit functions over lists held in memory.
import { readUnits } from '../../lambda/core/capacity';
import { frameOf, Hasher } from '../../lambda/core/hasher';
import { Lists } from '../../lambda/core/lists';
import { PRNG_VERSION } from '../../lambda/core/prng';
import { CandidateSet, exactTopK, listReadLimit, planSearch } from '../../lambda/core/search';
import { packSketch } from '../../lambda/core/sketch-format';
import { IndexParams, Metric } from '../../lambda/core/types';
import { listPartition } from '../../lambda/store/key-format';
import { calibratedOn, CentroidSet, listReadPlan, listShape, listsToRead } from '../../lambda/store/list-layout';
import { DYNAMO_ITEM_OVERHEAD } from '../cost/model';
import { Matrix, row } from '../datasets/types';
import { MODEL_UID, StoreItems } from './store-layout';
import { ModelQuery, queryReadUnits, truthFound } from './whiplash-model';

/** A collection's lists as the store holds them: the centroid set's lists, and the base rows of each list's entries. */
export interface ListsLayout {
  readonly lists: Lists;
  readonly members: readonly (readonly number[])[];
  /** The centroid set's version, share and calibration queries, as the counter item holds them (its size). @default version 1, share 1, not calibrated */
  readonly version?: number;
  readonly share?: number;
  readonly calibratedOn?: number;
}

/** What the model says one lists query reads and returns: `ModelQuery`'s fields that apply to lists. */
export type ListsModelQuery = Omit<ModelQuery, 'arrivals' | 'extraProbes' | 'expectedRecall' | 'emptyReads'>;

/**
 * A cost model of `WhiplashStore.query` on a collection in k-means lists, for explicit nprobes:
 * the lists read in the store's order (`listReadPlan`), each read whole up to `listReadLimit`
 * entries in sort-key order (version token, then id) and priced per 1 MB page
 * (`queryReadUnits`); the candidates and the finalists re-ranked as the store chooses them
 * (`CandidateSet`, `exactTopK`); round trip 2 the counter item strongly consistent, as the store
 * reads it to learn of a split, and the finalists' vector items. Validated against the store on
 * DynamoDB Local query by query (test/bench/model.test.ts), given the store's own lists.
 *
 * Assumes what the benchmark's ingest does: row i has id `String(i)`, the first upsert batch
 * (`centreRows` rows) fixes the sketch's frame, no metadata, each row inserted once. It does not
 * model how the lists grew (the splits) nor the calibration's wide reads: it prices queries on
 * the lists it is given.
 */
export class ListsModel {
  readonly hasher: Hasher;
  private readonly set: CentroidSet;
  private readonly packed: Uint8Array;
  private readonly packedBytes: number;
  private readonly entryBytes: Uint16Array;
  private readonly vectorBytes: Uint16Array;
  /** Each list's members in sort-key order, with their entries' running bytes. */
  private readonly sorted: { rows: Int32Array; cum: Float64Array }[];
  /** The list of each partition key the read plan names. */
  private readonly listOf: Map<string, number>;

  /**
   * Encodes every row of `base` and orders each list's entries by sort key.
   * @param params the collection's index parameters (the store forces one hash table in lists: its sketch is all a list entry holds)
   * @param centreRows rows of the first upsert batch, whose frame the sketch takes. @default 500
   */
  constructor(
    readonly base: Matrix,
    readonly metric: Metric,
    readonly params: IndexParams,
    readonly seed: number,
    readonly items: StoreItems,
    readonly layout: ListsLayout,
    centreRows = 500,
  ) {
    const first = Array.from({ length: Math.min(centreRows, base.rows) }, (_, i) => row(base, i));
    const frame = frameOf(first, metric);
    this.hasher = new Hasher(base.dim, metric, params, seed, PRNG_VERSION, frame.centre, frame.mipsNorm, frame.subspace);
    this.packedBytes = this.hasher.packedSketchBytes;
    this.packed = new Uint8Array(base.rows * this.packedBytes);
    this.entryBytes = new Uint16Array(base.rows);
    this.vectorBytes = new Uint16Array(base.rows);
    const tokens = new Array<string>(base.rows);
    for (let r = 0; r < base.rows; r++) {
      const packed = packSketch(this.hasher.encode(row(base, r)));
      this.packed.set(packed, r * this.packedBytes);
      tokens[r] = items.entryTokenOf(row(base, r));
      this.entryBytes[r] = items.listEntryBytes(String(r), packed, tokens[r]);
      this.vectorBytes[r] = items.vectorItemBytes(String(r), row(base, r));
    }
    const count = layout.lists.count;
    // the entries' first list and set version do not change their size; listReadPlan needs only the lists
    this.set = { version: layout.version ?? 1, lists: layout.lists, share: layout.share ?? 1, ...calibratedOn(layout), nprobe: count, born: new Uint32Array(count), parent: new Int32Array(count).fill(-1) };
    this.listOf = new Map(Array.from({ length: count }, (_, l) => [listPartition(MODEL_UID, l), l]));
    const sortKey = (r: number) => tokens[r] + String(r);
    this.sorted = layout.members.map((members) => {
      const rows = Int32Array.from([...members].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0)));
      const cum = new Float64Array(rows.length + 1);
      rows.forEach((r, i) => (cum[i + 1] = cum[i] + this.entryBytes[r]));
      return { rows, cum };
    });
  }

  /** The lists the model holds. */
  get lists(): number {
    return this.set.lists.count;
  }

  /** Billed bytes stored per vector: its list entry and its vector item, each with DynamoDB's 100 bytes of per-item overhead. */
  storedBytesPerVector(): number {
    let bytes = 0;
    for (let r = 0; r < this.base.rows; r++) bytes += this.entryBytes[r] + this.vectorBytes[r] + 2 * DYNAMO_ITEM_OVERHEAD;
    return bytes / this.base.rows;
  }

  /**
   * One query reading its `nprobe` nearest lists, as `WhiplashStore.query` runs it with `probes`.
   * @param opts.rerank per-query override of the re-rank cap (absent: the index's)
   * @param opts.truth exact neighbours (base rows), to tell whether a miss is the lists' or the re-rank choice's
   */
  query(q: Float32Array, opts: { topK: number; nprobe: number; rerank?: number; truth?: ArrayLike<number> }): ListsModelQuery {
    const planned = planSearch({ dimension: this.base.dim, metric: this.metric, index: this.params, hasher: this.hasher, vectorCount: this.base.rows }, { query: q, topK: opts.topK, rerank: opts.rerank });
    const nprobe = listsToRead(this.set, q, opts.nprobe);
    const plan = { ...planned, shape: listShape(nprobe) };
    const reads = listReadPlan(MODEL_UID, this.set, this.metric, q, nprobe);
    const limit = listReadLimit(reads.length);
    const candidates = new CandidateSet<number>(plan);
    let bucketReadUnits = 0;
    let bytesRead = 0;
    let pages = 0;
    let entriesRead = 0;
    let truncatedReads = 0;
    for (const read of reads) {
      const { rows, cum } = this.sorted[this.listOf.get(read.pk)!];
      const n = Math.min(rows.length, limit);
      if (n < rows.length || n === limit) truncatedReads++;
      const sizes = Array.from(rows.subarray(0, n), (r) => this.entryBytes[r]);
      const priced = queryReadUnits(sizes);
      bucketReadUnits += priced.units;
      pages += priced.pages;
      bytesRead += cum[n];
      entriesRead += n;
      for (const r of rows.subarray(0, n)) candidates.add(r, this.packed.subarray(r * this.packedBytes, (r + 1) * this.packedBytes));
    }
    const finalists = candidates.finalists();
    const counterBytes = this.items.listCounterItemBytes(this.base.rows, { ...this.set, count: this.set.lists.count });
    const fetchReadUnits = readUnits(counterBytes, true) + finalists.reduce((s, r) => s + readUnits(this.vectorBytes[r]), 0);
    bytesRead += counterBytes + finalists.reduce((s, r) => s + this.vectorBytes[r], 0);
    const matches = exactTopK(plan, finalists.map((r) => ({ r, id: String(r), vector: row(this.base, r) })));
    return {
      ids: matches.map((m) => m.r),
      ...plan.shape,
      bucketReads: reads.length,
      pages,
      truncatedReads,
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
