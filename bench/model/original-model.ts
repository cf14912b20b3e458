// The cost model of the original whiplash layout's query, in process, for sizes too slow to load into DynamoDB Local.
import type { Metric } from '../../lambda/core/types';
import { readUnits } from '../../lambda/core/capacity';
import { itemSize } from '../../lambda/store/layout';
import { Matrix, row } from '../datasets/types';
import { BATCH_GET_MAX } from '../ddb';
import { distance } from '../distance';
import { OriginalHasher, OriginalParams } from '../original/hashing';

/** What the model says one query of the original layout reads and returns (the fields of `OriginalQueryStats`). */
export interface OriginalModelQuery {
  readonly ids: number[];
  readonly candidates: number;
  /** As DynamoDB bills them: each BatchGetItem item rounded up to 4 KB on its own, half a unit per 4 KB. */
  readonly readUnits: number;
  /** Home buckets that hold no id (no item): DynamoDB Local reports 0 for them, `readUnits` counts the minimum half unit. */
  readonly missingBuckets: number;
  /** 1 bucket BatchGetItem + one per 100 candidates, one after the other (the original's `get_bulk`). */
  readonly roundTrips: number;
  readonly bytesRead: number;
}

/**
 * A cost model of the original whiplash layout's query (`bench/original/layout.ts`), in process:
 * the same hasher (`OriginalHasher`: 6 tables of 8..18 bits in one shared bucket key space), one
 * `{id, ids: SS}` item per bucket, every candidate's `{id, vector: B}` item fetched, exact re-rank.
 * Sizes by the store's `itemSize` ("Item sizes and formats"). For sizes whose real load is too slow
 * (GloVe 340k x 3 seeds); checked against the measured original layout where both run.
 */
export class OriginalModel {
  readonly hasher: OriginalHasher;
  /** Bucket keys of every row, `nPlanes` per row. */
  private readonly keys: string[];
  private readonly buckets = new Map<number, Map<string, number[]>>();

  constructor(
    readonly base: Matrix,
    readonly metric: Metric,
    readonly params: OriginalParams,
  ) {
    this.hasher = new OriginalHasher(base.dim, params);
    this.keys = [];
    for (let r = 0; r < base.rows; r++) this.keys.push(...this.hasher.bucketKeys(row(base, r)));
  }

  /** Buckets once the first `rows` vectors are loaded: key to rows, in load order. */
  private bucketsOf(rows: number): Map<string, number[]> {
    let b = this.buckets.get(rows);
    if (b) return b;
    b = new Map();
    const n = this.params.nPlanes;
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < n; t++) {
        const key = this.keys[r * n + t];
        let list = b.get(key);
        if (!list) b.set(key, (list = []));
        if (list[list.length - 1] !== r) list.push(r); // a row lands in one bucket twice when two tables' keys collide
      }
    }
    this.buckets.set(rows, b);
    return b;
  }

  /** Top-k of `q` against the first `rows` base vectors, the original's way. */
  query(q: Float32Array, k: number, rows = this.base.rows): OriginalModelQuery {
    const buckets = this.bucketsOf(rows);
    const keys = [...new Set(this.hasher.bucketKeys(q))];
    let units = 0;
    let bytesRead = 0;
    let missingBuckets = 0;
    const cands = new Set<number>();
    for (const key of keys) {
      const ids = buckets.get(key);
      if (!ids) {
        missingBuckets++;
        units += readUnits(0);
        continue;
      }
      const bytes = itemSize({ id: { S: key }, ids: { SS: ids.map(String) } });
      units += readUnits(bytes);
      bytesRead += bytes;
      for (const r of ids) cands.add(r);
    }
    const vectorBytes = (r: number) => itemSize({ id: { S: String(r) }, vector: { B: new Uint8Array(4 * this.base.dim) } });
    const scored: { r: number; d: number }[] = [];
    for (const r of cands) {
      const b = vectorBytes(r);
      units += readUnits(b);
      bytesRead += b;
      scored.push({ r, d: distance(this.metric, q, row(this.base, r)) });
    }
    scored.sort((a, b) => a.d - b.d || a.r - b.r);
    return {
      ids: scored.slice(0, k).map((s) => s.r),
      candidates: cands.size,
      readUnits: units,
      missingBuckets,
      roundTrips: 1 + Math.ceil(cands.size / BATCH_GET_MAX),
      bytesRead,
    };
  }
}
