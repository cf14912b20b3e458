// The query function's operations: reads of collections, ids and items (one or a batch), and top-k search by vector or stored id.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { NotFoundError, ValidationError } from '../../core/errors';
import { DEFAULT_LIST_LIMIT, DEFAULT_TOP_K, MAX_LAMBDA_PAYLOAD_BYTES } from '../../core/limits';
import { ApiDeps, depsFromEnv, lazy } from '../deps';
import { ApiHandler, createApiHandler, Operations } from '../dispatch';
import { float32List } from '../../core/float32-text';
import { presentCollection, presentMatch } from '../present';
import { withApiFieldNames } from '../validate';

/** The query function: reads (collections, ids and items, one or a batch) and top-k search (by a vector or a stored vector's id). */

/** The operations of the query function, each named by the `operationId` of its route (`routes.ts`). */
const operations: Operations<'query'> = {
  async listCollections(req) {
    return { body: (await req.deps.store.listCollections(req.params.projectId)).map(presentCollection) };
  },

  async getCollection(req) {
    return { body: presentCollection(await req.deps.store.getCollection(req.params.projectId, req.params.collectionId)) };
  },

  async listItems(req) {
    const q = req.query as { limit?: number; cursor?: string; prefix?: string; include_vector?: boolean; include_metadata?: boolean };
    const page = await req.deps.store.listItems(req.params.projectId, req.params.collectionId, {
      limit: q.limit ?? DEFAULT_LIST_LIMIT,
      cursor: q.cursor,
      prefix: q.prefix,
      includeVector: q.include_vector === true,
      includeMetadata: q.include_metadata === true,
    });
    const vectors = page.vectors?.map((v) => (v.vector ? { ...v, vector: float32List(v.vector) } : v));
    const body = { ids: page.ids, ...(vectors ? { vectors } : {}), ...(page.cursor ? { cursor: page.cursor } : {}) };
    if (vectors) checkResponseSize(body, 'limit', page.ids.length, q.include_vector === true, 'include_vector=false');
    return { body };
  },

  async getItems(req) {
    const { projectId, collectionId } = req.params;
    const b = req.body as { ids: string[]; include_vector?: boolean; include_metadata?: boolean };
    const includeVector = b.include_vector ?? true;
    const includeMetadata = b.include_metadata ?? true;
    const found = await req.deps.store.getVectors(projectId, collectionId, b.ids, { payloads: includeMetadata });
    const byId = new Set(found.map((v) => v.id));
    const vectors = found.map((v) => ({ id: v.id, ...(includeVector ? { vector: float32List(v.vector) } : {}), ...(includeMetadata ? { metadata: v.metadata } : {}) }));
    const body = { vectors, notFound: [...new Set(b.ids)].filter((id) => !byId.has(id)) };
    checkResponseSize(body, 'ids', b.ids.length, includeVector, 'include_vector: false');
    return { body };
  },

  async getItem(req) {
    const { projectId, collectionId, itemId } = req.params;
    const [found] = await req.deps.store.getVectors(projectId, collectionId, [itemId]);
    if (!found) throw new NotFoundError(`item ${itemId} not found in collection ${collectionId}`);
    return { body: { id: found.id, vector: found.vector, metadata: found.metadata } };
  },

  async search(req) {
    const b = req.body as {
      query?: number[];
      id?: string;
      limit?: number;
      filter?: Record<string, unknown>;
      include_vector?: boolean;
      include_metadata?: boolean;
      probes?: number;
      rerank?: number;
    };
    // exactly one of `query` and `id`: named in the 400, since the schema cannot say which is missing
    if (b.query !== undefined && b.id !== undefined) throw new ValidationError('id', 'must not be sent with query: search by a vector or by a stored vector\'s id, not both');
    if (b.query === undefined && b.id === undefined) throw new ValidationError('query', 'is required (or id: search by a stored vector)');
    const request = {
      topK: b.limit ?? DEFAULT_TOP_K,
      filter: b.filter,
      includeVector: b.include_vector ?? true,
      includeMetadata: b.include_metadata ?? false,
      probes: b.probes,
      rerank: b.rerank,
    };
    const { projectId, collectionId } = req.params;
    const result = await withApiFieldNames(
      () =>
        b.id !== undefined
          ? req.deps.store.queryById(projectId, collectionId, b.id, request)
          : req.deps.store.query(projectId, collectionId, { ...request, vector: b.query! }),
      // the store's `vector` is the body's `query`; its `ids[0]` (the id read first) the body's `id`
      (field) => field.replace(/^vector\b/, 'query').replace(/^ids\[0\]/, 'id'),
    );
    const body = result.matches.map(presentMatch);
    checkResponseSize(body, 'limit', request.topK, request.includeVector, 'include_vector: false');
    return { body, headers: { 'X-Whiplash-Stats': JSON.stringify(result.stats) } };
  },
};

/**
 * Refuses a request whose answer would not fit Lambda's response payload limit (AWS would answer
 * 502 and clients would retry it): a 400 naming the field that sets its size (`limit`, `ids`) and
 * a request that would fit. The Lambda response holds the body as an escaped JSON string, so
 * quotes count twice.
 * @param count how many results the body holds (what `field` asked for)
 * @param dropVectors how to ask for the answer without vectors, when it has them
 * @throws ValidationError on `field`
 */
function checkResponseSize(body: unknown, field: string, count: number, includeVector: boolean, dropVectors: string): void {
  const json = JSON.stringify(body);
  const bytes = Buffer.byteLength(json) + (json.match(/"/g)?.length ?? 0) + RESPONSE_ENVELOPE_BYTES;
  if (bytes <= MAX_LAMBDA_PAYLOAD_BYTES) return;
  const fits = Math.max(1, Math.floor((count * (MAX_LAMBDA_PAYLOAD_BYTES - RESPONSE_ENVELOPE_BYTES)) / bytes));
  throw new ValidationError(
    field,
    `gives a response of ${bytes} bytes, above Lambda's response limit of ${MAX_LAMBDA_PAYLOAD_BYTES} bytes: ask for at most ${fits} results${includeVector ? `, or set ${dropVectors}` : ''}`,
  );
}

/** Bytes of a search response besides its body: status, headers (the stats) and the proxy result's JSON. */
const RESPONSE_ENVELOPE_BYTES = 4096;

/** Builds the query handler with the given dependencies. */
export function createQueryHandler(deps: ApiDeps | (() => ApiDeps)): ApiHandler {
  return createApiHandler('query', operations, deps);
}

/** Lambda entry point of the query function. */
export const handler: (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult> = createQueryHandler(
  lazy(() => depsFromEnv()),
);
