// The items the store writes (bucket entries, vector items, counters), the bucket reads of a
// query, and the item sizes DynamoDB bills (units per size: `core/capacity.ts`): pure functions the
// store and the cost model share.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { QueryEncoding } from '../core/hasher';
import { probeSequence, tableProbes } from '../core/multiprobe';
import { CODE_BITS } from '../core/params';
import type { CollectionConfig, IndexParams } from '../core/types';
import type { Item } from './batch';
import { allListPartitions, allPartitions, bucketPartition, bucketRange, bucketSortKey, counterKey, entryToken, vectorKey } from './key-format';
import { CentroidSet, codeWords, isListLayout, listEntryItem, listEntryKeys } from './list-layout';
import { vectorAttribute } from './vector-bytes';

/** The bucket layout of new collections (`CollectionConfig.bucketLayout`): version tokens in entry sort keys. */
export const BUCKET_LAYOUT = 2;

/**
 * The bucket entries of one version of a vector: its codes, and the token its entries' sort keys
 * carry (`entryToken` of its metadata version; absent in bucket layout 1 or for a version without one).
 */
export interface BucketVersion {
  readonly codes: Uint32Array;
  readonly token?: string;
}

/** Whether the bucket entries of a collection of `config` carry version tokens (bucket layout 2). */
export const hasEntryTokens = (config: Pick<CollectionConfig, 'bucketLayout'>): boolean => (config.bucketLayout ?? 1) >= 2;

/** The bucket version of an item version with hash codes `codes` and metadata version `version` in a collection of `config`'s layout. */
export function bucketVersion(config: Pick<CollectionConfig, 'bucketLayout'>, codes: Uint32Array, version: Uint8Array | undefined): BucketVersion {
  return hasEntryTokens(config) && version ? { codes, token: entryToken(version) } : { codes };
}

/**
 * One bucket entry: the (vector, hash table) item of the buckets table. `sketch` is
 * `packSketch(encoding)`; `metadata` the vector's metadata as JSON, copied so that filters run
 * on candidates before any vector is fetched; `token` the version token of its sort key.
 */
export function bucketEntryItem(
  uid: string,
  partitionBits: number,
  table: number,
  code: number,
  id: string,
  sketch: Uint8Array,
  metadata?: string,
  token?: string,
): Item {
  return {
    ...entryKey(uid, partitionBits, table, code, id, token),
    s: { B: sketch },
    ...(metadata === undefined ? {} : { m: { S: metadata } }),
  };
}

/** The bucket entries of one vector version: one per hash table, under that table's code. */
export function bucketEntries(uid: string, index: Pick<IndexParams, 'partitionBits' | 'hashTables'>, version: BucketVersion, id: string, sketch: Uint8Array, metadata?: string): Item[] {
  return Array.from({ length: index.hashTables }, (_, t) => bucketEntryItem(uid, index.partitionBits, t, version.codes[t], id, sketch, metadata, version.token));
}

/**
 * The entries of one vector version in a collection of `config`'s layout: one per hash table
 * (`bucketEntries`), or one in its list (bucket layout 3, `listEntryItem`).
 */
export function versionEntries(config: Pick<CollectionConfig, 'uid' | 'bucketLayout' | 'index'>, version: BucketVersion, id: string, sketch: Uint8Array, metadata?: string): Item[] {
  return isListLayout(config) ? [listEntryItem(config.uid, version, id, sketch, metadata)] : bucketEntries(config.uid, config.index, version, id, sketch, metadata);
}

/**
 * A collection's config with, in bucket layout 3, its centroid set as this instance knows it:
 * what finding a version's entries needs (a split may have moved them, `entryLists`).
 */
export type EntryLayout = Pick<CollectionConfig, 'uid' | 'bucketLayout' | 'index'> & { readonly centroids?: CentroidSet };

/**
 * The keys `versionEntries` wrote; in bucket layout 3 the key in each list a split may have moved
 * the entry to since (those of the centroid set in `config`: one it does not know yet is missed).
 */
export function versionEntryKeys(config: EntryLayout, version: BucketVersion, id: string): Item[] {
  if (isListLayout(config)) return listEntryKeys(config, version, id);
  return Array.from({ length: config.index.hashTables }, (_, t) => bucketEntryKey(config.uid, config.index.partitionBits, t, version, id));
}

/** Every partition of a collection's bucket entries, or in bucket layout 3 of its `lists` lists: for the purge and the repair. */
export function entryPartitions(config: Pick<CollectionConfig, 'uid' | 'bucketLayout' | 'index'>, lists = 0): string[] {
  return isListLayout(config) ? allListPartitions(config.uid, lists) : allPartitions(config.uid, config.index.hashTables, config.index.partitionBits).buckets;
}

/** The key of the bucket entry of `id` in hash table `table` of `version`. */
export const bucketEntryKey = (uid: string, partitionBits: number, table: number, version: BucketVersion, id: string): Item =>
  entryKey(uid, partitionBits, table, version.codes[table], id, version.token);

const entryKey = (uid: string, partitionBits: number, table: number, code: number, id: string, token?: string): Item => ({
  pk: { S: bucketPartition(uid, table, code, partitionBits) },
  sk: { S: bucketSortKey(code, partitionBits, id, token) },
});

/** Hash codes as the vector item stores them: uint32, little-endian, one per hash table. */
export function codesToBytes(codes: Uint32Array): Uint8Array {
  const out = new Uint8Array(codes.length * 4);
  const view = new DataView(out.buffer);
  codes.forEach((c, i) => view.setUint32(i * 4, c, true));
  return out;
}

/** Hash codes back from a vector item's bytes (`codesToBytes`). */
export function bytesToCodes(b: Uint8Array): Uint32Array {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Uint32Array.from({ length: b.byteLength / 4 }, (_, i) => view.getUint32(i * 4, true));
}

/** A bucket version as a vector item's `o` (a binary set) holds it: its codes (`codesToBytes`), then its token's bytes when it has one. */
export function bucketVersionToBytes(v: BucketVersion): Uint8Array {
  const codes = codesToBytes(v.codes);
  return v.token === undefined ? codes : Buffer.concat([codes, Buffer.from(v.token, 'utf8')]);
}

/** A bucket version back from its bytes (`bucketVersionToBytes`) in a collection of `config`'s layout (`codeWords` codes). */
export function bucketVersionFromBytes(b: Uint8Array, config: Pick<CollectionConfig, 'bucketLayout' | 'index'>): BucketVersion {
  const words = codeWords(config);
  const codes = bytesToCodes(b.subarray(0, words * 4));
  return b.byteLength > words * 4 ? { codes, token: Buffer.from(b.subarray(words * 4)).toString('utf8') } : { codes };
}

/**
 * One vector item: the float32 bytes `vectorBytes` (`vectorToBytes`) as `v`, or `vz` when
 * deflated they are shorter (`vector-bytes.ts`), its hash codes `c` (so an upsert or delete finds the
 * bucket entries to remove), the id of the write that made it `w` (`item-version.ts`), its
 * metadata as JSON `m`, and the version `f` of the metadata's filter index entries
 * (`filter-index.ts`). Round trip 2 of a query reads it.
 */
export function vectorItem(uid: string, id: string, vectorBytes: Uint8Array, codes: Uint32Array, metadata: string | undefined, writeId: Uint8Array, filterVersion?: Uint8Array): Item {
  const key = vectorKey(uid, id);
  return {
    pk: { S: key.pk },
    sk: { S: key.sk },
    ...vectorAttribute(vectorBytes),
    c: { B: codesToBytes(codes) },
    w: { B: writeId },
    ...(metadata === undefined ? {} : { m: { S: metadata } }),
    ...(filterVersion === undefined ? {} : { f: { B: filterVersion } }),
  };
}

/** Bytes of a write id (`w` of a vector item: `item-version.ts`). */
export const WRITE_ID_BYTES = 8;

/** A collection's vector counter: the count `n` of the collection with uid `uid` (round trip 2 reads it to prove the collection lives). */
export function counterItem(projectId: string, name: string, uid: string, count: number): Item {
  const key = counterKey(projectId, name);
  return { pk: { S: key.pk }, sk: { S: key.sk }, uid: { S: uid }, n: { N: String(count) } };
}

/** One Query of round trip 1: a partition and the sort-key range of one bucket in it. */
export interface BucketRead {
  readonly table: number;
  readonly pk: string;
  readonly lower?: string;
  readonly upper?: string;
}

/**
 * Round trip 1 of a query: for every hash table, the home bucket of the query's code at `depth`
 * and `probes` more, cheapest first (`probeSequence`, Lv et al. 2007). Buckets of one partition
 * whose ranges touch are read by one Query over their joint range: the same entries, and one
 * page's rounding up to 4 KB instead of two (`readUnits`).
 *
 * At the shallowest depth (`partitionBits`: a small collection) every bucket is a whole
 * partition, and when the plan would read at least as many buckets as one hash table has, the
 * query reads one table whole instead: every vector is a candidate, in no more reads, each
 * entry read once. (Probing a few of so few buckets per table can miss even a collection's only
 * vector, `test/store/small-collections.test.ts`.)
 * @param extraProbes the first tables that probe one bucket more (`tableProbes`). @default 0
 * @returns at most `hashTables x (probes + 1) + extraProbes` reads, per table in code order
 */
export function bucketReadPlan(uid: string, index: Pick<IndexParams, 'hashTables' | 'partitionBits'>, query: QueryEncoding, depth: number, probes: number, extraProbes = 0): BucketRead[] {
  const partitions = 2 ** index.partitionBits;
  if (depth <= index.partitionBits && partitions <= index.hashTables * (probes + 1) + extraProbes) {
    return Array.from({ length: partitions }, (_, p) => ({ table: 0, pk: bucketPartition(uid, 0, (p * 2 ** (CODE_BITS - index.partitionBits)) >>> 0, index.partitionBits) }));
  }
  const reads: BucketRead[] = [];
  const shift = CODE_BITS - depth;
  for (let t = 0; t < index.hashTables; t++) {
    const margins = query.margins.subarray(t * CODE_BITS, (t + 1) * CODE_BITS);
    const codes = probeSequence(query.codes[t], margins, depth, tableProbes(probes, extraProbes, t)).sort((a, b) => a - b);
    for (let i = 0; i < codes.length; ) {
      const pk = bucketPartition(uid, t, codes[i], index.partitionBits);
      let last = i;
      while (
        last + 1 < codes.length &&
        depth > index.partitionBits &&
        Math.floor(codes[last + 1] / 2 ** shift) === Math.floor(codes[last] / 2 ** shift) + 1 &&
        bucketPartition(uid, t, codes[last + 1], index.partitionBits) === pk
      ) {
        last++;
      }
      const { lower } = bucketRange(codes[i], index.partitionBits, depth);
      const { upper } = bucketRange(codes[last], index.partitionBits, depth);
      reads.push({ table: t, pk, ...(lower === undefined ? {} : { lower }), ...(upper === undefined ? {} : { upper }) });
      i = last + 1;
    }
  }
  return reads;
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** Bytes DynamoDB bills for a number: about one per two significant digits, plus one. */
function numberSize(n: string): number {
  const digits = n.replace(/^-/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Size in bytes of one attribute value, per the rules below (`itemSize`). */
export function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.B !== undefined) return v.B.byteLength;
  if (v.N !== undefined) return numberSize(v.N);
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((s, x) => s + utf8(x), 0);
  if (v.NS !== undefined) return v.NS.reduce((s, x) => s + numberSize(x), 0);
  if (v.BS !== undefined) return v.BS.reduce((s, x) => s + x.byteLength, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((s, x) => s + 1 + valueSize(x), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((s, [k, x]) => s + 1 + utf8(k) + valueSize(x), 0);
  throw new Error('unknown attribute value type');
}

/**
 * The size DynamoDB bills for an item: the UTF-8 length of every attribute name plus the size
 * of its value (strings: UTF-8 bytes; binary: raw bytes; numbers: 1 byte per 2 significant
 * digits + 1; lists and maps: 3 bytes + 1 per element).
 * Source: Amazon DynamoDB Developer Guide, "Item sizes and formats"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8(name) + valueSize(value);
  return size;
}
