// Bucket layout 3: a collection's entries in k-means lists (an inverted file) instead of hash
// tables. Its list entries, its centroid items and the centroid set they make; pure functions.
import type { CollectionConfig, Metric } from '../core/types';
import { listOrder, Lists, listsFrom, listSpace } from '../core/lists';
import { bytesToVector, vectorToBytes } from '../core/vector';
import type { Item } from './batch';
import { centroidKey, centroidOfSortKey, listPartition, listSortKey } from './key-format';
import type { BucketRead, BucketVersion } from './layout';

/**
 * The bucket layout of collections in k-means lists (`CollectionConfig.bucketLayout`). A vector
 * has one entry, in its nearest list of the centroid set its writer read; the entry's sort key
 * carries the writing version's token as in layout 2. Its bucket version's codes are that list
 * and the centroid set's version (`listCodes`), which the vector item keeps in `c`.
 */
export const LIST_LAYOUT = 3;

/** Whether a collection keeps its entries in k-means lists (bucket layout 3). */
export const isListLayout = (config: Pick<CollectionConfig, 'bucketLayout'>): boolean => config.bucketLayout === LIST_LAYOUT;

/** Words of a bucket version's codes in a collection of `config`: one per hash table, or a list and a set version. */
export const codeWords = (config: Pick<CollectionConfig, 'bucketLayout' | 'index'>): number => (isListLayout(config) ? 2 : config.index.hashTables);

/** The codes of an entry in list `list` of centroid set `version`. */
export const listCodes = (list: number, version: number): Uint32Array => Uint32Array.of(list, version);

/**
 * A collection's centroid set: the lists' centroids (list space, `listSpace`) as of `version`, and
 * the nprobe its queries read.
 */
export interface CentroidSet {
  readonly version: number;
  readonly lists: Lists;
  readonly nprobe: number;
}

/** One list entry: the key of `version`'s entry of `id`, its packed sketch, its filterable metadata as JSON. */
export function listEntryItem(uid: string, version: BucketVersion, id: string, sketch: Uint8Array, metadata?: string): Item {
  return { ...listEntryKey(uid, version, id), s: { B: sketch }, ...(metadata === undefined ? {} : { m: { S: metadata } }) };
}

/**
 * The key of the list entry of `id` that bucket version `version` wrote.
 * @throws Error for a version without a token (layout 3 always has one)
 */
export function listEntryKey(uid: string, version: BucketVersion, id: string): Item {
  if (version.token === undefined) throw new Error('a list entry needs a version token');
  return { pk: { S: listPartition(uid, version.codes[0]) }, sk: { S: listSortKey(id, version.token) } };
}

/** The centroid items of a centroid set version that (re)sets the lists `changed` (all of them for a first set). */
export function centroidItems(uid: string, version: number, lists: Lists, changed: readonly number[] = Array.from({ length: lists.count }, (_, l) => l)): Item[] {
  return changed.map((l) => {
    const key = centroidKey(uid, version, l);
    return { pk: { S: key.pk }, sk: { S: key.sk }, c: { B: vectorToBytes(lists.centroids.subarray(l * lists.dim, (l + 1) * lists.dim)) } };
  });
}

/**
 * The centroid set `version` from a collection's centroid items: each list's centroid as the
 * latest version up to `version` set it. Items of later versions (a change not yet switched to)
 * are left out.
 * @throws Error when a list below the highest has no centroid (the items are incomplete)
 */
export function centroidSetOf(config: Pick<CollectionConfig, 'metric' | 'dimension'>, items: readonly Item[], version: number, nprobe: number): CentroidSet {
  const latest = new Map<number, { version: number; centroid: Float32Array }>();
  for (const item of items) {
    const at = centroidOfSortKey(item.sk.S!);
    if (at.version > version) continue;
    const seen = latest.get(at.list);
    if (!seen || seen.version < at.version) latest.set(at.list, { version: at.version, centroid: bytesToVector(item.c.B!) });
  }
  const count = latest.size === 0 ? 0 : Math.max(...latest.keys()) + 1;
  const centroids = new Float32Array(count * config.dimension);
  for (let l = 0; l < count; l++) {
    const c = latest.get(l);
    if (!c) throw new Error(`centroid set ${version} has no centroid for list ${l}`);
    centroids.set(c.centroid, l * config.dimension);
  }
  return { version, lists: listsFrom(config.metric, config.dimension, centroids), nprobe };
}

/**
 * The lists a query reads (nprobe, at least 1 and at most every list; the collection's own when
 * `probes` is absent).
 */
export const listsToRead = (set: CentroidSet, probes?: number): number => Math.min(set.lists.count, Math.max(1, probes ?? set.nprobe));

/**
 * Round trip 1 of a query in bucket layout 3: the `nprobe` lists whose centroids lie nearest the
 * query (under cosine, by direction: `listSpace`), nearest first, each read whole by one Query.
 */
export function listReadPlan(uid: string, set: CentroidSet, metric: Metric, query: Float32Array, nprobe: number): BucketRead[] {
  const order = listOrder(set.lists, listSpace(query, query.length, metric));
  return Array.from(order.subarray(0, nprobe), (list) => ({ table: 0, pk: listPartition(uid, list) }));
}
