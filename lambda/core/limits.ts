// Every limit and pattern of the store, in one place: the core's checks, the JSON schemas, the
// SDK and the CLI all derive their bounds from these constants.

/** Largest request body API Gateway accepts, in bytes (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Largest response (and request) payload of a synchronously invoked Lambda function: 6 MB
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). A search answer must fit in it.
 */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

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

/**
 * Largest metadata of one vector, as UTF-8 JSON: 2 KiB, the limit S3 Vectors sets on filterable
 * metadata (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-limitations.html).
 */
export const MAX_METADATA_BYTES = 2048;
/** Largest number of keys in one vector's metadata. */
export const MAX_METADATA_KEYS = 32;
/** Longest metadata key, in characters. */
export const MAX_METADATA_KEY_LENGTH = 64;

/** Deepest nesting of `$and`/`$or` in a metadata filter. */
export const MAX_FILTER_DEPTH = 10;
/** Most values of one `$in` or `$nin` in a metadata filter: bounds the work per candidate. */
export const MAX_FILTER_VALUES = 1000;
/** Most filters in one `$and` or `$or` of a metadata filter: bounds the work per candidate. */
export const MAX_FILTER_BRANCHES = 100;

/** Inclusive bounds of each integer index parameter (`IndexParams`), and of the per-query `probes` and `rerank` overrides. */
export const INDEX_PARAM_BOUNDS = {
  hashTables: [1, 32],
  partitionBits: [0, 8],
  bucketSize: [1, 100000],
  probes: [0, 64],
  sketchBits: [32, 2048],
  rerank: [1, 5000],
} as const satisfies Record<string, readonly [number, number]>;

/** Inclusive bounds of `recallTarget`. */
export const RECALL_TARGET_BOUNDS = [0.5, 0.999] as const;

/** Inclusive bounds of a collection's hyperplane seed (uint32). */
export const SEED_BOUNDS = [0, 0xffffffff] as const;
