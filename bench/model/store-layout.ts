import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { QueryEncoding } from '../../lambda/core/lsh';
import { IndexParams } from '../../lambda/core/types';
import { bucketEntryItem, BucketRead, bucketReadPlan, itemSize } from '../../lambda/store/layout';
import { bucketPartition, bucketSortKey, counterKey, vectorKey } from '../../lambda/store/keys';

export type { BucketRead };

/** A uid of the store's length (8 characters, `randomBytes(6).toString('base64url')`): sizes and key order depend only on its length. */
export const MODEL_UID = 'AAAAAAAA';

const S = (s: string): AttributeValue => ({ S: s });

/**
 * The items the store writes and reads, for the cost model: the bucket entry and the read plan
 * are the store's own pure functions (`lambda/store/layout.ts`); the vector item and the counter
 * item mirror `WhiplashStore.upsert` / `createCollection` (`{pk, sk, v, c}` and `{pk, sk, uid, n}`),
 * which do not export them. Sizes by `itemSize` ("Item sizes and formats").
 */
export class StoreItems {
  private readonly v: AttributeValue;
  private readonly c: AttributeValue;

  constructor(
    readonly params: IndexParams,
    readonly dim: number,
    readonly project: string,
    readonly collection: string,
  ) {
    this.v = { B: new Uint8Array(4 * dim) };
    this.c = { B: new Uint8Array(4 * params.hashTables) };
  }

  /** Bytes of the bucket entry of a vector (no metadata) in hash table `table`; `packed` is `packSketch` of its encoding. */
  bucketEntryBytes(table: number, code: number, id: string, packed: Uint8Array): number {
    return itemSize(bucketEntryItem(MODEL_UID, this.params.partitionBits, table, code, id, packed));
  }

  /** The bucket entry's key, to place it among a read's range (DynamoDB compares UTF-8 bytes; keys here are ASCII). */
  bucketKey(table: number, code: number, id: string): { pk: string; sk: string } {
    return { pk: bucketPartition(MODEL_UID, table, code, this.params.partitionBits), sk: bucketSortKey(code, this.params.partitionBits, id) };
  }

  /** Bytes of the vector item of `id` (no metadata). */
  vectorItemBytes(id: string): number {
    const k = vectorKey(MODEL_UID, id);
    return itemSize({ pk: S(k.pk), sk: S(k.sk), v: this.v, c: this.c });
  }

  /** Bytes of the collection's counter item, which round trip 2 reads with the finalists. */
  counterItemBytes(count: number): number {
    const k = counterKey(this.project, this.collection);
    return itemSize({ pk: S(k.pk), sk: S(k.sk), uid: S(MODEL_UID), n: { N: String(count) } });
  }

  /** The bucket reads of one query (`bucketReadPlan`, as `WhiplashStore.query` calls it). */
  readPlan(enc: QueryEncoding, depth: number, probes: number): BucketRead[] {
    return bucketReadPlan(MODEL_UID, this.params, enc, depth, probes);
  }
}
