// `WhiplashDirectClient`: the SDK's collection interface running the store straight on DynamoDB, without the HTTP API.
import { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { WhiplashDomainError, ValidationError } from '../../lambda/core/errors';
import type { CollectionInfo } from '../../lambda/core/types';
import { storeClient } from '../../lambda/store/store-client';
import { TableNames, tableNamesFromEnv } from '../../lambda/store/table-definitions';
import { WhiplashStore } from '../../lambda/store/store';
import { CollectionClient, ItemOperations } from './collection';
import { WhiplashError } from './errors';
import type { CollectionHandle, CollectionsApi, CreateCollectionRequest, RepairReport, SearchRequest } from './types';

/** Options of {@link WhiplashDirectClient}. */
export interface WhiplashDirectClientOptions {
  /**
   * Physical names of the three tables (the construct exposes them).
   * @default read from `WHIPLASH_METADATA_TABLE`, `WHIPLASH_VECTORS_TABLE`, `WHIPLASH_BUCKETS_TABLE`
   */
  readonly tables?: TableNames;
  /**
   * The DynamoDB client to use.
   * @default a new `DynamoDBClient(clientConfig)` (region and credentials from the environment),
   *   without the SDK's logger middleware unless `clientConfig` names a `logger` (`storeClient`)
   */
  readonly client?: DynamoDBClient;
  /** Configuration of the default client, e.g. `{ endpoint }` for DynamoDB Local. Ignored when `client` is given. */
  readonly clientConfig?: DynamoDBClientConfig;
}

/** Runs a store call and turns domain errors into {@link WhiplashError}s, as the HTTP API would. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WhiplashDomainError) {
      throw new WhiplashError({
        status: err.status,
        code: err.code,
        message: err.message,
        field: err instanceof ValidationError ? err.field : undefined,
        rule: err instanceof ValidationError ? err.rule : undefined,
        retryAfterSeconds: (err as { retryAfterSeconds?: number }).retryAfterSeconds,
        cause: err,
      });
    }
    throw err;
  }
}

/**
 * Runs the Whiplash core against DynamoDB through the AWS SDK, without API Gateway: for code
 * inside AWS (a Lambda function, a container) that was given `grantQuery` / `grantWrite` on the
 * construct. Same collection interface as {@link WhiplashClient}; no projects or API keys (those
 * are the API's business), and no HTTP retries (the store retries DynamoDB throttling itself).
 *
 * ```ts
 * const direct = new WhiplashDirectClient({ tables: { metadata, vectors, buckets } });
 * const top = await direct.collection('my-project', 'docs').search({ vector, topK: 5 });
 * ```
 */
export class WhiplashDirectClient implements CollectionsApi {
  /** The store this client runs on. */
  readonly store: WhiplashStore;
  private readonly ownsClient: boolean;
  private readonly ddb: DynamoDBClient;

  constructor(options: WhiplashDirectClientOptions = {}) {
    this.ownsClient = options.client === undefined;
    this.ddb = options.client ?? storeClient(options.clientConfig ?? {});
    this.store = new WhiplashStore({ client: this.ddb, tables: options.tables ?? tableNamesFromEnv() });
  }

  createCollection(projectId: string, input: CreateCollectionRequest): Promise<CollectionInfo> {
    return call(() => this.store.createCollection(projectId, input));
  }

  getCollection(projectId: string, name: string): Promise<CollectionInfo> {
    return call(() => this.store.getCollection(projectId, name));
  }

  listCollections(projectId: string): Promise<CollectionInfo[]> {
    return call(() => this.store.listCollections(projectId));
  }

  deleteCollection(projectId: string, name: string): Promise<void> {
    return call(() => this.store.deleteCollection(projectId, name));
  }

  repairCollection(projectId: string, name: string): Promise<RepairReport> {
    return call(() => this.store.repairCollection(projectId, name));
  }

  collection(projectId: string, name: string): CollectionHandle {
    const store = this.store;
    const ops: ItemOperations = {
      upsertOne: (item) => call(async () => void (await store.upsert(projectId, name, [item]))),
      upsertChunk: (items) => call(async () => void (await store.upsert(projectId, name, items))),
      get: (id) =>
        call(async () => {
          const [v] = await store.getVectors(projectId, name, [id]);
          if (!v) throw new WhiplashError({ status: 404, code: 'NotFound', message: `item ${id} not found in collection ${name}` });
          return v;
        }),
      getChunk: (ids, o) =>
        call(async () => {
          const found = await store.getVectors(projectId, name, ids, { payloads: o.includeMetadata });
          const byId = new Set(found.map((v) => v.id));
          return {
            vectors: found.map((v) => ({ id: v.id, ...(o.includeVector ? { vector: v.vector } : {}), ...(o.includeMetadata ? { metadata: v.metadata } : {}) })),
            notFound: ids.filter((id) => !byId.has(id)),
          };
        }),
      delete: (id) =>
        call(async () => {
          const { notFound } = await store.deleteVectors(projectId, name, [id]);
          if (notFound.length > 0) throw new WhiplashError({ status: 404, code: 'NotFound', message: `item ${id} not found in collection ${name}` });
        }),
      deleteChunk: (ids) => call(() => store.deleteVectors(projectId, name, ids)),
      updateMetadata: (id, metadata, merge) => call(() => store.updateMetadata(projectId, name, id, { metadata, merge })),
      deleteByFilterPage: (filter, cursor) => call(() => store.deleteByFilter(projectId, name, filter, cursor)),
      listIds: (options) => call(() => store.listIds(projectId, name, options)),
      listItems: (options) =>
        call(async () => {
          const page = await store.listItems(projectId, name, options);
          const vectors = page.vectors ?? page.ids.map((id) => ({ id }));
          return page.cursor ? { ids: page.ids, vectors, cursor: page.cursor } : { ids: page.ids, vectors };
        }),
      search: (req: SearchRequest) =>
        call(async () => {
          const rest = { topK: req.topK, filter: req.filter, includeVector: req.includeVector, includeMetadata: req.includeMetadata };
          const r = req.id !== undefined ? await store.queryById(projectId, name, req.id, rest) : await store.query(projectId, name, { ...rest, vector: req.vector! });
          return r.matches;
        }),
    };
    return new CollectionClient(projectId, name, ops);
  }

  /** Releases the DynamoDB client if this client created it. */
  close(): void {
    if (this.ownsClient) this.ddb.destroy();
  }
}
