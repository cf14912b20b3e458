// The JSON Schemas of every route's request body and query string, built from the limits of `limits.ts` (responses: `response-schemas.ts`).
/**
 * JSON Schemas (draft 2020-12 subset that ajv and OpenAPI 3.1 share) of the request bodies, query
 * strings and responses, one per route. The handlers validate input against them with ajv, and the
 * OpenAPI document and the API Gateway request models embed them, so they never disagree.
 *
 * Every bound, pattern and default comes from `lambda/core/limits.ts` (the list size's default
 * from `list-splits.ts`, which the splits read), whose constants the core's checks use too
 * (`test/core/limits.test.ts` holds the two together). The core still checks what a schema does
 * not say: an id's UTF-8 bytes and characters, a vector's length against its collection's
 * dimension, metadata keys and size, a sketch length that is a multiple of 8, k-means lists
 * (`indexMethod` 'ivf') under metric dot and a `listSize` without them.
 */
import {
  COLLECTION_NAME_PATTERN,
  DEFAULT_LIST_LIMIT,
  DEFAULT_TOP_K,
  INDEX_METHODS,
  INDEX_PARAM_BOUNDS,
  LIST_SIZE_BOUNDS,
  MAX_DELETE_BATCH,
  MAX_DIMENSION,
  MAX_GET_BATCH,
  MAX_ID_BYTES,
  MAX_FILTERABLE_METADATA_BYTES,
  MAX_LIST_DATA_LIMIT,
  MAX_METADATA_BYTES,
  MAX_METADATA_KEY_LENGTH,
  MAX_NON_FILTERABLE_KEYS,
  MAX_LIST_LIMIT,
  MAX_PROJECT_NAME_LENGTH,
  MAX_TOP_K,
  MAX_UPSERT_BATCH,
  TIER_NAME_PATTERN,
  PROJECT_ID_PATTERN,
  RECALL_TARGET_BOUNDS,
  SEED_BOUNDS,
} from '../core/limits';
import { DEFAULT_LIST_SIZE } from '../core/list-splits';
import { DEFAULT_INDEX_PARAMS } from '../core/params';

export type JsonSchema = Record<string, unknown>;

const vector: JsonSchema = {
  type: 'array',
  items: { type: 'number' },
  minItems: 1,
  maxItems: MAX_DIMENSION,
  description: `The vector's components (1 to ${MAX_DIMENSION} finite numbers; as many as the collection's dimension)`,
};

export const metadata: JsonSchema = {
  type: 'object',
  description: 'Metadata: strings, finite numbers, booleans and lists of strings',
  additionalProperties: {
    anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: { type: 'string' } }],
  },
};

/** A collection's metadata configuration, as S3 Vectors' (`MetadataConfiguration` in `types.ts`). */
export const metadataConfiguration: JsonSchema = {
  type: 'object',
  properties: {
    nonFilterableMetadataKeys: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: MAX_METADATA_KEY_LENGTH },
      minItems: 1,
      maxItems: MAX_NON_FILTERABLE_KEYS,
      uniqueItems: true,
      description: `1 to ${MAX_NON_FILTERABLE_KEYS} metadata keys kept out of bucket entries and filters; with them a vector's metadata may reach ${MAX_METADATA_BYTES} bytes, its filterable keys ${MAX_FILTERABLE_METADATA_BYTES}`,
    },
  },
  required: ['nonFilterableMetadataKeys'],
  additionalProperties: false,
  description: 'Which metadata keys are non-filterable (fixed at creation). @default every key filterable',
};

const id: JsonSchema = {
  type: 'string',
  minLength: 1,
  // JSON Schema counts characters, the store UTF-8 bytes: an id within MAX_ID_BYTES bytes has at most as many characters.
  maxLength: MAX_ID_BYTES,
  description: `Vector id, unique in the collection: at most ${MAX_ID_BYTES} bytes in UTF-8. The schema can only bound its characters (${MAX_ID_BYTES}); the store checks the bytes.`,
};

/** A list of 1 to `max` vector ids. */
const ids = (max: number, what: string): JsonSchema => ({ type: 'array', items: id, minItems: 1, maxItems: max, description: `${what}: 1 to ${max} vector ids (a repeated id counts once)` });

const item: JsonSchema = {
  type: 'object',
  properties: {
    id,
    vector,
    metadata,
  },
  required: ['id', 'vector'],
  additionalProperties: false,
};

/** An integer between the inclusive `bounds` of `limits.ts`. */
const boundedInt = (bounds: readonly [number, number], description: string): JsonSchema => ({
  type: 'integer',
  minimum: bounds[0],
  maximum: bounds[1],
  description,
});

export const indexParams: JsonSchema = {
  type: 'object',
  description: 'Overrides of the LSH index defaults',
  properties: {
    hashTables: boundedInt(INDEX_PARAM_BOUNDS.hashTables, 'Number of hash tables (L)'),
    partitionBits: boundedInt(INDEX_PARAM_BOUNDS.partitionBits, 'Leading code bits in the bucket partition key'),
    bucketSize: boundedInt(INDEX_PARAM_BOUNDS.bucketSize, 'Vectors per bucket; absent: the query planner chooses the bucket depth from the data profile'),
    probes: boundedInt(INDEX_PARAM_BOUNDS.probes, 'Extra buckets probed per table (multi-probe); absent: chosen by the query planner'),
    recallTarget: {
      type: 'number',
      minimum: RECALL_TARGET_BOUNDS[0],
      maximum: RECALL_TARGET_BOUNDS[1],
      description: `Share of the 10 nearest neighbours the query planner aims to find, ${RECALL_TARGET_BOUNDS[0]} to ${RECALL_TARGET_BOUNDS[1]} (default 0.95)`,
    },
    sketchBits: boundedInt(INDEX_PARAM_BOUNDS.sketchBits, `Bits of the sketch used to rank candidates, a multiple of 8 (default ${DEFAULT_INDEX_PARAMS.sketchBits}, or twice the dimension rounded up to a multiple of 8 when smaller)`),
    rerank: boundedInt(INDEX_PARAM_BOUNDS.rerank, 'The most candidates re-ranked exactly (a query fetches only those whose sketch distance bound can reach its top-k)'),
  },
  additionalProperties: false,
};

/** A collection's index method (`IndexMethod`); the store refuses 'ivf' with metric dot or a hash table parameter (`checkIndexMethod`). */
export const indexMethod: JsonSchema = {
  enum: [...INDEX_METHODS],
  description:
    "How the index groups vectors: 'ivf', k-means lists, for metrics cosine and euclidean; 'lsh', random-hyperplane hash tables (index.hashTables, partitionBits, bucketSize and probes tune them, and apply to 'lsh' only). @default ivf for cosine and euclidean; lsh for dot or when index sets a hash table parameter",
};

/** A collection's list size in k-means lists; the store refuses it without indexMethod 'ivf'. */
export const listSize: JsonSchema = boundedInt(
  LIST_SIZE_BOUNDS,
  `With indexMethod 'ivf' only: vectors a k-means list holds before it splits in two. @default ${DEFAULT_LIST_SIZE} with 'ivf'`,
);

/** Request body schemas, by operationId. */
export const BODY_SCHEMAS = {
  createProject: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: MAX_PROJECT_NAME_LENGTH, description: 'Display name; also the project id when `projectId` is absent' },
      projectId: { type: 'string', pattern: PROJECT_ID_PATTERN, description: 'Project id used in paths. @default `name`' },
      tier: { type: 'string', pattern: TIER_NAME_PATTERN, description: "Usage plan tier of the project's key (one of the store's tiers). @default the store's default tier" },
    },
    required: ['name'],
    additionalProperties: false,
  },
  setProjectTier: {
    type: 'object',
    properties: {
      tier: { type: 'string', pattern: TIER_NAME_PATTERN, description: "The tier to move the project's keys to (one of the store's tiers)" },
    },
    required: ['tier'],
    additionalProperties: false,
  },
  createCollection: {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: COLLECTION_NAME_PATTERN, description: 'Collection name (alias `collection_name`)' },
      collection_name: { type: 'string', pattern: COLLECTION_NAME_PATTERN, description: 'Alias of `name` (original whiplash)' },
      n_features: { type: 'integer', minimum: 1, maximum: MAX_DIMENSION, description: 'Vector dimension (alias `dimension`)' },
      dimension: { type: 'integer', minimum: 1, maximum: MAX_DIMENSION, description: 'Alias of `n_features`' },
      metric: { enum: ['cosine', 'euclidean', 'dot'], description: 'Distance metric. @default cosine' },
      index: indexParams,
      indexMethod,
      listSize,
      seed: { type: 'integer', minimum: SEED_BOUNDS[0], maximum: SEED_BOUNDS[1], description: 'Hyperplane seed (uint32). @default random' },
      metadataConfiguration,
      n_planes: { type: 'number', description: 'Accepted for compatibility with the original whiplash client; ignored' },
      bit_start: { type: 'number', description: 'Accepted for compatibility with the original whiplash client; ignored' },
      bit_scale_factor: { type: 'number', description: 'Accepted for compatibility with the original whiplash client; ignored' },
    },
    additionalProperties: false,
  },
  upsertItem: item,
  upsertBatch: {
    type: 'object',
    properties: {
      vectors: { type: 'array', items: item, maxItems: MAX_UPSERT_BATCH, description: `Up to ${MAX_UPSERT_BATCH} vectors` },
    },
    required: ['vectors'],
    additionalProperties: false,
  },
  getItems: {
    type: 'object',
    properties: {
      ids: ids(MAX_GET_BATCH, 'The vectors to read'),
      include_vector: { type: 'boolean', description: 'Return each vector. @default true' },
      include_metadata: { type: 'boolean', description: 'Return each vector\'s metadata. @default true' },
    },
    required: ['ids'],
    additionalProperties: false,
  },
  deleteItems: {
    type: 'object',
    properties: { ids: ids(MAX_DELETE_BATCH, 'The vectors to delete') },
    required: ['ids'],
    additionalProperties: false,
  },
  deleteByFilter: {
    type: 'object',
    properties: {
      filter: { type: 'object', minProperties: 1, description: 'Metadata filter, as in search; at least one condition' },
      cursor: { type: 'string', minLength: 1, description: 'The `cursor` of the previous call, to go on where it stopped' },
    },
    required: ['filter'],
    additionalProperties: false,
  },
  updateItem: {
    type: 'object',
    properties: {
      metadata: {
        type: 'object',
        description: 'The new metadata, or with `merge` the keys to set (`null` removes a key); the result must be valid metadata',
        additionalProperties: {
          anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: { type: 'string' } }, { type: 'null' }],
        },
      },
      merge: { type: 'boolean', description: 'Merge into the stored metadata instead of replacing it. @default true' },
    },
    required: ['metadata'],
    additionalProperties: false,
  },
  search: {
    type: 'object',
    properties: {
      query: { ...vector, description: 'The query vector; exactly one of `query` and `id`' },
      id: { ...id, description: 'Search with the stored vector of this id instead of `query` (exactly one of them); 404 when there is none' },
      limit: { type: 'integer', minimum: 1, maximum: MAX_TOP_K, description: `Top-k. @default ${DEFAULT_TOP_K}` },
      filter: { type: 'object', description: 'Metadata filter ($eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $and, $or)' },
      include_vector: { type: 'boolean', description: 'Return each match\'s vector. @default true (as the original whiplash)' },
      include_metadata: { type: 'boolean', description: 'Return each match\'s metadata. @default false' },
      probes: boundedInt(INDEX_PARAM_BOUNDS.probes, 'Override of the collection\'s multi-probe count for this query'),
      rerank: boundedInt(INDEX_PARAM_BOUNDS.rerank, 'Override of the collection\'s re-rank cap for this query'),
    },
    additionalProperties: false,
  },
} as const satisfies Record<string, JsonSchema>;

/** Query string schemas, by operationId. Values arrive as strings and are coerced. */
export const QUERY_SCHEMAS = {
  listItems: {
    type: 'object',
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT, description: `Page size: at most ${MAX_LIST_LIMIT} ids, or ${MAX_LIST_DATA_LIMIT} with vectors or metadata. @default ${DEFAULT_LIST_LIMIT}` },
      cursor: { type: 'string', minLength: 1, description: 'Cursor from the previous page' },
      prefix: { type: 'string', minLength: 1, maxLength: MAX_ID_BYTES, description: 'Only ids that start with this' },
      include_vector: { type: 'boolean', description: 'Return the vectors too (`vectors` in the answer). @default false' },
      include_metadata: { type: 'boolean', description: 'Return the metadata too (`vectors` in the answer). @default false' },
    },
    additionalProperties: false,
  },
} as const satisfies Record<string, JsonSchema>;
