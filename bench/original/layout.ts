// The original whiplash layout on DynamoDB (one string-set item per bucket): loading it and querying it the original's way.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Metric } from '../../lambda/core/types';
import { Matrix } from '../datasets/types';
import { BATCH_GET_MAX, batchGet, batchWriteAll, Item } from '../ddb';
import { distance } from '../distance';
import { OriginalHasher, OriginalParams } from './hashing';
import { OriginalTables } from './tables';
import { mapLimit } from '../../lambda/core/concurrency';

/** What one query of the original layout cost. */
export interface OriginalQueryStats {
  /** Distinct ids found in the home buckets: every one gets its full vector fetched. */
  readonly candidates: number;
  /** Read capacity units DynamoDB reported (ReturnConsumedCapacity: TOTAL) for every call. */
  readonly readUnits: number;
  /**
   * Sequential DynamoDB round trips the original makes: one BatchGetItem of the bucket items, then
   * one BatchGetItem per 100 candidates, one after the other (its `get_bulk` loop).
   */
  readonly roundTrips: number;
  /** Bytes of the items read (DynamoDB item size: attribute names plus values). */
  readonly bytesRead: number;
}

export interface OriginalQueryResult {
  /** Base row numbers, nearest first. */
  readonly ids: number[];
  readonly stats: OriginalQueryStats;
}

/** DynamoDB's item size of a string set `ids` plus key `id`: names and values in UTF-8 bytes. */
function bucketItemBytes(key: string, ids: string[]): number {
  return 2 + key.length + 3 + ids.reduce((s, id) => s + id.length, 0);
}

/**
 * The original whiplash layout on DynamoDB: a vector table (`{id, vector}`, the vector as float32
 * bytes, exactly as the original's `Vector.to_dynamo`) and a bucket table where a bucket is ONE
 * item holding a string set of ids (`{id: key, ids: SS}`), in the key space shared by all tables.
 *
 * Loading computes every bucket in memory and writes each bucket item once (the original grew
 * them one `ADD` per insert; the final layout, which is all a query sees, is the same).
 *
 * A query reads the home bucket of each table (one BatchGetItem of the distinct keys, as the
 * original's `get_batch`), unions the ids, fetches every candidate's full vector with
 * BatchGetItem 100 keys at a time, and re-ranks exactly. The original re-ranked by cosine
 * whatever the data; here the data set's own metric is used so recall is measured against the
 * same ground truth as every other system. The original also read its collection's metadata item
 * (the float64 hyperplanes, 30-50 read units) on every request, and fails to create a collection
 * above 656 dimensions because that item exceeds 400 KB: that read is left out here.
 */
export class OriginalLayout {
  readonly hasher: OriginalHasher;

  constructor(
    private readonly client: DynamoDBClient,
    readonly tables: OriginalTables,
    readonly dim: number,
    readonly metric: Metric,
    params: OriginalParams,
    /**
     * Candidate-vector BatchGetItem calls in flight at once. The original made them one after the
     * other (1); more only shortens the benchmark's wall time: read units and the counted
     * sequential round trips do not change, measured latency does.
     */
    readonly fetchConcurrency = 1,
  ) {
    this.hasher = new OriginalHasher(dim, params);
  }

  /** Item size of one vector item: `id` + its value + `vector` + 4 bytes per component. */
  vectorItemBytes(id: string): number {
    return 2 + id.length + 6 + 4 * this.dim;
  }

  /**
   * Writes `base` (row i gets id `String(i)`) unless `opts.vectors` is false (layouts of several
   * seeds can share one vector table), and its buckets unless `opts.buckets` is false.
   * @returns write units reported and the number of bucket items.
   */
  async load(
    base: Matrix,
    opts: { vectors?: boolean; buckets?: boolean; onProgress?: (phase: 'vectors' | 'buckets', done: number, total: number) => void } = {},
  ): Promise<{ writeUnits: number; bucketItems: number; largestBucket: number }> {
    const onProgress = opts.onProgress;
    if (base.dim !== this.dim) throw new Error(`base dimension ${base.dim} is not ${this.dim}`);
    const buckets = new Map<string, Set<string>>();
    const vectorItems: Item[] = [];
    for (let i = 0; i < base.rows; i++) {
      const v = base.data.subarray(i * this.dim, (i + 1) * this.dim);
      const id = String(i);
      vectorItems.push({ id: { S: id }, vector: { B: new Uint8Array(Float32Array.from(v).buffer) } });
      for (const key of this.hasher.bucketKeys(v)) {
        let set = buckets.get(key);
        if (!set) buckets.set(key, (set = new Set()));
        set.add(id);
      }
    }
    let writeUnits =
      opts.vectors === false
        ? 0
        : await batchWriteAll(this.client, this.tables.vectors, vectorItems, {
            onProgress: (d) => onProgress?.('vectors', d, vectorItems.length),
          });
    if (opts.buckets === false) return { writeUnits, bucketItems: 0, largestBucket: 0 };
    const bucketItems: Item[] = [...buckets].map(([key, ids]) => ({ id: { S: key }, ids: { SS: [...ids] } }));
    // Buckets can be hundreds of KB each: fewer calls in flight keep requests well under 16 MB.
    writeUnits += await batchWriteAll(this.client, this.tables.buckets, bucketItems, {
      concurrency: 2,
      onProgress: (d) => onProgress?.('buckets', d, bucketItems.length),
    });
    const largestBucket = Math.max(0, ...[...buckets.values()].map((s) => s.size));
    return { writeUnits, bucketItems: bucketItems.length, largestBucket };
  }

  /** Top-k of `query` the original's way. See the class comment. */
  async query(query: ArrayLike<number>, k: number): Promise<OriginalQueryResult> {
    const keys = [...new Set(this.hasher.bucketKeys(query))];
    const bucketRead = await batchGet(this.client, this.tables.buckets, keys.map((key) => ({ id: { S: key } })));
    let readUnits = bucketRead.readUnits;
    let bytesRead = 0;
    const candidateIds = new Set<string>();
    for (const item of bucketRead.items) {
      const ids = item.ids?.SS ?? [];
      bytesRead += bucketItemBytes(item.id.S ?? '', ids);
      for (const id of ids) candidateIds.add(id);
    }
    const all = [...candidateIds];
    const chunks: string[][] = [];
    for (let i = 0; i < all.length; i += BATCH_GET_MAX) chunks.push(all.slice(i, i + BATCH_GET_MAX));
    let roundTrips = bucketRead.calls;
    const scored: { id: number; d: number }[] = [];
    await mapLimit(chunks, this.fetchConcurrency, async (chunk) => {
      const got = await batchGet(this.client, this.tables.vectors, chunk.map((id) => ({ id: { S: id } })));
      readUnits += got.readUnits;
      roundTrips += got.calls;
      for (const item of got.items) {
        const id = item.id.S ?? '';
        const bytes = item.vector.B ?? new Uint8Array(0);
        bytesRead += this.vectorItemBytes(id);
        const v = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        scored.push({ id: Number(id), d: distance(this.metric, query, v) });
      }
    });
    scored.sort((a, b) => a.d - b.d || a.id - b.id);
    return {
      ids: scored.slice(0, k).map((s) => s.id),
      stats: { candidates: all.length, readUnits, roundTrips, bytesRead },
    };
  }
}
