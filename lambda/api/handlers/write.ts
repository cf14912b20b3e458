// The write function's operations: upserts of one vector or a batch, metadata updates, and deletes (by id, a batch or a filter).
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { NotFoundError } from '../../core/errors';
import { float32List } from '../../core/float32-text';
import type { Filter, VectorInput } from '../../core/types';
import { ApiDeps, depsFromEnv, lazy } from '../deps';
import { ApiHandler, createApiHandler, Operations } from '../dispatch';
import { withApiFieldNames } from '../validate';

/** The write function: upserts (one or a batch of up to `MAX_UPSERT_BATCH`), metadata updates, and deletes of vectors (by id, a batch, or a filter). */

/** The operations of the write function, each named by the `operationId` of its route (`routes.ts`). */
const operations: Operations<'write'> = {
  async upsertItem(req) {
    const r = await withApiFieldNames(
      () => req.deps.store.upsert(req.params.projectId, req.params.collectionId, [req.body as VectorInput]),
      (field) => field.replace(/^vectors\[0\]\.?/, '') || 'body',
    );
    return { body: r };
  },

  async upsertBatch(req) {
    const { vectors } = req.body as { vectors: VectorInput[] };
    const r = await req.deps.store.upsert(req.params.projectId, req.params.collectionId, vectors);
    return { body: r };
  },

  async deleteItem(req) {
    const { projectId, collectionId, itemId } = req.params;
    const { notFound } = await req.deps.store.deleteVectors(projectId, collectionId, [itemId]);
    if (notFound.length > 0) throw new NotFoundError(`item ${itemId} not found in collection ${collectionId}`);
    return { body: { deleted: itemId } };
  },

  async deleteItems(req) {
    const { ids } = req.body as { ids: string[] };
    const { deleted, notFound } = await req.deps.store.deleteVectors(req.params.projectId, req.params.collectionId, ids);
    return { body: { deleted, notFound } };
  },

  async deleteByFilter(req) {
    const { filter, cursor } = req.body as { filter: Filter; cursor?: string };
    return { body: await req.deps.store.deleteByFilter(req.params.projectId, req.params.collectionId, filter, cursor) };
  },

  async updateItem(req) {
    const { projectId, collectionId, itemId } = req.params;
    const b = req.body as { metadata: Record<string, unknown>; merge?: boolean };
    const v = await req.deps.store.updateMetadata(projectId, collectionId, itemId, { metadata: b.metadata, merge: b.merge });
    return { body: { id: v.id, vector: float32List(v.vector), metadata: v.metadata } };
  },
};

/** Builds the write handler with the given dependencies. */
export function createWriteHandler(deps: ApiDeps | (() => ApiDeps)): ApiHandler {
  return createApiHandler('write', operations, deps);
}

/** Lambda entry point of the write function. */
export const handler: (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult> = createWriteHandler(
  lazy(() => depsFromEnv()),
);
