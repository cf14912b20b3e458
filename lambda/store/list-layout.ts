// Bucket layout 3: a collection's entries in k-means lists (an inverted file) instead of hash
// tables. Its list entries, its centroid items and the centroid set they make; pure functions.
import type { QueryShape } from '../core/planner';
import type { CollectionConfig, Metric } from '../core/types';
import { listOrder, Lists, listsFrom, listSpace } from '../core/lists';
import { DEFAULT_LIST_SIZE } from '../core/list-splits';
import { nprobeOf, queryNprobe } from '../core/nprobe';
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

/** Entries a list of the collection holds before it splits: its `listSize`, or `DEFAULT_LIST_SIZE`. */
export const listSizeOf = (config: Pick<CollectionConfig, 'listSize'>): number => config.listSize ?? DEFAULT_LIST_SIZE;

/** Whether a collection keeps its entries in k-means lists (bucket layout 3). */
export const isListLayout = (config: Pick<CollectionConfig, 'bucketLayout'>): boolean => config.bucketLayout === LIST_LAYOUT;

/** Words of a bucket version's codes in a collection of `config`: one per hash table, or a list and a set version. */
export const codeWords = (config: Pick<CollectionConfig, 'bucketLayout' | 'index'>): number => (isListLayout(config) ? 2 : config.index.hashTables);

/** The codes of an entry in list `list` of centroid set `version`. */
export const listCodes = (list: number, version: number): Uint32Array => Uint32Array.of(list, version);

/** The share of a collection's lists its queries read, and whether queries calibrated it (else it is the first batch's, `trainFirstLists`). */
export interface ListShare {
  readonly share: number;
  /** The calibration queries the share rests on; absent while it is the first batch's. */
  readonly calibratedOn?: number;
}

/**
 * A collection's centroid set: the lists' centroids (list space, `listSpace`) as of `version`, the
 * share of them its queries read and that mean nprobe (`nprobeOf`), and how each list came to be:
 * the version that created it (`born`) and the list it was split off (`parent`, -1 for the first
 * lists), so that the lists an entry may have moved to are known (`entryLists`).
 */
export interface CentroidSet extends ListShare {
  readonly version: number;
  readonly lists: Lists;
  readonly nprobe: number;
  readonly born: Uint32Array;
  readonly parent: Int32Array;
}

/** What a bucket-layout-3 collection's entries are keyed by: its uid, and its centroid set as this instance knows it. */
export interface ListContext {
  readonly uid: string;
  readonly centroids?: CentroidSet;
}

/**
 * The lists that may hold the entry a write put into list `list` when the centroid set was at
 * `version`: that list, and every list split off it after `version`, and off those in turn (a
 * split moves entries only from the list it cuts to the list it creates). In creation order.
 */
export function entryLists(set: CentroidSet | undefined, list: number, version: number): number[] {
  const chain = [list];
  if (!set) return chain;
  const inChain = new Set(chain);
  for (let l = 0; l < set.lists.count; l++) {
    if (set.born[l] > version && inChain.has(set.parent[l]) && !inChain.has(l)) {
      chain.push(l);
      inChain.add(l);
    }
  }
  return chain;
}

/** One list entry: the key of `version`'s entry of `id`, its packed sketch, its filterable metadata as JSON. */
export function listEntryItem(uid: string, version: BucketVersion, id: string, sketch: Uint8Array, metadata?: string): Item {
  return { ...listEntryKey(uid, version, id), s: { B: sketch }, ...(metadata === undefined ? {} : { m: { S: metadata } }) };
}

/**
 * The key of the list entry of `id` that bucket version `version` wrote, in the list it wrote it to.
 * @throws Error for a version without a token (layout 3 always has one)
 */
export function listEntryKey(uid: string, version: BucketVersion, id: string): Item {
  if (version.token === undefined) throw new Error('a list entry needs a version token');
  return { pk: { S: listPartition(uid, version.codes[0]) }, sk: { S: listSortKey(id, version.token) } };
}

/** The keys the entry of `id` that bucket version `version` wrote may have now: one in each of its `entryLists`. */
export function listEntryKeys(context: ListContext, version: BucketVersion, id: string): Item[] {
  const written = listEntryKey(context.uid, version, id);
  return entryLists(context.centroids, version.codes[0], version.codes[1]).map((l) => ({ pk: { S: listPartition(context.uid, l) }, sk: written.sk }));
}

/** The centroid item of list `list` as centroid set `version` sets it; `from`: the list a split cut it from (a list the split creates). */
export function centroidItem(uid: string, version: number, list: number, centroid: Float32Array, from?: number): Item {
  const key = centroidKey(uid, version, list);
  return { pk: { S: key.pk }, sk: { S: key.sk }, c: { B: vectorToBytes(centroid) }, ...(from === undefined ? {} : { from: { N: String(from) } }) };
}

/** The centroid items of a first centroid set `version`: one per list of `lists`. */
export function centroidItems(uid: string, version: number, lists: Lists): Item[] {
  return Array.from({ length: lists.count }, (_, l) => centroidItem(uid, version, l, lists.centroids.slice(l * lists.dim, (l + 1) * lists.dim)));
}

/**
 * The centroid set `version` from a collection's centroid items (all of them, or those after the
 * version of `base`, which they update): each list's centroid as the latest version up to
 * `version` set it, each list's birth and parent from its first item. Items of later versions (a
 * split not yet switched to, or one that lost its switch) are left out.
 * @throws Error when a list below the highest has no centroid (the items are incomplete)
 */
export function centroidSetOf(config: Pick<CollectionConfig, 'metric' | 'dimension'>, items: readonly Item[], version: number, at: ListShare, base?: CentroidSet): CentroidSet {
  const dim = config.dimension;
  const latest = new Map<number, { version: number; centroid: Float32Array }>();
  const origin = new Map<number, { born: number; parent: number }>();
  for (let l = 0; l < (base?.lists.count ?? 0); l++) {
    latest.set(l, { version: base!.version, centroid: base!.lists.centroids.subarray(l * dim, (l + 1) * dim) });
    origin.set(l, { born: base!.born[l], parent: base!.parent[l] });
  }
  for (const item of items) {
    const at = centroidOfSortKey(item.sk.S!);
    if (at.version > version || (base && at.version <= base.version)) continue;
    const seen = latest.get(at.list);
    if (!seen || seen.version < at.version) latest.set(at.list, { version: at.version, centroid: bytesToVector(item.c.B!) });
    const first = origin.get(at.list);
    if (!first || first.born > at.version) origin.set(at.list, { born: at.version, parent: item.from?.N === undefined ? -1 : Number(item.from.N) });
  }
  const count = latest.size === 0 ? 0 : Math.max(...latest.keys()) + 1;
  const centroids = new Float32Array(count * dim);
  const born = new Uint32Array(count);
  const parent = new Int32Array(count);
  for (let l = 0; l < count; l++) {
    const c = latest.get(l);
    if (!c) throw new Error(`centroid set ${version} has no centroid for list ${l}`);
    centroids.set(c.centroid, l * dim);
    born[l] = origin.get(l)!.born;
    parent[l] = origin.get(l)!.parent;
  }
  return { version, lists: listsFrom(config.metric, dim, centroids), share: at.share, ...calibratedOn(at), nprobe: nprobeOf(at.share, count), born, parent };
}

/** The shape of a query that reads `nprobe` lists, as query stats and a collection's description give it (`probes`: the lists read). */
export const listShape = (nprobe: number): QueryShape => ({ depth: 0, probes: nprobe, extraProbes: 0 });

/** `set` with its queries reading `at.share` of its lists (`nprobeOf`), as a counter item says after a calibration. */
export const withShare = ({ calibratedOn: _, ...set }: CentroidSet, at: ListShare): CentroidSet => ({ ...set, share: at.share, ...calibratedOn(at), nprobe: nprobeOf(at.share, set.lists.count) });

/** Whether `set` reads its lists at `at`'s share, calibrated on as many queries. */
export const sameShare = (set: ListShare, at: ListShare): boolean => set.share === at.share && set.calibratedOn === at.calibratedOn;

/** `at`'s `calibratedOn`, when it has one (no key otherwise). */
export const calibratedOn = (at: Partial<ListShare>): Pick<ListShare, 'calibratedOn'> => (at.calibratedOn === undefined ? {} : { calibratedOn: at.calibratedOn });

/**
 * The lists `query` reads (nprobe, at least 1 and at most every list): `probes`, or when it is
 * absent the collection's mean nprobe as one query reads it (`queryNprobe`).
 */
export const listsToRead = (set: CentroidSet, query: Float32Array, probes?: number): number => Math.min(set.lists.count, Math.max(1, probes ?? queryNprobe(set.nprobe, query)));

/**
 * Round trip 1 of a query in bucket layout 3: the `nprobe` lists whose centroids lie nearest the
 * query (under cosine, by direction: `listSpace`), nearest first, each read whole by one Query.
 */
export function listReadPlan(uid: string, set: CentroidSet, metric: Metric, query: Float32Array, nprobe: number): BucketRead[] {
  const order = listOrder(set.lists, listSpace(query, query.length, metric));
  return Array.from(order.subarray(0, nprobe), (list) => ({ table: 0, pk: listPartition(uid, list) }));
}
