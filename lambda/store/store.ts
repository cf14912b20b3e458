import { randomBytes, randomInt } from 'node:crypto';
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  QueryCommandOutput,
  UpdateItemCommand,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../core/concurrency';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { compileFilter, Predicate } from '../core/filter';
import { centreOf, DistanceEstimate, Hasher, packedSketchBytes, packSketch, SketchEstimator, unpackSketch } from '../core/lsh';
import { PlanTable, plansFor, queryShape, QueryShape } from '../core/planner';
import { PROFILE_MAX_SAMPLE, PROFILE_MIN_SAMPLE, profileOf } from '../core/profile';
import { RERANK_CONFIDENCE, selectForRerank } from '../core/rerank';
import { checkMetadata } from '../core/metadata';
import {
  checkCollectionName,
  checkDimension,
  checkId,
  checkMetric,
  checkProjectId,
  checkSeed,
  checkTopK,
  DEFAULT_INDEX_PARAMS,
  INDEX_PARAM_BOUNDS,
  resolveIndexParams,
} from '../core/params';
import { PRNG_VERSION } from '../core/prng';
import {
  CollectionConfig,
  CollectionInfo,
  IdPage,
  IndexParams,
  Metadata,
  Metric,
  Project,
  QueryMatch,
  QueryRequest,
  QueryResult,
  StoredVector,
  VectorInput,
} from '../core/types';
import { bytesToVector, distance, norm, toFloat32, vectorToBytes } from '../core/vector';
import { batchGetAll, batchWriteAll, CapacityMeter, Item } from './batch';
import { BucketRead, bucketEntryItem, bucketReadPlan, counterItem, itemSize, vectorItem } from './layout';
import {
  allPartitions,
  apiKeyKey,
  bucketPartition,
  bucketSortKey,
  collectionKey,
  counterKey,
  droppedKey,
  idFromBucketSortKey,
  projectApiKeyKey,
  projectKey,
  projectRegistryKey,
  VECTOR_SHARDS,
  vectorKey,
  vectorPartition,
} from './keys';
import { TableNames } from './schema';

/** How a {@link WhiplashStore} reaches DynamoDB. */
export interface StoreOptions {
  readonly client: DynamoDBClient;
  readonly tables: TableNames;
}

/** Input of {@link WhiplashStore.createCollection}. */
export interface CreateCollectionInput {
  /** `^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$` */
  readonly name: string;
  /** 1 to 4096 */
  readonly dimension: number;
  /** @default 'cosine' */
  readonly metric?: Metric;
  /** Overrides of the index defaults (`DEFAULT_INDEX_PARAMS`). */
  readonly index?: Partial<IndexParams>;
  /** Hyperplane seed (uint32). @default random */
  readonly seed?: number;
}

/** An API key's binding to a project. Holds the key's id, never its value. */
export interface ApiKeyBinding {
  readonly apiKeyId: string;
  readonly projectId: string;
  /** ISO 8601 */
  readonly createdAt: string;
}

/** Most vectors one upsert call takes. */
export const MAX_BATCH = 500;
/** Most ids one get or delete call takes. */
export const MAX_IDS = 1000;
/** Largest page of ids `listIds` returns. @default 100 */
export const MAX_LIST_LIMIT = 1000;

/** A collection as the store holds it in memory: config, hasher, query plans, last known size. */
interface CollectionState {
  readonly config: CollectionConfig;
  readonly hasher?: Hasher;
  readonly plans?: PlanTable;
  count: number;
}

const S = (s: string): AttributeValue => ({ S: s });
const keyItem = (k: { pk: string; sk: string }): Item => ({ pk: S(k.pk), sk: S(k.sk) });

/**
 * The DynamoDB layout of Whiplash, and the only code that calls DynamoDB.
 *
 * Writes: a vector item (float32 bytes, metadata, its hash codes) plus one bucket entry per hash
 * table (code suffix, packed sketch, metadata copy). Upserting an existing id deletes its bucket
 * entries whose keys changed; a search re-ranks with the vector item, so a bucket entry can never
 * put a stale vector or a deleted id into results.
 *
 * Queries: round trip 1 reads the probed buckets of every hash table in parallel; the candidates
 * are ranked by sketch; round trip 2 fetches the best `rerank` vectors (and the collection's
 * counter, which proves the collection still exists) with BatchGetItem, and re-ranks exactly.
 * The collection's config is cached per process; a cold cache adds one GetItem round trip.
 *
 * @throws ValidationError (bad input; nothing written), NotFoundError, ConflictError,
 *   ServiceUnavailableError (DynamoDB kept throttling after every retry)
 */
export class WhiplashStore {
  private readonly client: DynamoDBClient;
  private readonly tables: TableNames;
  private readonly cache = new Map<string, CollectionState>();

  constructor(options: StoreOptions) {
    this.client = options.client;
    this.tables = options.tables;
  }

  // ---------------------------------------------------------------- projects

  /** @throws ConflictError when the project exists; ValidationError for a bad id */
  async createProject(input: { projectId: string; name?: string }): Promise<Project> {
    const projectId = checkProjectId(input.projectId);
    if (input.name !== undefined && (typeof input.name !== 'string' || input.name.length > 256)) {
      throw new ValidationError('name', 'must be a string of at most 256 characters');
    }
    const project: Project = { projectId, name: input.name ?? projectId, createdAt: new Date().toISOString() };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tables.metadata,
          Item: { ...keyItem(projectKey(projectId)), name: S(project.name), createdAt: S(project.createdAt) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new ConflictError(`project ${projectId} exists already`);
      throw err;
    }
    await this.client.send(new PutItemCommand({ TableName: this.tables.metadata, Item: keyItem(projectRegistryKey(projectId)) }));
    return project;
  }

  /** @throws NotFoundError */
  async getProject(projectId: string): Promise<Project> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tables.metadata, Key: keyItem(projectKey(projectId)), ConsistentRead: true }));
    if (!out.Item) throw new NotFoundError(`project ${projectId} not found`);
    return { projectId, name: out.Item.name.S!, createdAt: out.Item.createdAt.S! };
  }

  async listProjects(): Promise<Project[]> {
    const ids = (await this.queryAll(this.tables.metadata, 'PROJECTS')).map((i) => i.sk.S!);
    const found = await batchGetAll(this.client, ids.map((id) => ({ table: this.tables.metadata, key: keyItem(projectKey(id)) })));
    return (found[this.tables.metadata] ?? [])
      .map((i) => ({ projectId: i.pk.S!.slice(2), name: i.name.S!, createdAt: i.createdAt.S! }))
      .sort((a, b) => a.projectId.localeCompare(b.projectId));
  }

  /** Deletes the project, drops its collections and unbinds its API keys. @throws NotFoundError */
  async deleteProject(projectId: string): Promise<void> {
    await this.getProject(projectId);
    for (const c of await this.listCollections(projectId)) await this.deleteCollection(projectId, c.name);
    for (const k of await this.listApiKeys(projectId)) await this.unbindApiKey(k.apiKeyId);
    await this.client.send(new DeleteItemCommand({ TableName: this.tables.metadata, Key: keyItem(projectKey(projectId)) }));
    await this.client.send(new DeleteItemCommand({ TableName: this.tables.metadata, Key: keyItem(projectRegistryKey(projectId)) }));
  }

  // ---------------------------------------------------------------- API keys

  /** Binds an API key (by id) to a project. @throws NotFoundError for an unknown project */
  async bindApiKey(input: { apiKeyId: string; projectId: string }): Promise<ApiKeyBinding> {
    await this.getProject(input.projectId);
    const binding: ApiKeyBinding = { ...input, createdAt: new Date().toISOString() };
    const attrs = { apiKeyId: S(binding.apiKeyId), projectId: S(binding.projectId), createdAt: S(binding.createdAt) };
    await batchWriteAll(this.client, [
      { table: this.tables.metadata, request: { PutRequest: { Item: { ...keyItem(apiKeyKey(input.apiKeyId)), ...attrs } } } },
      { table: this.tables.metadata, request: { PutRequest: { Item: { ...keyItem(projectApiKeyKey(input.projectId, input.apiKeyId)), ...attrs } } } },
    ]);
    return binding;
  }

  /** The project an API key is bound to, if any. */
  async findApiKey(apiKeyId: string): Promise<ApiKeyBinding | undefined> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tables.metadata, Key: keyItem(apiKeyKey(apiKeyId)) }));
    return out.Item ? toBinding(out.Item) : undefined;
  }

  async listApiKeys(projectId: string): Promise<ApiKeyBinding[]> {
    return (await this.queryAll(this.tables.metadata, `P#${projectId}`, 'K#')).map(toBinding);
  }

  async unbindApiKey(apiKeyId: string): Promise<void> {
    const binding = await this.findApiKey(apiKeyId);
    if (!binding) return;
    await batchWriteAll(this.client, [
      { table: this.tables.metadata, request: { DeleteRequest: { Key: keyItem(apiKeyKey(apiKeyId)) } } },
      { table: this.tables.metadata, request: { DeleteRequest: { Key: keyItem(projectApiKeyKey(binding.projectId, apiKeyId)) } } },
    ]);
  }

  // ---------------------------------------------------------------- collections

  /**
   * Creates a collection.
   * @throws ValidationError (name, dimension, metric, index, seed), NotFoundError (project),
   *   ConflictError (a collection of that name exists)
   */
  async createCollection(projectId: string, input: CreateCollectionInput): Promise<CollectionInfo> {
    if (typeof input !== 'object' || input === null) throw new ValidationError('body', 'must be an object');
    const name = checkCollectionName(input.name);
    const dimension = checkDimension(input.dimension);
    const metric = checkMetric(input.metric);
    const index = resolveIndexParams(input.index, 'index', dimension);
    const seed = checkSeed(input.seed) ?? randomInt(0, 0xffffffff);
    await this.getProject(projectId);
    const config: CollectionConfig = {
      projectId,
      name,
      uid: randomBytes(6).toString('base64url'), // 8 characters: see keys.ts
      dimension,
      metric,
      index,
      seed,
      prngVersion: PRNG_VERSION,
      createdAt: new Date().toISOString(),
    };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tables.metadata,
          Item: { ...keyItem(collectionKey(projectId, name)), ...configToItem(config) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new ConflictError(`collection ${name} exists already in project ${projectId}`);
      throw err;
    }
    await this.client.send(
      new PutItemCommand({ TableName: this.tables.metadata, Item: counterItem(projectId, name, config.uid, 0) }),
    );
    const state: CollectionState = { config, count: 0 };
    this.cache.set(cacheKey(projectId, name), state);
    return info(state);
  }

  /** @throws NotFoundError */
  async getCollection(projectId: string, name: string): Promise<CollectionInfo> {
    return info(await this.loadState(projectId, name, true));
  }

  async listCollections(projectId: string): Promise<CollectionInfo[]> {
    const items = await this.queryAll(this.tables.metadata, `P#${projectId}`);
    const counts = new Map(items.filter((i) => i.sk.S!.startsWith('N#')).map((i) => [`${i.sk.S!.slice(2)}/${i.uid.S}`, Number(i.n.N)]));
    return items
      .filter((i) => i.sk.S!.startsWith('C#'))
      .map((i) => {
        const config = itemToConfig(projectId, i);
        return info({ config, plans: itemPlans(i), count: counts.get(`${config.name}/${config.uid}`) ?? 0 });
      });
  }

  /**
   * Drops a collection at once: its name is free again and nothing of it can surface in later
   * results (a re-created collection gets a new uid, so new keys). Its items are deleted later
   * by {@link purgeDropped}.
   * @throws NotFoundError
   */
  async deleteCollection(projectId: string, name: string): Promise<void> {
    const { config } = await this.loadState(projectId, name, true);
    await this.client.send(
      new PutItemCommand({
        TableName: this.tables.metadata,
        Item: {
          ...keyItem(droppedKey(config.uid)),
          hashTables: { N: String(config.index.hashTables) },
          partitionBits: { N: String(config.index.partitionBits) },
        },
      }),
    );
    await this.client.send(new DeleteItemCommand({ TableName: this.tables.metadata, Key: keyItem(collectionKey(projectId, name)) }));
    await this.client.send(new DeleteItemCommand({ TableName: this.tables.metadata, Key: keyItem(counterKey(projectId, name)) }));
    this.cache.delete(cacheKey(projectId, name));
  }

  /**
   * Deletes the items of dropped collections, at most about `maxItems` per call.
   * @returns how many items were deleted and whether any dropped collection has items left
   */
  async purgeDropped(opts: { maxItems?: number } = {}): Promise<{ purged: number; remaining: boolean }> {
    let budget = opts.maxItems ?? 10000;
    let purged = 0;
    for (const record of await this.queryAll(this.tables.metadata, 'DROPPED')) {
      const uid = record.sk.S!;
      const parts = allPartitions(uid, Number(record.hashTables.N), Number(record.partitionBits.N));
      for (const [table, pks] of [
        [this.tables.vectors, parts.vectors],
        [this.tables.buckets, parts.buckets],
      ] as const) {
        for (const pk of pks) {
          for (;;) {
            if (budget <= 0) return { purged, remaining: true };
            const page = await this.client.send(
              new QueryCommand({
                TableName: table,
                KeyConditionExpression: 'pk = :pk',
                ExpressionAttributeValues: { ':pk': S(pk) },
                ProjectionExpression: 'pk, sk',
                Limit: Math.min(budget, 1000),
              }),
            );
            const keys = page.Items ?? [];
            if (keys.length === 0) break;
            await batchWriteAll(this.client, keys.map((Key) => ({ table, request: { DeleteRequest: { Key } } })));
            purged += keys.length;
            budget -= keys.length;
          }
        }
      }
      await this.client.send(new DeleteItemCommand({ TableName: this.tables.metadata, Key: keyItem(droppedKey(uid)) }));
    }
    return { purged, remaining: false };
  }

  // ---------------------------------------------------------------- items

  /**
   * Inserts or replaces up to 500 vectors. The whole batch is validated before anything is
   * written. When this resolves, every vector is durable and searchable.
   * @throws ValidationError naming the item and the rule (`vectors[3].vector[7] must be a finite
   *   number`), NotFoundError, ServiceUnavailableError
   */
  async upsert(projectId: string, name: string, vectors: readonly VectorInput[]): Promise<{ upserted: number }> {
    let state = await this.loadState(projectId, name);
    const { config } = state;
    if (!Array.isArray(vectors) || vectors.length === 0) throw new ValidationError('vectors', 'must be a non-empty list');
    if (vectors.length > MAX_BATCH) throw new ValidationError('vectors', `must have at most ${MAX_BATCH} items (got ${vectors.length})`);
    const seen = new Map<string, number>();
    const rows = vectors.map((v, i) => {
      const f = `vectors[${i}]`;
      if (typeof v !== 'object' || v === null) throw new ValidationError(f, 'must be an object with id and vector');
      const id = checkId(v.id, `${f}.id`);
      if (seen.has(id)) throw new ValidationError(`${f}.id`, `duplicates vectors[${seen.get(id)}].id "${id}"`);
      seen.set(id, i);
      return { id, vector: toFloat32(v.vector, config.dimension, `${f}.vector`, config.metric), metadata: checkMetadata(v.metadata, `${f}.metadata`) };
    });

    if (!state.hasher?.centre || (!state.plans && rows.length >= PROFILE_MIN_SAMPLE)) state = await this.settleFirstWrites(state, rows);
    const hasher = state.hasher!;
    const { hashTables } = config.index;
    const existing = await this.readCodes(config, rows.map((r) => r.id));

    const puts: { table: string; request: WriteRequest }[] = [];
    const deletes: { table: string; request: WriteRequest }[] = [];
    for (const row of rows) {
      const enc = hasher.encode(row.vector);
      const metaJson = Object.keys(row.metadata).length > 0 ? JSON.stringify(row.metadata) : undefined;
      const sketch = packSketch(enc);
      for (let t = 0; t < hashTables; t++) {
        const Item = bucketEntryItem(config.uid, config.index.partitionBits, t, enc.codes[t], row.id, sketch, metaJson);
        puts.push({ table: this.tables.buckets, request: { PutRequest: { Item } } });
      }
      puts.push({ table: this.tables.vectors, request: { PutRequest: { Item: vectorItem(config.uid, row.id, row.vector, enc.codes, metaJson) } } });
      const old = existing.get(row.id);
      for (let t = 0; old && t < hashTables; t++) {
        const was = this.bucketKey(config, t, old[t], row.id);
        const now = this.bucketKey(config, t, enc.codes[t], row.id);
        if (was.pk.S !== now.pk.S || was.sk.S !== now.sk.S) deletes.push({ table: this.tables.buckets, request: { DeleteRequest: { Key: was } } });
      }
    }
    // New entries first, then the stale ones go: a reader in between sees a duplicate entry at
    // worst, and re-ranking uses the vector item, so never a stale vector.
    await batchWriteAll(this.client, puts);
    await batchWriteAll(this.client, deletes);
    await this.addCount(state, rows.length - existing.size);
    return { upserted: rows.length };
  }

  /**
   * The stored vectors of `ids` (strongly consistent reads); unknown ids are left out.
   * @throws ValidationError, NotFoundError
   */
  async getVectors(projectId: string, name: string, ids: readonly string[]): Promise<StoredVector[]> {
    const { config } = await this.loadState(projectId, name);
    const checked = checkIds(ids);
    const found = await batchGetAll(
      this.client,
      checked.map((id) => ({ table: this.tables.vectors, key: keyItem(vectorKey(config.uid, id)) })),
      { consistentRead: true },
    );
    const byId = new Map((found[this.tables.vectors] ?? []).map((i) => [i.sk.S!, i]));
    return checked.filter((id) => byId.has(id)).map((id) => itemToVector(byId.get(id)!));
  }

  /**
   * Deletes vectors and their bucket entries; unknown ids are ignored.
   * @returns how many existed
   * @throws ValidationError, NotFoundError, ServiceUnavailableError
   */
  async deleteVectors(projectId: string, name: string, ids: readonly string[]): Promise<{ deleted: number }> {
    const state = await this.loadState(projectId, name);
    const { config } = state;
    const existing = await this.readCodes(config, checkIds(ids));
    const deletes: { table: string; request: WriteRequest }[] = [];
    for (const [id, codes] of existing) {
      for (let t = 0; t < config.index.hashTables; t++) {
        deletes.push({ table: this.tables.buckets, request: { DeleteRequest: { Key: this.bucketKey(config, t, codes[t], id) } } });
      }
      deletes.push({ table: this.tables.vectors, request: { DeleteRequest: { Key: keyItem(vectorKey(config.uid, id)) } } });
    }
    await batchWriteAll(this.client, deletes);
    await this.addCount(state, -existing.size);
    return { deleted: existing.size };
  }

  /**
   * One page of ids, in storage order (by shard, then id).
   * @param opts.limit 1 to 1000 @default 100
   * @param opts.cursor the `cursor` of the previous page
   * @throws ValidationError (limit, cursor), NotFoundError
   */
  async listIds(projectId: string, name: string, opts: { limit?: number; cursor?: string } = {}): Promise<IdPage> {
    const { config } = await this.loadState(projectId, name);
    const limit = opts.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) throw new ValidationError('limit', `must be an integer between 1 and ${MAX_LIST_LIMIT}`);
    let { shard, after } = decodeCursor(opts.cursor);
    const ids: string[] = [];
    while (shard < VECTOR_SHARDS && ids.length < limit) {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tables.vectors,
          KeyConditionExpression: after === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :after',
          ExpressionAttributeValues: { ':pk': S(vectorPartition(config.uid, shard)), ...(after === undefined ? {} : { ':after': S(after) }) },
          ProjectionExpression: 'sk',
          Limit: limit - ids.length,
        }),
      );
      for (const i of page.Items ?? []) ids.push(i.sk.S!);
      if (page.LastEvaluatedKey) {
        after = page.LastEvaluatedKey.sk.S!;
      } else {
        shard++;
        after = undefined;
      }
    }
    if (shard >= VECTOR_SHARDS) return { ids };
    // a page that ended exactly at a shard's end may yield an empty next page; that is allowed
    return { ids, cursor: encodeCursor(shard, after) };
  }

  /**
   * Top-k approximate nearest neighbours of `request.vector`, optionally filtered by metadata.
   * A filter applies to every candidate before re-ranking (bucket entries carry the metadata),
   * so it returns k matches whenever k matching vectors are among the candidates.
   * @throws ValidationError (vector, topK, filter, probes, rerank), NotFoundError
   */
  async query(projectId: string, name: string, request: QueryRequest): Promise<QueryResult> {
    const meter = new CapacityMeter();
    let roundTrips = 0;
    const fetched = () => roundTrips++;
    let state = await this.loadState(projectId, name, false, fetched);
    const { config } = state;
    const topK = checkTopK(request.topK);
    const q = toFloat32(request.vector, config.dimension, 'vector', config.metric);
    const predicate: Predicate | undefined = request.filter === undefined ? undefined : compileFilter(request.filter);
    const probesOverride = request.probes === undefined ? undefined : checkBound(request.probes, 'probes');
    const rerank = Math.max(topK, request.rerank === undefined ? config.index.rerank : checkBound(request.rerank, 'rerank'));
    if (!state.hasher?.centre) state = await this.loadState(projectId, name, true, fetched);
    const shape = queryShape(config.index, state.plans, state.count, probesOverride);
    const { depth, probes } = shape;
    const empty = (): QueryResult => ({
      matches: [],
      stats: { ...shape, bucketReads: 0, candidates: 0, reranked: 0, roundTrips, readUnits: meter.readUnits },
    });
    if (!state.hasher?.centre) return empty(); // nothing was ever written

    // Round trip 1: every probed bucket of every hash table, in parallel.
    const enc = state.hasher.encodeQuery(q);
    const reads = bucketReadPlan(config.uid, config.index, enc, depth, probes);
    const estimator = new SketchEstimator(config.metric, enc);
    const candidates = new Map<string, DistanceEstimate & { id: string; meta?: string }>();
    roundTrips++;
    await mapLimit(reads, 64, async (read) => {
      for (const item of await this.readBucket(read, meter)) {
        const id = idFromBucketSortKey(item.sk.S!, config.index.partitionBits);
        if (candidates.has(id)) continue;
        const meta = item.m?.S;
        if (predicate && !predicate(meta ? JSON.parse(meta) : {})) continue;
        candidates.set(id, { id, meta, ...estimator.withBounds(unpackSketch(item.s.B!, config.index.sketchBits), RERANK_CONFIDENCE) });
      }
    });

    // Round trip 2: the best candidates' vectors, and the counter that proves the collection lives;
    // while this process knows no plans for the collection, its config too (another may have profiled it).
    const finalists = selectForRerank([...candidates.values()], topK, rerank).map((c) => c.id);
    roundTrips++;
    const found = await batchGetAll(
      this.client,
      [
        { table: this.tables.metadata, key: keyItem(counterKey(projectId, name)) },
        ...(state.plans ? [] : [{ table: this.tables.metadata, key: keyItem(collectionKey(projectId, name)) }]),
        ...finalists.map((id) => ({ table: this.tables.vectors, key: keyItem(vectorKey(config.uid, id)) })),
      ],
      { meter },
    );
    const metadataItems = found[this.tables.metadata] ?? [];
    const counter = metadataItems.find((i) => i.sk.S!.startsWith('N#'));
    if (!counter || counter.uid.S !== config.uid) {
      this.cache.delete(cacheKey(projectId, name));
      throw new NotFoundError(`collection ${name} not found in project ${projectId}`);
    }
    state.count = Number(counter.n.N);
    const configItem = metadataItems.find((i) => i.sk.S!.startsWith('C#'));
    const plans = configItem && configItem.uid.S === config.uid ? itemPlans(configItem) : undefined;
    if (plans) this.cache.set(cacheKey(projectId, name), { ...state, plans });

    const prepared = { vector: q, norm: norm(q) };
    const matches: QueryMatch[] = [];
    for (const item of found[this.tables.vectors] ?? []) {
      const metadata = predicate || request.includeMetadata ? itemMetadata(item) : undefined;
      if (predicate && !predicate(metadata!)) continue;
      const x = bytesToVector(item.v.B!);
      matches.push({
        id: item.sk.S!,
        ...distance(config.metric, prepared, x),
        ...(request.includeVector ? { vector: Array.from(x) } : {}),
        ...(request.includeMetadata ? { metadata } : {}),
      });
    }
    matches.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
    return {
      matches: matches.slice(0, topK),
      stats: { ...shape, bucketReads: reads.length, candidates: candidates.size, reranked: finalists.length, roundTrips, readUnits: meter.readUnits },
    };
  }

  // ---------------------------------------------------------------- internals

  private bucketKey(config: CollectionConfig, table: number, code: number, id: string): Item {
    const { partitionBits } = config.index;
    return { pk: S(bucketPartition(config.uid, table, code, partitionBits)), sk: S(bucketSortKey(code, partitionBits, id)) };
  }

  /** All entries of one bucket (a sort-key range of one partition), following pages. */
  private async readBucket({ pk, lower, upper }: BucketRead, meter: CapacityMeter): Promise<Item[]> {
    const range = upper !== undefined ? ' AND sk BETWEEN :lo AND :hi' : lower !== undefined ? ' AND sk >= :lo' : '';
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tables.buckets,
          KeyConditionExpression: `pk = :pk${range}`,
          ExpressionAttributeValues: { ':pk': S(pk), ...(lower !== undefined ? { ':lo': S(lower) } : {}), ...(upper !== undefined ? { ':hi': S(upper) } : {}) },
          ExclusiveStartKey: start,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      meter.add(page.ConsumedCapacity);
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** The stored hash codes of those ids that exist (strongly consistent). */
  private async readCodes(config: CollectionConfig, ids: readonly string[]): Promise<Map<string, Uint32Array>> {
    const found = await batchGetAll(
      this.client,
      ids.map((id) => ({ table: this.tables.vectors, key: keyItem(vectorKey(config.uid, id)) })),
      { consistentRead: true, projection: { [this.tables.vectors]: 'sk, c' } },
    );
    return new Map((found[this.tables.vectors] ?? []).map((i) => [i.sk.S!, bytesToCodes(i.c.B!)]));
  }

  private async addCount(state: CollectionState, delta: number): Promise<void> {
    if (delta === 0) return;
    const { projectId, name, uid } = state.config;
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.metadata,
          Key: keyItem(counterKey(projectId, name)),
          UpdateExpression: 'ADD n :d',
          ConditionExpression: 'uid = :uid',
          ExpressionAttributeValues: { ':d': { N: String(delta) }, ':uid': S(uid) },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      state.count = Number(out.Attributes?.n?.N ?? state.count + delta);
    } catch (err) {
      // the collection was dropped meanwhile: its items go with the purge
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  /**
   * Settles, once each, what a collection's first writes decide: its centre (the mean of the first
   * batch) and its query plans (from the data profile of the first batch of at least
   * PROFILE_MIN_SAMPLE vectors, measured around the centre). Both are conditional updates, so
   * concurrent first writers agree on the first that landed; the loser re-reads and uses it.
   */
  private async settleFirstWrites(state: CollectionState, rows: readonly { id: string; vector: Float32Array; metadata: Metadata }[], retry = true): Promise<CollectionState> {
    const { projectId, name, uid, metric } = state.config;
    const centre = state.hasher?.centre ?? centreOf(rows.map((r) => r.vector), metric);
    const plans = !state.plans && rows.length >= PROFILE_MIN_SAMPLE ? this.planFromSample(state.config, centre, rows) : undefined;
    const sets: string[] = [];
    const conditions = ['uid = :uid'];
    const values: Item = { ':uid': S(uid) };
    if (!state.hasher?.centre) {
      sets.push('centre = :c');
      conditions.push('attribute_not_exists(centre)');
      values[':c'] = { B: vectorToBytes(centre) };
    }
    if (plans) {
      sets.push('plans = :p');
      conditions.push('attribute_not_exists(plans)');
      values[':p'] = S(JSON.stringify(plans));
    }
    let landed = true;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.metadata,
          Key: keyItem(collectionKey(projectId, name)),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      landed = false;
    }
    const fresh = await this.loadState(projectId, name, true);
    if (fresh.config.uid !== uid) throw new NotFoundError(`collection ${name} not found in project ${projectId}`);
    // another writer set the centre first, without plans: plan around its centre
    if (!landed && retry && !fresh.plans && rows.length >= PROFILE_MIN_SAMPLE) return this.settleFirstWrites(fresh, rows, false);
    return fresh;
  }

  /** Query plans from a sample of one batch, profiled around `centre`; read units priced with the batch's own bucket entries. */
  private planFromSample(config: CollectionConfig, centre: Float32Array, rows: readonly { id: string; vector: Float32Array; metadata: Metadata }[]): PlanTable {
    const hasher = new Hasher(config.dimension, config.metric, config.index, config.seed, config.prngVersion, centre);
    const sample = rows.slice(0, PROFILE_MAX_SAMPLE);
    // an entry's size depends on lengths only (fixed-width code digits, id, packed sketch, metadata)
    const packed = new Uint8Array(packedSketchBytes(config.index.sketchBits));
    let entryBytes = 0;
    for (const row of sample) {
      const metaJson = Object.keys(row.metadata).length > 0 ? JSON.stringify(row.metadata) : undefined;
      entryBytes += itemSize(bucketEntryItem(config.uid, config.index.partitionBits, 0, 0, row.id, packed, metaJson));
    }
    return plansFor(config.index, profileOf(sample.map((r) => hasher.centredUnit(r.vector))), entryBytes / sample.length);
  }

  /** The collection's state, from the cache unless `refresh`. */
  private async loadState(projectId: string, name: string, refresh = false, onFetch?: () => void): Promise<CollectionState> {
    const key = cacheKey(projectId, name);
    const cached = this.cache.get(key);
    if (cached && !refresh) return cached;
    onFetch?.();
    const found = await batchGetAll(
      this.client,
      [
        { table: this.tables.metadata, key: keyItem(collectionKey(projectId, name)) },
        { table: this.tables.metadata, key: keyItem(counterKey(projectId, name)) },
      ],
      { consistentRead: true },
    );
    const items = found[this.tables.metadata] ?? [];
    const configItem = items.find((i) => i.sk.S!.startsWith('C#'));
    if (!configItem) {
      this.cache.delete(key);
      throw new NotFoundError(`collection ${name} not found in project ${projectId}`);
    }
    const config = itemToConfig(projectId, configItem);
    const counter = items.find((i) => i.sk.S!.startsWith('N#') && i.uid.S === config.uid);
    const centre = configItem.centre?.B ? bytesToVector(configItem.centre.B) : undefined;
    const hasher = centre
      ? cached?.config.uid === config.uid && cached.hasher?.centre
        ? cached.hasher
        : new Hasher(config.dimension, config.metric, config.index, config.seed, config.prngVersion, centre)
      : undefined;
    const state: CollectionState = { config, hasher, plans: itemPlans(configItem), count: counter ? Number(counter.n.N) : 0 };
    if (this.cache.size > 256) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, state);
    return state;
  }

  private async queryAll(table: string, pk: string, skPrefix?: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': S(pk), ...(skPrefix ? { ':p': S(skPrefix) } : {}) },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

const cacheKey = (projectId: string, name: string) => `${projectId}/${name}`;

function checkBound(v: unknown, field: 'probes' | 'rerank'): number {
  const [lo, hi] = INDEX_PARAM_BOUNDS[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new ValidationError(field, `must be an integer between ${lo} and ${hi}`);
  return v;
}

function checkIds(ids: readonly string[]): string[] {
  if (!Array.isArray(ids)) throw new ValidationError('ids', 'must be a list of ids');
  if (ids.length > MAX_IDS) throw new ValidationError('ids', `must have at most ${MAX_IDS} items`);
  return [...new Set(ids.map((id, i) => checkId(id, `ids[${i}]`)))];
}

function configToItem(c: CollectionConfig): Item {
  return {
    uid: S(c.uid),
    dimension: { N: String(c.dimension) },
    metric: S(c.metric),
    index: { M: Object.fromEntries(Object.entries(c.index).flatMap(([k, v]) => (v === undefined ? [] : [[k, { N: String(v) }]]))) },
    seed: { N: String(c.seed) },
    prngVersion: { N: String(c.prngVersion) },
    createdAt: S(c.createdAt),
  };
}

function itemToConfig(projectId: string, i: Item): CollectionConfig {
  return {
    projectId,
    name: i.sk.S!.slice(2),
    uid: i.uid.S!,
    dimension: Number(i.dimension.N),
    metric: i.metric.S as Metric,
    index: {
      recallTarget: DEFAULT_INDEX_PARAMS.recallTarget, // collections made before the planner
      ...(Object.fromEntries(Object.entries(i.index.M!).map(([k, v]) => [k, Number(v.N)])) as Partial<IndexParams>),
    } as IndexParams,
    seed: Number(i.seed.N),
    prngVersion: Number(i.prngVersion.N),
    createdAt: i.createdAt.S!,
  };
}

function itemPlans(i: Item): PlanTable | undefined {
  return i.plans?.S ? (JSON.parse(i.plans.S) as PlanTable) : undefined;
}

function info(state: Pick<CollectionState, 'config' | 'plans' | 'count'>): CollectionInfo {
  const shape: QueryShape = queryShape(state.config.index, state.plans, state.count);
  return { ...state.config, vectorCount: state.count, queryPlan: { ...shape, profiled: state.plans !== undefined } };
}

function itemMetadata(i: Item): Metadata {
  return i.m?.S ? (JSON.parse(i.m.S) as Metadata) : {};
}

function itemToVector(i: Item): StoredVector {
  return { id: i.sk.S!, vector: Array.from(bytesToVector(i.v.B!)), metadata: itemMetadata(i) };
}

function toBinding(i: Item): ApiKeyBinding {
  return { apiKeyId: i.apiKeyId.S!, projectId: i.projectId.S!, createdAt: i.createdAt.S! };
}


function bytesToCodes(b: Uint8Array): Uint32Array {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Uint32Array.from({ length: b.byteLength / 4 }, (_, i) => view.getUint32(i * 4, true));
}

function encodeCursor(shard: number, after: string | undefined): string {
  return Buffer.from(JSON.stringify({ s: shard, a: after ?? null }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined): { shard: number; after?: string } {
  if (cursor === undefined) return { shard: 0 };
  try {
    const { s, a } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s: unknown; a: unknown };
    if (Number.isInteger(s) && (s as number) >= 0 && (s as number) < VECTOR_SHARDS && (a === null || typeof a === 'string')) {
      return { shard: s as number, after: a ?? undefined };
    }
  } catch {
    // fall through
  }
  throw new ValidationError('cursor', 'is not a cursor that a previous page returned');
}

