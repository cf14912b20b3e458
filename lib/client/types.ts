// The SDK's request, option and handle types, shared by the HTTP and the direct client. The limits
// they state are the constants of `lambda/core/limits.ts`.
import type { CollectionInfo, Filter, IdPage, IndexParams, Metric, QueryMatch, StoredVector, VectorInput } from '../../lambda/core/types';

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
}

/** A top-k search. */
export interface SearchRequest {
  /** The query vector; its length must equal the collection's dimension. */
  readonly vector: ArrayLike<number>;
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
   * Upper bound of one request body in bytes (estimated before sending). API Gateway accepts
   * 10 MB (`MAX_BODY_BYTES`); the default leaves room for the envelope.
   * @default 6_000_000
   */
  readonly maxBatchBytes?: number;
  /**
   * Requests in flight at once.
   * @default 4
   */
  readonly concurrency?: number;
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
  /** Ids per page, 1 to 1000 (`MAX_LIST_LIMIT`). @default 100 (`DEFAULT_LIST_LIMIT`) */
  readonly limit?: number;
  /** Cursor of the page to start at (from a previous `IdPage`). */
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
  /** Bucket entries that no live vector produces, removed. */
  readonly orphansRemoved: number;
}
