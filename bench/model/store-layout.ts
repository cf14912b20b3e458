// The store's own item and key functions, wrapped for the cost model: item sizes, bucket keys and read plans.
import { QueryEncoding } from '../../lambda/core/hasher';
import { IndexParams } from '../../lambda/core/types';
import { vectorToBytes } from '../../lambda/core/vector';
import { bucketEntryItem, BucketRead, bucketReadPlan, counterItem, itemSize, vectorItem, WRITE_ID_BYTES } from '../../lambda/store/layout';
import { FILTER_VERSION_BYTES, filterVersionOf } from '../../lambda/store/filter-index';
import { bucketPartition, bucketSortKey, entryToken } from '../../lambda/store/key-format';
import { listCodes, listEntryItem } from '../../lambda/store/list-layout';
import { ListSet, listSetAttributes } from '../../lambda/store/records';

export type { BucketRead };

/** A uid of the store's length (8 characters, `randomBytes(6).toString('base64url')`): sizes and key order depend only on its length. */
export const MODEL_UID = 'AAAAAAAA';
/** The version token of the modelled entries' sort keys (bucket layout 2: `entryToken` of a version). */
const MODEL_TOKEN = entryToken(new Uint8Array(FILTER_VERSION_BYTES));

/**
 * The items the store writes and reads, for the cost model: the bucket entry, the vector item,
 * the counter item and the read plan are the store's own pure functions (`lambda/store/layout.ts`).
 * Sizes by `itemSize` ("Item sizes and formats").
 */
export class StoreItems {
  private readonly codes: Uint32Array;

  constructor(
    readonly params: IndexParams,
    readonly dim: number,
    readonly project: string,
    readonly collection: string,
  ) {
    this.codes = new Uint32Array(params.hashTables);
  }

  /** Bytes of the bucket entry of a vector (no metadata) in hash table `table`; `packed` is `packSketch` of its encoding. */
  bucketEntryBytes(table: number, code: number, id: string, packed: Uint8Array): number {
    return itemSize(bucketEntryItem(MODEL_UID, this.params.partitionBits, table, code, id, packed, undefined, MODEL_TOKEN));
  }

  /**
   * Bytes of the list entry of a vector (bucket layout 3, no metadata) with version token `token`
   * (`entryTokenOf`); `packed` is `packSketch` of its encoding. Its list does not change its size
   * (list numbers have a fixed width in the partition key).
   */
  listEntryBytes(id: string, packed: Uint8Array, token = MODEL_TOKEN): number {
    return itemSize(listEntryItem(MODEL_UID, { codes: listCodes(0, 1), token }, id, packed));
  }

  /**
   * The bucket entry's key, to place it among a read's range (DynamoDB compares UTF-8 bytes; keys here are ASCII).
   * @param token its version token (`entryTokenOf`); any has the same length. @default a token of zero bytes
   */
  bucketKey(table: number, code: number, id: string, token = MODEL_TOKEN): { pk: string; sk: string } {
    return { pk: bucketPartition(MODEL_UID, table, code, this.params.partitionBits), sk: bucketSortKey(code, this.params.partitionBits, id, token) };
  }

  /**
   * The version token in the sort keys of the bucket entries of a vector the store inserted with
   * no metadata: `versionWrite` over no item derives the version from no metadata, no replaced
   * version and the vector's float32 bytes (`filterVersionOf`). A bucket's entries of one code lie
   * in the order of these tokens, then of ids, so a read cut at its limit keeps the same ones.
   */
  entryTokenOf(vector: Float32Array): string {
    return entryToken(filterVersionOf(undefined, undefined, vectorToBytes(vector)));
  }

  /**
   * Bytes of the vector item of `id` holding `vector` (no metadata; its filter index version, as
   * the store writes one with every item): the vector's values matter, as the item holds them
   * deflated when that is shorter (`vectorAttribute`).
   */
  vectorItemBytes(id: string, vector: Float32Array): number {
    if (vector.length !== this.dim) throw new RangeError(`vector has ${vector.length} dimensions, the model ${this.dim}`);
    return itemSize(vectorItem(MODEL_UID, id, vectorToBytes(vector), this.codes, undefined, new Uint8Array(WRITE_ID_BYTES), new Uint8Array(FILTER_VERSION_BYTES)));
  }

  /** Bytes of the collection's counter item, which round trip 2 reads with the finalists. */
  counterItemBytes(count: number): number {
    return itemSize(counterItem(this.project, this.collection, MODEL_UID, count));
  }

  /** Bytes of the counter item of a collection in k-means lists: with its centroid set's version, share, calibration queries and list count (`listSetAttributes`). */
  listCounterItemBytes(count: number, set: ListSet & { count: number }): number {
    return itemSize({ ...counterItem(this.project, this.collection, MODEL_UID, count), ...listSetAttributes(set) });
  }

  /** The bucket reads of one query (`bucketReadPlan`, as `WhiplashStore.query` calls it). */
  readPlan(enc: QueryEncoding, depth: number, probes: number, extraProbes = 0): BucketRead[] {
    return bucketReadPlan(MODEL_UID, this.params, enc, depth, probes, extraProbes);
  }
}
