// The write function's operations: upserts of one vector or a batch, and deletes.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { NotFoundError } from '../../core/errors';
import type { VectorInput } from '../../core/types';
import { ApiDeps, depsFromEnv, lazy } from '../deps';
import { ApiHandler, createApiHandler, Operations } from '../dispatch';
import { withApiFieldNames } from '../validate';

/** The write function: upserts (one or a batch of up to `MAX_UPSERT_BATCH`) and deletes of vectors. */

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
    const { deleted } = await req.deps.store.deleteVectors(projectId, collectionId, [itemId]);
    if (deleted === 0) throw new NotFoundError(`item ${itemId} not found in collection ${collectionId}`);
    return { body: { deleted: itemId } };
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
