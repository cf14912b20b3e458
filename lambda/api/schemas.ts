/**
 * JSON Schemas (draft 2020-12 subset that ajv and OpenAPI 3.1 share) of the request bodies and
 * query strings, one per route that takes input. The handlers validate against them with ajv, and
 * the OpenAPI document embeds them, so the two never disagree.
 *
 * Limits and their sources:
 * - dimension 1..4096 and top-k 1..1000: the store's limits (`lambda/core`).
 * - 500 vectors per batch: the store's `upsert` limit; 10 MB per body: API Gateway's payload limit.
 * - name patterns: URL-safe, so that a name is also a path segment.
 */

/** Largest request body API Gateway accepts (10 MB), in bytes. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Most vectors in one `items/batch` request (the store's `upsert` limit). */
export const MAX_BATCH = 500;
/** Largest vector dimension. */
export const MAX_DIMENSION = 4096;
/** Largest top-k (`limit`) of a search. */
export const MAX_LIMIT = 1000;
/** Default top-k of a search, as in the original whiplash client. */
export const DEFAULT_LIMIT = 10;
/** Largest page of ids that `GET .../items` returns. */
export const MAX_PAGE = 1000;
/** Default page size of `GET .../items`. */
export const DEFAULT_PAGE = 100;

/** Project ids: `^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`. */
export const PROJECT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
/** Collection names: `^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`. */
export const COLLECTION_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';

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
    id: { type: 'string', minLength: 1, maxLength: 512, description: 'Vector id, unique in the collection' },
    vector,
    metadata,
  },
  required: ['id', 'vector'],
  additionalProperties: false,
};

const indexParams: JsonSchema = {
  type: 'object',
  description: 'Overrides of the LSH index defaults (bounds are checked by the core)',
  properties: {
    hashTables: { type: 'integer', description: 'Number of hash tables (L)' },
    partitionBits: { type: 'integer', description: 'Leading code bits in the bucket partition key' },
    bucketSize: { type: 'integer', description: 'Vectors per bucket; absent: the query planner chooses the bucket depth from the data profile' },
    probes: { type: 'integer', description: 'Extra buckets probed per table (multi-probe); absent: chosen by the query planner' },
    recallTarget: { type: 'number', description: 'Share of the 10 nearest neighbours the query planner aims to find, 0.5 to 0.999 (default 0.95)' },
    sketchBits: { type: 'integer', description: 'Bits of the sketch used to rank candidates (default 512, or twice the dimension rounded up to a multiple of 8 when smaller)' },
    rerank: { type: 'integer', description: 'The most candidates re-ranked exactly (a query fetches only those whose sketch distance bound can reach its top-k)' },
  },
  additionalProperties: false,
};

/** Request body schemas, by operationId. */
export const BODY_SCHEMAS = {
  createProject: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 128, description: 'Display name; also the project id when `projectId` is absent' },
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
      seed: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'Hyperplane seed (uint32). @default random' },
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
      vectors: { type: 'array', items: item, maxItems: MAX_BATCH, description: `Up to ${MAX_BATCH} vectors` },
    },
    required: ['vectors'],
    additionalProperties: false,
  },
  search: {
    type: 'object',
    properties: {
      query: { ...vector, description: 'The query vector' },
      limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, description: `Top-k. @default ${DEFAULT_LIMIT}` },
      filter: { type: 'object', description: 'Metadata filter ($eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $and, $or)' },
      include_vector: { type: 'boolean', description: 'Return each match\'s vector. @default true (as the original whiplash)' },
      include_metadata: { type: 'boolean', description: 'Return each match\'s metadata. @default false' },
      probes: { type: 'integer', minimum: 0, description: 'Override of the collection\'s multi-probe count for this query' },
      rerank: { type: 'integer', minimum: 1, description: 'Override of the collection\'s re-rank cap for this query' },
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
      limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, description: `Page size. @default ${DEFAULT_PAGE}` },
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
