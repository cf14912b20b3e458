// WhiplashStore: the one object the handlers, the SDK's direct client and the local server hold.
// A facade over the stores of projects, collections, items and searches, which do the work.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NotFoundError } from '../core/errors';
import { CollectionInfo, Filter, IdPage, Project, QueryRequest, QueryResult, StoredVector, VectorInput } from '../core/types';
import { CreateCollectionInput, entryLayout, StaleCollectionError } from './collection-state';
import { CollectionStore } from './collections';
import { FilterDeletePage, ItemEdits, MetadataUpdate } from './item-edits';
import { ItemPage, ItemStore, ListPageOptions } from './items';
import { ApiKeyBinding, ProjectStore } from './projects';
import { purgeDropped } from './purge';
import { RepairReport, repairCollection } from './repair';
import { TableNames } from './table-definitions';
import { SearchRunner } from './search-runner';

export type { ApiKeyBinding, CreateCollectionInput, FilterDeletePage, ItemPage, ListPageOptions, MetadataUpdate, RepairReport };

/** How a {@link WhiplashStore} reaches DynamoDB. */
export interface StoreOptions {
  readonly client: DynamoDBClient;
  readonly tables: TableNames;
}

/**
 * The DynamoDB layout of Whiplash, and the only code that calls DynamoDB.
 *
 * Writes: a vector item (float32 bytes, metadata, its hash codes) plus one bucket entry per hash
 * table (code suffix, packed sketch, metadata copy) and one filter index entry per metadata value
 * (`filter-index.ts`). Upserting an existing id deletes its bucket
 * entries whose keys changed; a search re-ranks with the vector item, so a bucket entry can never
 * put a stale vector or a deleted id into results. A collection in k-means lists (bucket layout 3,
 * `list-layout.ts`) has one entry per vector instead, in its nearest list, and its queries read
 * the nprobe lists nearest the query.
 *
 * Queries: round trip 1 reads the probed buckets of every hash table in parallel (and, for a
 * filter, the filter index entries of its values); the candidates are ranked by sketch; round
 * trip 2 fetches the best `rerank` vectors, or every vector a selective filter's index entries
 * name (and the collection's counter, which proves the collection still exists) with
 * BatchGetItem, and ranks exactly.
 * The collection's config is cached per instance; a cold cache adds one GetItem round trip.
 *
 * @throws ValidationError (bad input; nothing written), NotFoundError, ConflictError,
 *   ServiceUnavailableError (DynamoDB kept throttling after every retry)
 */
export class WhiplashStore {
  private readonly client: DynamoDBClient;
  private readonly tables: TableNames;
  private readonly projects: ProjectStore;
  private readonly collections: CollectionStore;
  private readonly items: ItemStore;
  private readonly searches: SearchRunner;
  private readonly edits: ItemEdits;

  constructor(options: StoreOptions) {
    this.client = options.client;
    this.tables = options.tables;
    this.projects = new ProjectStore(this.client, this.tables);
    this.collections = new CollectionStore(this.client, this.tables);
    this.items = new ItemStore(this.client, this.tables, this.collections);
    this.searches = new SearchRunner(this.client, this.tables, this.collections);
    this.edits = new ItemEdits(this.client, this.tables, this.collections, this.items);
  }

  /** @throws ConflictError when the project exists; ValidationError for a bad id */
  createProject(input: { projectId: string; name?: string; tier?: string }): Promise<Project> {
    return this.projects.create(input);
  }

  /** @throws NotFoundError */
  getProject(projectId: string): Promise<Project> {
    return this.projects.get(projectId);
  }

  listProjects(): Promise<Project[]> {
    return this.projects.list();
  }

  /** Records the project's usage plan tier. @throws NotFoundError */
  setProjectTier(projectId: string, tier: string): Promise<Project> {
    return this.projects.setTier(projectId, tier);
  }

  /** Deletes the project, drops its collections and unbinds its API keys. @throws NotFoundError */
  async deleteProject(projectId: string): Promise<void> {
    await this.projects.get(projectId);
    for (const c of await this.collections.list(projectId)) await this.collections.drop(projectId, c.name);
    for (const k of await this.projects.listApiKeys(projectId)) await this.projects.unbindApiKey(k.apiKeyId);
    await this.projects.deleteItems(projectId);
  }

  /** Binds an API key (by id) to a project. @throws NotFoundError for an unknown project */
  bindApiKey(input: { apiKeyId: string; projectId: string }): Promise<ApiKeyBinding> {
    return this.projects.bindApiKey(input);
  }

  /** The project an API key is bound to, if any. */
  findApiKey(apiKeyId: string): Promise<ApiKeyBinding | undefined> {
    return this.projects.findApiKey(apiKeyId);
  }

  listApiKeys(projectId: string): Promise<ApiKeyBinding[]> {
    return this.projects.listApiKeys(projectId);
  }

  unbindApiKey(apiKeyId: string): Promise<void> {
    return this.projects.unbindApiKey(apiKeyId);
  }

  /**
   * Creates a collection.
   * @throws ValidationError (name, dimension, metric, index, seed), NotFoundError (project),
   *   ConflictError (a collection of that name exists)
   */
  createCollection(projectId: string, input: CreateCollectionInput): Promise<CollectionInfo> {
    return this.collections.create(projectId, input, () => this.projects.get(projectId));
  }

  /** @throws NotFoundError */
  getCollection(projectId: string, name: string): Promise<CollectionInfo> {
    return this.collections.get(projectId, name);
  }

  listCollections(projectId: string): Promise<CollectionInfo[]> {
    return this.collections.list(projectId);
  }

  /**
   * Drops a collection at once: its name is free again and nothing of it can surface in later
   * results. Its items are deleted later by {@link purgeDropped}.
   * @throws NotFoundError
   */
  deleteCollection(projectId: string, name: string): Promise<void> {
    return this.collections.drop(projectId, name);
  }

  /**
   * Deletes the items of dropped collections, at most about `maxItems` per call.
   * @returns how many items were deleted and whether any dropped collection has items left
   */
  purgeDropped(opts: { maxItems?: number } = {}): Promise<{ purged: number; remaining: boolean }> {
    return purgeDropped(this.client, this.tables, opts);
  }

  /**
   * Repairs a collection damaged by failed requests: finishes their cleanups, removes orphaned
   * bucket entries, restores missing ones and recounts its vectors (`repair.ts`). Writes to it should pause meanwhile.
   * @throws NotFoundError
   */
  repairCollection(projectId: string, name: string): Promise<RepairReport> {
    return current(async () => {
      const state = await this.collections.load(projectId, name, true);
      const report = await repairCollection(this.client, this.tables, entryLayout(state), state.hasher);
      await this.collections.setCount(state, report.vectorCount);
      return report;
    });
  }

  /** Inserts or replaces up to `MAX_UPSERT_BATCH` vectors (`ItemStore.upsert`). */
  upsert(projectId: string, name: string, vectors: readonly VectorInput[]): Promise<{ upserted: number }> {
    return current(() => this.items.upsert(projectId, name, vectors));
  }

  /** The stored vectors of `ids`; unknown ids are left out (`ItemStore.get`). */
  getVectors(projectId: string, name: string, ids: readonly string[], opts: { payloads?: boolean } = {}): Promise<StoredVector[]> {
    return current(() => this.items.get(projectId, name, ids, opts));
  }

  /**
   * Deletes vectors and their bucket entries (`ItemStore.delete`).
   * @returns how many were deleted, and the ids that had no vector
   */
  deleteVectors(projectId: string, name: string, ids: readonly string[]): Promise<{ deleted: number; notFound: string[] }> {
    return current(() => this.items.delete(projectId, name, ids));
  }

  /** One page of ids, in storage order (`ItemStore.listIds`). */
  listIds(projectId: string, name: string, opts: { limit?: number; cursor?: string; prefix?: string } = {}): Promise<IdPage> {
    return current(() => this.items.listIds(projectId, name, opts));
  }

  /** One page of ids, optionally by prefix and with vectors and metadata (`ItemStore.list`). */
  listItems(projectId: string, name: string, opts: ListPageOptions = {}): Promise<ItemPage> {
    return current(() => this.items.list(projectId, name, opts));
  }

  /** Top-k approximate nearest neighbours, optionally filtered (`SearchRunner.query`). */
  query(projectId: string, name: string, request: QueryRequest): Promise<QueryResult> {
    return current(() => this.searches.query(projectId, name, request));
  }

  /**
   * Top-k nearest neighbours of the stored vector `id` (which is among them, at distance 0 unless
   * a filter leaves it out): reads the vector, then runs {@link query} with it.
   * @throws ValidationError (id and the request's other fields), NotFoundError (collection or item)
   */
  async queryById(projectId: string, name: string, id: string, request: Omit<QueryRequest, 'vector'>): Promise<QueryResult> {
    const [found] = await this.getVectors(projectId, name, [id], { payloads: false });
    if (!found) throw new NotFoundError(`item ${id} not found in collection ${name}`);
    return this.query(projectId, name, { ...request, vector: found.vector });
  }

  /** Replaces or merges one vector's metadata and keeps its vector (`ItemEdits.updateMetadata`). */
  updateMetadata(projectId: string, name: string, id: string, update: MetadataUpdate): Promise<StoredVector> {
    return current(() => this.edits.updateMetadata(projectId, name, id, update));
  }

  /** Deletes vectors whose metadata matches `filter`, a bounded number per call (`ItemEdits.deleteByFilter`). */
  deleteByFilter(projectId: string, name: string, filter: Filter, cursor?: string): Promise<FilterDeletePage> {
    return current(() => this.edits.deleteByFilter(projectId, name, filter, cursor));
  }
}

/**
 * Runs a collection operation; when this instance's cached collection turned out dropped or
 * re-created, runs it once more against the collection read afresh. What the first attempt wrote
 * was taken back, so the answer is the second attempt's: for the new collection, or 404.
 */
async function current<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (!(err instanceof StaleCollectionError)) throw err;
  }
  try {
    return await op();
  } catch (err) {
    if (err instanceof StaleCollectionError) throw new NotFoundError(`${err.message} during the request`);
    throw err;
  }
}
