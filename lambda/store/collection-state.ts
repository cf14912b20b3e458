// What the store holds of a collection besides its items: the types shared by its modules, the
// plans made from the first batch, and the collection as the API describes it.
import { PlanBasis, planBasisOf, QueryAngles } from '../core/calibration';
import { HashFrame, Hasher } from '../core/hasher';
import { PlanAtSize, PlanTable, planTableForIndex, queryShape } from '../core/planner';
import { nonFilterableKeys, splitMetadata } from '../core/metadata';
import { PROFILE_MAX_SAMPLE } from '../core/profile';
import { sampleProfile } from '../core/search';
import { hitScaleOf } from '../core/table-hits';
import { CollectionConfig, CollectionInfo, IndexMethod, IndexParams, Metadata, MetadataConfiguration, Metric } from '../core/types';
import { FILTER_VERSION_BYTES } from './filter-index';
import { bucketEntryItem, bucketVersion, EntryLayout, itemSize } from './layout';
import { listSpace, nearestList } from '../core/lists';
import { packSketch } from '../core/sketch-format';
import { CentroidSet, isListLayout, listCodes, listShape, listSizeOf } from './list-layout';
import { metadataJson } from './records';

/** Input of `CollectionStore.create`. */
export interface CreateCollectionInput {
  /** `COLLECTION_NAME_PATTERN` (`lambda/core/limits.ts`) */
  readonly name: string;
  /** 1 to `MAX_DIMENSION` */
  readonly dimension: number;
  /** @default 'cosine' */
  readonly metric?: Metric;
  /** Overrides of the index defaults (`DEFAULT_INDEX_PARAMS`). */
  readonly index?: Partial<IndexParams>;
  /** Hyperplane seed (uint32). @default random */
  readonly seed?: number;
  /** Which metadata keys are non-filterable. @default every key filterable */
  readonly metadataConfiguration?: MetadataConfiguration;
  /**
   * How the index groups vectors: `ivf`, k-means lists (an inverted file, bucket layout 3:
   * `list-layout.ts`), cosine and euclidean only; `lsh`, random-hyperplane hash tables (bucket
   * layouts 1-2).
   * @default 'ivf' for cosine and euclidean; 'lsh' for dot or an `index` with a hash table parameter (`checkIndexMethod`)
   */
  readonly indexMethod?: IndexMethod;
  /** With `indexMethod` 'ivf': entries a list holds before it splits (`LIST_SIZE_BOUNDS`). @default DEFAULT_LIST_SIZE (1000) */
  readonly listSize?: number;
}

/** A collection as one instance holds it in memory: config, hasher, query plans, last known size and observed queries. */
export interface CollectionState {
  readonly config: CollectionConfig;
  readonly hasher?: Hasher;
  readonly plans?: PlanTable;
  /** What the plans were made from, to plan again from observed queries (`calibration.ts`). */
  readonly basis?: PlanBasis;
  count: number;
  /** The observed queries as last read from the counter item. */
  observed?: QueryAngles;
  /** Its centroid set, in bucket layout 3 once its first batch trained the lists. */
  readonly lists?: CentroidSet;
}

/** A row of an upsert, checked. */
export interface CheckedRow {
  readonly id: string;
  readonly vector: Float32Array;
  readonly metadata: Metadata;
}

/**
 * The collection an instance had cached was dropped or re-created since: what the request read or
 * wrote belongs to a collection that no longer exists. The store retries the request once with
 * the collection read afresh (`WhiplashStore`); it never reaches a client.
 */
export class StaleCollectionError extends Error {}

/** The frame a collection's hasher was made with (once its first write fixed one). */
export function frameOfHasher(hasher: Hasher | undefined): HashFrame | undefined {
  return hasher?.centre ? { centre: hasher.centre, mipsNorm: hasher.mipsNorm, subspace: hasher.subspace } : undefined;
}

/** The dimensions the hash codes of `frame` see: its subspace's, or the whole space's. */
export function hashDimensionsOf(frame: HashFrame): number {
  return frame.subspace ? frame.subspace.length / frame.centre.length : frame.centre.length;
}

/** The hasher of a collection whose first write fixed `frame`. */
export function hasherOf(config: CollectionConfig, frame: HashFrame): Hasher {
  return new Hasher(config.dimension, config.metric, config.index, config.seed, config.prngVersion, frame.centre, frame.mipsNorm, frame.subspace);
}

/** The collection's config with its centroid set (bucket layout 3): how writes, deletes and the repair find a version's entries. */
export const entryLayout = (state: CollectionState): CollectionConfig & EntryLayout => (state.lists ? { ...state.config, centroids: state.lists } : state.config);

/**
 * A vector's codes and packed sketch as a write to `state`'s collection stores them: its hash
 * codes, or in bucket layout 3 its nearest list in the collection's centroid set (`listCodes`).
 * @throws Error when the collection's first write has not settled its hash frame (or its lists)
 */
export function encodeForWrite(state: CollectionState, vector: Float32Array): { codes: Uint32Array; sketch: Uint8Array } {
  if (!state.hasher?.centre) throw new Error('a write before the collection has its hash frame');
  const enc = state.hasher.encode(vector);
  if (!isListLayout(state.config)) return { codes: enc.codes, sketch: packSketch(enc) };
  if (!state.lists) throw new Error('a write before the collection has its lists');
  const list = nearestList(state.lists.lists, listSpace(vector, vector.length, state.config.metric));
  return { codes: listCodes(list, state.lists.version), sketch: packSketch(enc) };
}

/**
 * Query plans from a sample of one batch, profiled in the collection's hash `frame`; read units
 * priced with the batch's own bucket entries. With them, the basis to plan again from observed queries.
 */
export function planFromSample(config: CollectionConfig, frame: HashFrame, rows: readonly CheckedRow[]): { plans: PlanTable; basis: PlanBasis } {
  const hasher = hasherOf(config, frame);
  const sample = rows.slice(0, PROFILE_MAX_SAMPLE);
  // an entry's size depends on lengths only (fixed-width code digits and version token, id, packed sketch, metadata)
  const packed = new Uint8Array(hasher.packedSketchBytes);
  const { token } = bucketVersion(config, new Uint32Array(1), new Uint8Array(FILTER_VERSION_BYTES));
  const nonFilterable = nonFilterableKeys(config);
  let entryBytes = 0;
  for (const row of sample) {
    entryBytes += itemSize(bucketEntryItem(config.uid, config.index.partitionBits, 0, 0, row.id, packed, metadataJson(splitMetadata(row.metadata, nonFilterable).filterable), token));
  }
  const profile = sampleProfile(hasher, sample.map((r) => r.vector));
  return { plans: planTableForIndex(config.index, profile, entryBytes / sample.length), basis: planBasisOf(profile, entryBytes / sample.length) };
}

/**
 * What the API says of a collection: its config, its index method (with k-means lists, their list
 * size), its count and the shape of its next query, by `plans` (the stored ones, or those its
 * observed queries calibrated, `QueryCalibration.plansOf`); in k-means lists, the lists its next
 * query reads on average as `probes`, and once queries calibrated that nprobe, the queries it
 * rests on as `calibratedBy`.
 */
export function describe(
  state: Pick<CollectionState, 'config' | 'plans' | 'count' | 'observed'> & { readonly lists?: Pick<CentroidSet, 'nprobe' | 'calibratedOn'>; readonly hashDimensions?: number },
  plans: PlanTable | PlanAtSize | undefined = state.plans,
): CollectionInfo {
  const shape = state.lists ? listShape(Math.round(state.lists.nprobe * 100) / 100) : queryShape(state.config.index, plans, state.count);
  const { filterIndex: _index, bucketLayout: _layout, listSize: _listSize, ...config } = state.config;
  const observed = state.observed;
  const calibrated =
    state.lists?.calibratedOn !== undefined
      ? { calibratedBy: state.lists.calibratedOn }
      : typeof plans === 'function' && !state.lists
        ? { calibratedBy: observed?.queries ?? 0, ...(observed?.hits ? { hitScale: Math.round(hitScaleOf(observed.hits) * 1000) / 1000 } : {}) }
        : {};
  const hashed = state.hashDimensions === undefined ? {} : { hashDimensions: state.hashDimensions };
  // the list size as the splits read it
  const method = isListLayout(state.config) ? { indexMethod: 'ivf' as const, listSize: listSizeOf(state.config) } : { indexMethod: 'lsh' as const };
  return { ...config, ...method, vectorCount: state.count, queryPlan: { ...shape, profiled: state.plans !== undefined, ...calibrated, ...hashed } };
}
