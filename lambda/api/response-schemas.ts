// The JSON Schemas of every route's success answer and of the error body, for the OpenAPI document.
import { indexMethod, indexParams, JsonSchema, listSize, metadata, metadataConfiguration } from './json-schemas';

/** Response schemas for the OpenAPI document, by operationId. */
const project: JsonSchema = {
  type: 'object',
  properties: {
    projectId: { type: 'string' },
    name: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    tier: { type: 'string', description: "The usage plan tier of the project's keys" },
  },
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
    indexMethod,
    listSize,
    metadataConfiguration,
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
  setProjectTier: project,
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
      orphansRemoved: { type: 'integer', description: 'Bucket and filter index entries no live vector produces, removed' },
      filterIndexed: { type: 'integer', description: 'Vectors written before the filter index, now indexed' },
      entriesRestored: { type: 'integer', description: 'Bucket entries a live vector produces that were missing, written again' },
    },
  },
  upsertItem: { type: 'object', properties: { upserted: { type: 'integer' } } },
  upsertBatch: { type: 'object', properties: { upserted: { type: 'integer' } } },
  listItems: {
    type: 'object',
    properties: {
      ids: { type: 'array', items: { type: 'string' } },
      vectors: { type: 'array', items: stored, description: 'With `include_vector` or `include_metadata`: the listed vectors, in the order of `ids`' },
      cursor: { type: 'string' },
    },
  },
  getItem: stored,
  getItems: {
    type: 'object',
    properties: {
      vectors: { type: 'array', items: stored, description: 'The vectors found, in the order asked for' },
      notFound: { type: 'array', items: { type: 'string' }, description: 'The ids asked for that have no vector' },
    },
  },
  deleteItems: {
    type: 'object',
    properties: {
      deleted: { type: 'integer', description: 'Vectors deleted' },
      notFound: { type: 'array', items: { type: 'string' }, description: 'The ids that had no vector' },
    },
  },
  deleteByFilter: {
    type: 'object',
    properties: {
      deleted: { type: 'array', items: { type: 'string' }, description: 'Ids of the vectors this call deleted' },
      cursor: { type: 'string', description: 'Present while vectors are left to examine: send it with the same filter to go on' },
    },
  },
  updateItem: stored,
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
