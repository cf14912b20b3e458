// Every limit and pattern of the store, in one place: the core's checks, the JSON schemas, the
// SDK and the CLI all derive their bounds from these constants.

/** Largest request body API Gateway accepts, in bytes (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Largest invocation payload of a synchronously invoked Lambda function, in bytes: 6 MB for the
 * request (the whole API Gateway proxy event as JSON, in which the body is a JSON string) and for
 * the response. A search answer and an upsert batch's event must fit in it.
 * Source: Lambda quotas, https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 * ("Invocation payload (request and response): 6 MB each for request and response (synchronous)"),
 * and the Invoke API, https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html.
 */
export const MAX_LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** Largest vector dimension. */
export const MAX_DIMENSION = 4096;

/** Largest top-k a query may ask for. */
export const MAX_TOP_K = 1000;
/** Top-k when a query names none, as in the original whiplash client. */
export const DEFAULT_TOP_K = 10;

/** Most vectors one upsert call (`POST .../items/batch`) takes. */
export const MAX_UPSERT_BATCH = 500;
/** Most ids one get or delete call of the store takes. */
export const MAX_IDS_PER_CALL = 1000;
/** Most ids one batch get (`POST .../items/batch-get`) takes, as S3 Vectors GetVectors (https://docs.aws.amazon.com/AmazonS3/latest/API/API_S3VectorBuckets_GetVectors.html). */
export const MAX_GET_BATCH = 100;
/** Most ids one batch delete (`POST .../items/batch-delete`) takes, as S3 Vectors DeleteVectors (https://docs.aws.amazon.com/AmazonS3/latest/API/API_S3VectorBuckets_DeleteVectors.html). */
export const MAX_DELETE_BATCH = 500;
/** Largest page of `GET .../items` that carries vectors or metadata (a page of ids alone may hold `MAX_LIST_LIMIT`): keeps it within Lambda's response limit. */
export const MAX_LIST_DATA_LIMIT = 100;
/**
 * Most vector items one delete by filter (`POST .../items/delete-by-filter`) examines; it deletes
 * at most `MAX_DELETE_BATCH` of them and answers a cursor while the collection has more to
 * examine, so one call's work stays bounded whatever the collection's size and the filter's selectivity.
 */
export const MAX_FILTER_DELETE_SCAN = 5000;
/** Largest page of ids that `GET .../items` returns. */
export const MAX_LIST_LIMIT = 1000;
/** Page size of `GET .../items` when none is asked for. */
export const DEFAULT_LIST_LIMIT = 100;

/** Largest vector id, in UTF-8 bytes (DynamoDB sort keys allow 1024; the bucket sort key adds the code). */
export const MAX_ID_BYTES = 512;

/** Project ids: URL-safe, so that an id is also a path segment. */
export const PROJECT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
/** Collection names: URL-safe, so that a name is also a path segment. */
export const COLLECTION_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';
/** Longest project display name, in characters. */
export const MAX_PROJECT_NAME_LENGTH = 128;
/** Usage plan tier names (the construct's `usagePlans[].name`; also part of the plan's name). */
export const TIER_NAME_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

/**
 * Largest metadata of one vector, as UTF-8 JSON: 40 KiB, filterable and non-filterable keys
 * together, the limit S3 Vectors sets on a vector's metadata
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-limitations.html).
 */
export const MAX_METADATA_BYTES = 40 * 1024;
/**
 * Largest filterable part of one vector's metadata (every key its collection does not declare
 * non-filterable), as UTF-8 JSON: 2 KiB, S3 Vectors' limit on filterable metadata (same page). It
 * is copied into every bucket entry and read with every candidate; larger values belong in
 * non-filterable keys, which are kept apart and read only for the results returned.
 */
export const MAX_FILTERABLE_METADATA_BYTES = 2048;
/** Most non-filterable metadata keys a collection declares, as S3 Vectors allows per vector index (same page). */
export const MAX_NON_FILTERABLE_KEYS = 10;
/** Largest number of keys in one vector's metadata. */
export const MAX_METADATA_KEYS = 32;
/** Longest metadata key, in characters. */
export const MAX_METADATA_KEY_LENGTH = 64;

/**
 * Most bucket entries one bucket read (one DynamoDB Query, one page: its `Limit`) returns. The
 * planner picks the depth so that most reads hold tens of entries; a bucket of many equal vectors
 * holds them all at every depth (they share every code), so reading it whole would make one
 * query's work grow with the copies. A read cut at the limit keeps its first entries in key order;
 * the query's other buckets and hash tables still nominate their candidates: on the real data
 * measured, the cut reads of dense regions cost none of the true neighbours (BENCHMARKS.md,
 * "Bucket entries read per query").
 */
export const MAX_BUCKET_READ_ENTRIES = 1000;
/**
 * Most bucket entries one query reads in all: each of its bucket reads returns at most this
 * divided by the number of reads (`bucketReadLimit` in `search.ts`), and at most
 * `MAX_BUCKET_READ_ENTRIES`. Bounds the read units, memory and CPU of the first round trip for
 * every `hashTables` x `probes`, well above what the planner's queries read (BENCHMARKS.md,
 * "Bucket entries read per query").
 */
export const MAX_BUCKET_ENTRIES_PER_QUERY = 250_000;

/** Deepest nesting of `$and`/`$or` in a metadata filter. */
export const MAX_FILTER_DEPTH = 10;
/** Most values of one `$in` or `$nin` in a metadata filter: bounds the work per candidate. */
export const MAX_FILTER_VALUES = 1000;
/** Most filters in one `$and` or `$or` of a metadata filter: bounds the work per candidate. */
export const MAX_FILTER_BRANCHES = 100;
/**
 * Most vectors a filtered query fetches through the filter index and ranks exactly
 * (`chooseSearchPath` in `filter-index.ts`), and so the `Limit` of each index read (this + 1:
 * one more entry tells that a term matches more). It bounds what the index read costs a filter
 * that matches many vectors (on every such query) and what the exact path fetches, below the
 * largest re-rank a query may ask for (`INDEX_PARAM_BOUNDS.rerank`); a filter matching more
 * vectors than this finds k of them among the buckets' candidates unless the collection is far
 * larger than the candidates.
 */
export const MAX_FILTER_INDEX_MATCHES = 1000;
/**
 * Most filter index reads (DynamoDB Query calls: one per `$eq` or `$in` value, one per numeric
 * range) of one query; a filter's further indexable terms are left to the predicate.
 */
export const MAX_FILTER_INDEX_READS = 8;

/**
 * How a collection's index may group its vectors (`CreateCollectionInput.indexMethod`): `ivf`,
 * k-means lists (an inverted file; the default for cosine and euclidean); `lsh`, random-hyperplane
 * hash tables (the default for dot: `checkIndexMethod`).
 */
export const INDEX_METHODS = ['lsh', 'ivf'] as const;

/**
 * Inclusive bounds of a collection's list size in k-means lists (`CreateCollectionInput.listSize`):
 * at most one DynamoDB Query page (1 MB) of entries of about 100 bytes.
 */
export const LIST_SIZE_BOUNDS = [16, 10000] as const;

/** Inclusive bounds of each integer index parameter (`IndexParams`), and of the per-query `probes` and `rerank` overrides. */
export const INDEX_PARAM_BOUNDS = {
  hashTables: [1, 32],
  partitionBits: [0, 8],
  bucketSize: [1, 100000],
  probes: [0, 64],
  sketchBits: [32, 2048],
  rerank: [1, 5000],
} as const satisfies Record<string, readonly [number, number]>;

/**
 * Most work, in multiply-adds, of building a collection's sketch directions (`sketchBuildWork` in
 * `params.ts`: Gram-Schmidt in blocks of the dimension), which every cold instance does on its
 * first request of the collection. Creating a collection whose `sketchBits` would exceed it at its
 * dimension answers 400 (`maxSketchBits`). The value admits every dimension's default sketch
 * (4,096 dimensions with 384 bits, 3.0e8) and keeps the build to a few seconds at the
 * construct's 1024 MB (BENCHMARKS.md, "Hasher build time"), far from API Gateway's 29 s.
 */
export const MAX_SKETCH_BUILD_WORK = 6e8;

/** Inclusive bounds of `recallTarget`. */
export const RECALL_TARGET_BOUNDS = [0.5, 0.999] as const;

/** Inclusive bounds of a collection's hyperplane seed (uint32). */
export const SEED_BOUNDS = [0, 0xffffffff] as const;
