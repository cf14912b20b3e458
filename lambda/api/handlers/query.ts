// The query function's operations: reads of collections, ids and items, and top-k search.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { NotFoundError, ValidationError } from '../../core/errors';
import { DEFAULT_LIST_LIMIT, DEFAULT_TOP_K, MAX_RESPONSE_BYTES } from '../../core/limits';
import { ApiDeps, depsFromEnv, lazy } from '../deps';
import { ApiHandler, createApiHandler, Operations } from '../dispatch';
import { presentCollection, presentMatch } from '../present';
import { withApiFieldNames } from '../validate';

/** The query function: reads (collections, ids, items) and top-k search. */

/** The operations of the query function, each named by the `operationId` of its route (`routes.ts`). */
const operations: Operations<'query'> = {
  async listCollections(req) {
    return { body: (await req.deps.store.listCollections(req.params.projectId)).map(presentCollection) };
  },

  async getCollection(req) {
    return { body: presentCollection(await req.deps.store.getCollection(req.params.projectId, req.params.collectionId)) };
  },

  async listItems(req) {
    const page = await req.deps.store.listIds(req.params.projectId, req.params.collectionId, {
      limit: (req.query.limit as number | undefined) ?? DEFAULT_LIST_LIMIT,
      cursor: req.query.cursor as string | undefined,
    });
    return { body: page.cursor ? { ids: page.ids, cursor: page.cursor } : { ids: page.ids } };
  },

  async getItem(req) {
    const { projectId, collectionId, itemId } = req.params;
    const [found] = await req.deps.store.getVectors(projectId, collectionId, [itemId]);
    if (!found) throw new NotFoundError(`item ${itemId} not found in collection ${collectionId}`);
    return { body: { id: found.id, vector: found.vector, metadata: found.metadata } };
  },

  async search(req) {
    const b = req.body as {
      query: number[];
      limit?: number;
      filter?: Record<string, unknown>;
      include_vector?: boolean;
      include_metadata?: boolean;
      probes?: number;
      rerank?: number;
    };
    const request = {
      vector: b.query,
      topK: b.limit ?? DEFAULT_TOP_K,
      filter: b.filter,
      includeVector: b.include_vector ?? true,
      includeMetadata: b.include_metadata ?? false,
      probes: b.probes,
      rerank: b.rerank,
    };
    const result = await withApiFieldNames(
      () => req.deps.store.query(req.params.projectId, req.params.collectionId, request),
      (field) => field.replace(/^vector\b/, 'query'), // the store's `vector` is the body's `query`
    );
    const body = result.matches.map(presentMatch);
    checkResponseSize(body, request.topK, request.includeVector);
    return { body, headers: { 'X-Whiplash-Stats': JSON.stringify(result.stats) } };
  },
};

/**
 * Refuses a search whose answer would not fit Lambda's response payload limit (AWS would answer
 * 502 and clients would retry it): a 400 naming the limit and a request that would fit.
 * The Lambda response holds the body as an escaped JSON string, so quotes count twice.
 * @throws ValidationError on `limit`
 */
function checkResponseSize(body: unknown[], topK: number, includeVector: boolean): void {
  const json = JSON.stringify(body);
  const bytes = Buffer.byteLength(json) + (json.match(/"/g)?.length ?? 0) + RESPONSE_ENVELOPE_BYTES;
  if (bytes <= MAX_RESPONSE_BYTES) return;
  const fits = Math.max(1, Math.floor((topK * (MAX_RESPONSE_BYTES - RESPONSE_ENVELOPE_BYTES)) / bytes));
  throw new ValidationError(
    'limit',
    `gives a response of ${bytes} bytes, above Lambda's response limit of ${MAX_RESPONSE_BYTES} bytes: ask for at most ${fits} results${includeVector ? ', or set include_vector: false' : ''}`,
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
