// The SDK's request, option and handle types, shared by the HTTP and the direct client. The limits
// they state are the constants of `lambda/core/limits.ts`.
import type { CollectionInfo, Filter, IdPage, IndexMethod, IndexParams, Metadata, MetadataConfiguration, Metric, QueryMatch, StoredVector, VectorInput } from '../../lambda/core/types';

/** Input of `createCollection`. */
export interface CreateCollectionRequest {
  /** Collection name: `^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$` (`COLLECTION_NAME_PATTERN`). */
  readonly name: string;
  /** Number of vector components, 1 to 4096 (`MAX_DIMENSION`). */
  readonly dimension: number;
  /** @default 'cosine' */
  readonly metric?: Metric;
  /** Overrides of the index defaults (see `IndexParams`). */
  readonly index?: Partial<IndexParams>;
  /**
   * How the index groups vectors: `'ivf'`, k-means lists, of which a query reads the few nearest;
   * `'lsh'`, random-hyperplane hash tables (tuned by `index.hashTables`, `partitionBits`,
   * `bucketSize` and `probes`, which apply to `'lsh'` only). Fixed for the collection's life; the
   * collection's `indexMethod` says which it has. `'ivf'` with metric `'dot'` is refused
   * (`WhiplashError` `ValidationError`, 400, naming `indexMethod`), and with a hash table
   * parameter (400 naming it, e.g. `index.hashTables`).
   * @default 'ivf' for metrics cosine and euclidean; 'lsh' for 'dot', or when `index` sets a hash table parameter
   */
  readonly indexMethod?: IndexMethod;
  /**
   * With `indexMethod: 'ivf'` only: the vectors a k-means list holds before it splits in two, an
   * integer from 16 to 10,000 (`LIST_SIZE_BOUNDS`). Out of range, or given without `'ivf'`:
   * `WhiplashError` `ValidationError` (400) naming `listSize`.
   * @default 1000 (`DEFAULT_LIST_SIZE`) with 'ivf'
   */
  readonly listSize?: number;
  /**
   * Metadata keys kept out of filters and of what a query reads to rank (a chunk's text, say): 1 to
   * 10 keys (`MAX_NON_FILTERABLE_KEYS`), fixed for the collection's life. With them a vector's
   * metadata may reach 40 KiB (`MAX_METADATA_BYTES`); its filterable keys stay within 2 KiB
   * (`MAX_FILTERABLE_METADATA_BYTES`). As S3 Vectors' `metadataConfiguration`.
   * @default every key filterable (and the whole metadata within 2 KiB)
   */
  readonly metadataConfiguration?: MetadataConfiguration;
}

/** A top-k search: of a vector, or of the stored vector of an id (exactly one of `vector` and `id`). */
export interface SearchRequest {
  /** The query vector; its length must equal the collection's dimension. */
  readonly vector?: ArrayLike<number>;
  /** Search with the stored vector of this id instead (it is among the results, at distance 0, unless the filter leaves it out). */
  readonly id?: string;
  /**
   * Number of results (top-k), 1 to 1000 (`MAX_TOP_K`).
   * @default 10 (`DEFAULT_TOP_K`)
   */
  readonly topK?: number;
  /** Metadata filter (Pinecone / S3 Vectors operators: `$eq`, `$in`, `$gte`, `$and`, ...). */
  readonly filter?: Filter;
  /** @default false */
  readonly includeVector?: boolean;
  /** @default false */
  readonly includeMetadata?: boolean;
}

/** Options of `upsertBatch`. */
export interface UpsertBatchOptions {
  /**
   * Vectors per request. Capped at the API's limit of 500 vectors per batch (`MAX_UPSERT_BATCH`).
   * @default 500 (`MAX_UPSERT_BATCH`)
   */
  readonly batchSize?: number;
  /**
   * Upper bound of one request's vectors in bytes, as the Lambda proxy event carries them
   * (estimated before sending: the body is a JSON string in the event, so quotes and newlines
   * in metadata count twice). Lambda refuses an event over 6 MB (`MAX_LAMBDA_PAYLOAD_BYTES`) with
   * a 413; the default leaves 64 KiB of it for headers and request context.
   * @default 6_225_920 (`DEFAULT_MAX_BATCH_BYTES`)
   */
  readonly maxBatchBytes?: number;
  /**
   * Requests in flight at once.
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Vectors of the first request, which is sent alone: the others start once it is acknowledged.
   * A collection's first write fixes its hash frame and profiles its data for the query planner
   * from up to 500 of its vectors (`PROFILE_MAX_SAMPLE`, `lambda/core/profile.ts`), so a first
   * request of 500 into an empty collection gives the index the most to learn from, and the same
   * input the same index whatever the concurrency. Capped at 500 (`MAX_UPSERT_BATCH`) and by
   * `maxBatchBytes`.
   * @default batchSize, sent with the others
   */
  readonly firstBatchSize?: number;
  /** Called after each acknowledged request with the ids it wrote, in completion order. */
  readonly onBatch?: (ack: BatchAck) => void | Promise<void>;
}

/** One acknowledged batch request. */
export interface BatchAck {
  /** Ids written by this request, in input order. */
  readonly ids: readonly string[];
  /** Zero-based position in the input of the first vector of this request. */
  readonly offset: number;
}

/** Result of `upsertBatch`. */
export interface UpsertBatchResult {
  /** Vectors acknowledged (all of the input). */
  readonly upserted: number;
  /** Requests sent. */
  readonly requests: number;
}

/** Options of paging through ids. */
export interface ListOptions {
  /** Ids per page, 1 to 1000 (`MAX_LIST_LIMIT`); 1 to 100 (`MAX_LIST_DATA_LIMIT`) with vectors or metadata. @default 100 (`DEFAULT_LIST_LIMIT`) */
  readonly limit?: number;
  /** Cursor of the page to start at (from a previous `IdPage`). */
  readonly cursor?: string;
  /** Only ids that start with this. */
  readonly prefix?: string;
}

/** Options of listing items with their data. */
export interface ListItemsOptions extends ListOptions {
  /** @default false */
  readonly includeVector?: boolean;
  /** @default false */
  readonly includeMetadata?: boolean;
}

/** A page of listed items: their ids, and each with the vector and metadata asked for. */
export interface ItemsPage {
  readonly ids: string[];
  readonly vectors: { id: string; vector?: number[]; metadata?: Metadata }[];
  readonly cursor?: string;
}

/** Options of `getMany` and `deleteMany`. */
export interface ManyOptions {
  /** Requests in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Called after each acknowledged request with the number of ids it covered. */
  readonly onProgress?: (done: number) => void;
}

/** Options of `getMany`. */
export interface GetManyOptions extends ManyOptions {
  /** @default true */
  readonly includeVector?: boolean;
  /** @default true */
  readonly includeMetadata?: boolean;
}

/** Result of `getMany`. */
export interface GetManyResult {
  /** The vectors found, in the order asked for (an id asked for twice appears once). */
  readonly vectors: { id: string; vector?: number[]; metadata?: Metadata }[];
  /** The ids asked for that have no vector. */
  readonly notFound: string[];
}

/** Result of `deleteMany`. */
export interface DeleteManyResult {
  /** Vectors deleted. */
  readonly deleted: number;
  /** The ids that had no vector. */
  readonly notFound: string[];
}

/** One call of a delete by filter. */
export interface DeleteByFilterPage {
  /** Ids the call deleted. */
  readonly deleted: string[];
  /** Present while vectors are left to examine. */
  readonly cursor?: string;
}

/**
 * The items and search of one collection. Both `WhiplashClient` (HTTP) and
 * `WhiplashDirectClient` (DynamoDB) hand these out from `collection(projectId, name)`.
 */
export interface CollectionHandle {
  readonly projectId: string;
  readonly name: string;
  /** Inserts or replaces one vector. Retried on throttling and server errors (idempotent). */
  upsert(item: VectorInput): Promise<void>;
  /**
   * Inserts or replaces many vectors, split into requests that fit the API's limits and sent with
   * bounded concurrency. Reads an iterator lazily, so an input larger than memory streams.
   * @throws WhiplashBatchError listing exactly the ids that were not acknowledged
   */
  upsertBatch(items: Iterable<VectorInput> | AsyncIterable<VectorInput>, options?: UpsertBatchOptions): Promise<UpsertBatchResult>;
  /** @throws WhiplashError `NotFound` (404) when there is no such item */
  get(id: string): Promise<StoredVector>;
  /** @throws WhiplashError `NotFound` (404) when there is no such item */
  delete(id: string): Promise<void>;
  /**
   * The vectors of many ids, 100 to a request (`MAX_GET_BATCH`, `POST .../items/batch-get`).
   * Reads, so retried like `get`. @throws WhiplashError on the first failed request
   */
  getMany(ids: Iterable<string>, options?: GetManyOptions): Promise<GetManyResult>;
  /**
   * Deletes many ids, 500 to a request (`MAX_DELETE_BATCH`, `POST .../items/batch-delete`), one
   * request after the other, not retried. Unknown ids do not fail it: they are listed in `notFound`.
   * @throws WhiplashBatchError on the first failed request, with the ids not acknowledged
   */
  deleteMany(ids: Iterable<string>, options?: ManyOptions): Promise<DeleteManyResult>;
  /**
   * Replaces or merges (`merge`, the default: `null` values remove keys) one vector's metadata
   * and keeps its vector. Not retried.
   * @returns the vector as stored now
   * @throws WhiplashError `NotFound` (404) when there is no such item
   */
  updateMetadata(id: string, metadata: Record<string, Metadata[string] | null>, options?: { merge?: boolean }): Promise<StoredVector>;
  /**
   * Deletes every vector whose metadata matches `filter`, calling the API until it answers no
   * cursor (each call examines a bounded number of vectors and deletes at most 500). Not retried.
   * @param options.onPage called after each call with what it deleted
   * @returns how many vectors were deleted
   */
  deleteByFilter(filter: Filter, options?: { cursor?: string; onPage?: (page: DeleteByFilterPage) => void }): Promise<{ deleted: number }>;
  /** One page of listed items, with their vectors and/or metadata as asked. */
  listItems(options?: ListItemsOptions): Promise<ItemsPage>;
  /** One page of ids. */
  listIds(options?: ListOptions): Promise<IdPage>;
  /** Every page of ids, fetched one at a time as the loop asks for them. */
  pages(options?: ListOptions): AsyncIterableIterator<IdPage>;
  /** Every id, page by page. */
  ids(options?: ListOptions): AsyncIterableIterator<string>;
  /** Top-k nearest neighbours, closest first. */
  search(request: SearchRequest): Promise<QueryMatch[]>;
}

/** Collection management, the same on both clients. */
export interface CollectionsApi {
  createCollection(projectId: string, input: CreateCollectionRequest): Promise<CollectionInfo>;
  getCollection(projectId: string, name: string): Promise<CollectionInfo>;
  listCollections(projectId: string): Promise<CollectionInfo[]>;
  deleteCollection(projectId: string, name: string): Promise<void>;
  /** Repairs a collection after failed requests (admin key): finishes their cleanups, removes orphaned bucket entries, recounts its vectors. */
  repairCollection(projectId: string, name: string): Promise<RepairReport>;
  collection(projectId: string, name: string): CollectionHandle;
}

/** What a repair of a collection found and fixed. */
export interface RepairReport {
  /** Live vectors counted; the collection's `vectorCount` is set to it. */
  readonly vectorCount: number;
  /** Replaces that had failed part way, finished. */
  readonly settled: number;
  /** Deletes that had failed part way, finished. */
  readonly finishedDeletes: number;
  /** Bucket and filter index entries that no live vector produces, removed. */
  readonly orphansRemoved: number;
  /** Vectors written before the filter index, now indexed. */
  readonly filterIndexed: number;
  /** Bucket entries a live vector produces that were missing (deleted by a concurrent write's cleanup), written again. */
  readonly entriesRestored: number;
}
