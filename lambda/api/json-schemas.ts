// The JSON Schemas of every route's request body, query string and response, built from the limits of `limits.ts`.
/**
 * JSON Schemas (draft 2020-12 subset that ajv and OpenAPI 3.1 share) of the request bodies, query
 * strings and responses, one per route. The handlers validate input against them with ajv, and the
 * OpenAPI document and the API Gateway request models embed them, so they never disagree.
 *
 * Every bound, pattern and default comes from `lambda/core/limits.ts`, whose constants the core's
 * checks use too (`test/core/limits.test.ts` holds the two together). The core still checks what a
 * schema does not say: an id's UTF-8 bytes and characters, a vector's length against its
 * collection's dimension, metadata keys and size, a sketch length that is a multiple of 8.
 */
import {
  COLLECTION_NAME_PATTERN,
  DEFAULT_LIST_LIMIT,
  DEFAULT_TOP_K,
  INDEX_PARAM_BOUNDS,
  MAX_DIMENSION,
  MAX_ID_BYTES,
  MAX_LIST_LIMIT,
  MAX_PROJECT_NAME_LENGTH,
  MAX_TOP_K,
  MAX_UPSERT_BATCH,
  PROJECT_ID_PATTERN,
  RECALL_TARGET_BOUNDS,
  SEED_BOUNDS,
} from '../core/limits';

export type JsonSchema = Record<string, unknown>;

const vector: JsonSchema = {
  type: 'array',
  items: { type: 'number' },
  minItems: 1,
  maxItems: MAX_DIMENSION,
  description: `The vector's components (1 to ${MAX_DIMENSION} finite numbers; as many as the collection's dimension)`,
};

const metadata: JsonSchema = {
  type: 'object',
  description: 'Metadata: strings, finite numbers, booleans and lists of strings',
  additionalProperties: {
    anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: { type: 'string' } }],
  },
};

const item: JsonSchema = {
  type: 'object',
  properties: {
    id: {
      type: 'string',
      minLength: 1,
      // JSON Schema counts characters, the store UTF-8 bytes: an id within MAX_ID_BYTES bytes has at most as many characters.
      maxLength: MAX_ID_BYTES,
      description: `Vector id, unique in the collection: at most ${MAX_ID_BYTES} bytes in UTF-8. The schema can only bound its characters (${MAX_ID_BYTES}); the store checks the bytes.`,
    },
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

const indexParams: JsonSchema = {
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
    sketchBits: boundedInt(INDEX_PARAM_BOUNDS.sketchBits, 'Bits of the sketch used to rank candidates, a multiple of 8 (default 512, or twice the dimension rounded up to a multiple of 8 when smaller)'),
    rerank: boundedInt(INDEX_PARAM_BOUNDS.rerank, 'The most candidates re-ranked exactly (a query fetches only those whose sketch distance bound can reach its top-k)'),
  },
  additionalProperties: false,
};

/** Request body schemas, by operationId. */
export const BODY_SCHEMAS = {
  createProject: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: MAX_PROJECT_NAME_LENGTH, description: 'Display name; also the project id when `projectId` is absent' },
      projectId: { type: 'string', pattern: PROJECT_ID_PATTERN, description: 'Project id used in paths. @default `name`' },
    },
    required: ['name'],
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
      seed: { type: 'integer', minimum: SEED_BOUNDS[0], maximum: SEED_BOUNDS[1], description: 'Hyperplane seed (uint32). @default random' },
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
  search: {
    type: 'object',
    properties: {
      query: { ...vector, description: 'The query vector' },
      limit: { type: 'integer', minimum: 1, maximum: MAX_TOP_K, description: `Top-k. @default ${DEFAULT_TOP_K}` },
      filter: { type: 'object', description: 'Metadata filter ($eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $and, $or)' },
      include_vector: { type: 'boolean', description: 'Return each match\'s vector. @default true (as the original whiplash)' },
      include_metadata: { type: 'boolean', description: 'Return each match\'s metadata. @default false' },
      probes: boundedInt(INDEX_PARAM_BOUNDS.probes, 'Override of the collection\'s multi-probe count for this query'),
      rerank: boundedInt(INDEX_PARAM_BOUNDS.rerank, 'Override of the collection\'s re-rank cap for this query'),
    },
    required: ['query'],
    additionalProperties: false,
  },
} as const satisfies Record<string, JsonSchema>;

/** Query string schemas, by operationId. Values arrive as strings and are coerced. */
export const QUERY_SCHEMAS = {
  listItems: {
    type: 'object',
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT, description: `Page size. @default ${DEFAULT_LIST_LIMIT}` },
      cursor: { type: 'string', minLength: 1, description: 'Cursor from the previous page' },
    },
    additionalProperties: false,
  },
} as const satisfies Record<string, JsonSchema>;

/** Response schemas for the OpenAPI document, by operationId. */
const project: JsonSchema = {
  type: 'object',
  properties: { projectId: { type: 'string' }, name: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' } },
};
const collection: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    projectId: { type: 'string' },
    dimension: { type: 'integer' },
    n_features: { type: 'integer', description: 'Same as `dimension` (original whiplash)' },
    metric: { enum: ['cosine', 'euclidean', 'dot'] },
    index: indexParams,
    vectorCount: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};
const stored: JsonSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, vector: { type: 'array', items: { type: 'number' } }, metadata },
};
export const RESPONSE_SCHEMAS: Record<string, JsonSchema> = {
  createProject: {
    ...project,
    properties: {
      ...(project.properties as object),
      apiKey: { type: 'string', description: 'The project\'s API key (shown once; send it as `x-api-key`)' },
      apiKeyId: { type: 'string' },
    },
  },
  listProjects: { type: 'array', items: project },
  getProject: project,
  deleteProject: { type: 'object', properties: { deleted: { type: 'string' } } },
  createCollection: collection,
  listCollections: { type: 'array', items: collection },
  getCollection: collection,
  deleteCollection: { type: 'object', properties: { deleted: { type: 'string' } } },
  repairCollection: {
    type: 'object',
    properties: {
      vectorCount: { type: 'integer', description: 'Live vectors counted; the collection\'s count is set to it' },
      settled: { type: 'integer', description: 'Replaces that had failed part way, finished' },
      finishedDeletes: { type: 'integer', description: 'Deletes that had failed part way, finished' },
      orphansRemoved: { type: 'integer', description: 'Bucket entries no live vector produces, removed' },
    },
  },
  upsertItem: { type: 'object', properties: { upserted: { type: 'integer' } } },
  upsertBatch: { type: 'object', properties: { upserted: { type: 'integer' } } },
  listItems: { type: 'object', properties: { ids: { type: 'array', items: { type: 'string' } }, cursor: { type: 'string' } } },
  getItem: stored,
  deleteItem: { type: 'object', properties: { deleted: { type: 'string' } } },
  search: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        dist: { type: 'number', description: 'Distance (1 - cos, L2 or -dot): smaller is closer' },
        score: { type: 'number', description: 'Similarity (cos, -L2 or dot): larger is closer' },
        vector: { type: 'array', items: { type: 'number' } },
        metadata,
      },
    },
  },
};

/** The error body every non-2xx response carries. */
export const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    message: { type: 'string', description: 'Present on 403 and 429, as API Gateway answers them' },
    error: {
      type: 'object',
      properties: {
        status: { type: 'integer' },
        message: { type: 'string' },
        code: { type: 'string' },
        field: { type: 'string', description: 'The offending field (400 only)' },
        rule: { type: 'string', description: 'The rule it breaks (400 only)' },
        requestId: { type: 'string' },
      },
      required: ['status', 'message', 'code'],
    },
  },
  required: ['error'],
};
