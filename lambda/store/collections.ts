// Collections in the metadata table: create, describe, list, drop; the per-instance cache of their
// config, hasher and plans; their vector counters; and what their first writes settle.
import { randomBytes, randomInt } from 'node:crypto';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError, ServiceUnavailableError, ValidationError } from '../core/errors';
import { frameOf } from '../core/hasher';
import { checkMetadataConfiguration } from '../core/metadata';
import { checkCollectionName, checkDimension, checkIndexMethod, checkListSize, checkMetric, checkSeed, collectionIndexParams } from '../core/params';
import { encodePlanBasis, PlanBasis } from '../core/calibration';
import { nprobeOf } from '../core/nprobe';
import { PlanTable } from '../core/planner';
import { PROFILE_MIN_SAMPLE } from '../core/profile';
import { PRNG_VERSION } from '../core/prng';
import { CollectionConfig, CollectionInfo } from '../core/types';
import { vectorToBytes } from '../core/vector';
import { backOff, batchGetAll, DEFAULT_RETRY, Item, queryAll, writeAtomically } from './batch';
import { FILTER_INDEX_VERSION } from '../core/filter-index';
import { COLLECTION_PREFIX, collectionKey, COUNTER_PREFIX, counterKey, droppedKey, projectItemOf, projectPartition, uidClaimKey } from './key-format';
import { VectorCounter } from './counted-writes';
import { BUCKET_LAYOUT, counterItem } from './layout';
import { RACE_ATTEMPTS } from './item-versions';
import { CheckedRow, CollectionState, CreateCollectionInput, describe, frameOfHasher, hashDimensionsOf, hasherOf, planFromSample, StaleCollectionError } from './collection-state';
import { loadCentroidSet, trainCentroidSet } from './centroid-sets';
import { calibratedOn, CentroidSet, isListLayout, LIST_LAYOUT, ListShare, sameShare, withShare } from './list-layout';
import { configAttributes, keyItem, LISTED_CONFIG_ATTRIBUTES, ListSet, S, toConfig, toFrame, toHashDimensions, toListSet, toPlanBasis, toPlans, toQueryAngles } from './records';
import { QueryCalibration } from './query-calibration';
import { TableNames } from './table-definitions';

/** Most collections one instance keeps cached. */
const CACHE_SIZE = 256;

const cacheKey = (projectId: string, name: string) => `${projectId}/${name}`;

/** What a collection's config item and counter item (absent: none yet) say of its plans, size and observed queries. */
function plansAndCount(configItem: Item, counter: Item | undefined): Pick<CollectionState, 'plans' | 'basis' | 'count' | 'observed'> {
  return { plans: toPlans(configItem), basis: toPlanBasis(configItem), count: counter ? Number(counter.n.N) : 0, observed: counter ? toQueryAngles(counter) : undefined };
}

/** The store's collections; each instance caches their state (the `load` with `refresh` re-reads it). */
export class CollectionStore {
  private readonly cache = new Map<string, CollectionState>();
  /** This instance's observed queries and the plans calibrated by them. */
  readonly calibration: QueryCalibration;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: TableNames,
  ) {
    this.calibration = new QueryCalibration(client, tables);
  }

  /**
   * Creates a collection; the project must exist (`ensureProject`).
   * @throws ValidationError (name, dimension, metric, index, indexMethod, listSize, seed, metadataConfiguration), NotFoundError (project),
   *   ConflictError (a collection of that name exists)
   */
  async create(projectId: string, input: CreateCollectionInput, ensureProject: () => Promise<unknown>): Promise<CollectionInfo> {
    if (typeof input !== 'object' || input === null) throw new ValidationError('body', 'must be an object');
    const name = checkCollectionName(input.name);
    const dimension = checkDimension(input.dimension);
    const metric = checkMetric(input.metric);
    const method = checkIndexMethod(input.indexMethod, metric, input.index);
    const index = collectionIndexParams(input.index, dimension, method);
    const lists = method === 'ivf';
    const listSize = checkListSize(input.listSize, lists);
    const seed = checkSeed(input.seed) ?? randomInt(0, 0xffffffff);
    const metadataConfiguration = checkMetadataConfiguration(input.metadataConfiguration);
    await ensureProject();
    for (let attempt = 0; ; attempt++) {
      const config: CollectionConfig = {
        projectId,
        name,
        uid: randomBytes(6).toString('base64url'), // 8 characters: see key-format.ts
        dimension,
        metric,
        index,
        seed,
        prngVersion: PRNG_VERSION,
        createdAt: new Date().toISOString(),
        filterIndex: FILTER_INDEX_VERSION,
        bucketLayout: lists ? LIST_LAYOUT : BUCKET_LAYOUT,
        ...(listSize === undefined ? {} : { listSize }),
        ...(metadataConfiguration ? { metadataConfiguration } : {}),
      };
      // One transaction: the config (no live collection of that name), its counter (any counter
      // left there belongs to a dropped collection), and the claim of its uid (unique for ever).
      const failed = await writeAtomically(this.client, [
        { Put: { TableName: this.tables.metadata, Item: { ...keyItem(collectionKey(projectId, name)), ...configAttributes(config) }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: this.tables.metadata, Item: counterItem(projectId, name, config.uid, 0) } },
        { Put: { TableName: this.tables.metadata, Item: keyItem(uidClaimKey(config.uid)), ConditionExpression: 'attribute_not_exists(pk)' } },
      ]);
      if (failed?.includes(0)) throw new ConflictError(`collection ${name} exists already in project ${projectId}`);
      if (failed && attempt < 3) continue; // the uid is taken: draw another
      if (failed) throw new Error(`no free collection uid after ${attempt + 1} draws`);
      const state: CollectionState = { config, count: 0 };
      this.cache.set(cacheKey(projectId, name), state);
      return describe(state);
    }
  }
  /** @throws NotFoundError */
  async get(projectId: string, name: string): Promise<CollectionInfo> {
    const state = await this.load(projectId, name, true);
    const frame = frameOfHasher(state.hasher);
    return describe({ ...state, hashDimensions: frame && hashDimensionsOf(frame) }, this.calibration.plansOf(state));
  }

  async list(projectId: string): Promise<CollectionInfo[]> {
    // the configs without their hashing subspaces (up to 128 KB each), and the counters
    const [configs, counterItems] = await Promise.all([
      queryAll(this.client, this.tables.metadata, projectPartition(projectId), COLLECTION_PREFIX, LISTED_CONFIG_ATTRIBUTES),
      queryAll(this.client, this.tables.metadata, projectPartition(projectId), COUNTER_PREFIX),
    ]);
    const counters = new Map(counterItems.map((i) => [`${projectItemOf(i.sk.S!)!.name}/${i.uid.S}`, i]));
    return Promise.all(
      configs.map(async (i) => {
        const config = toConfig(projectId, i);
        const counter = counters.get(`${config.name}/${config.uid}`);
        const state = { config, hashDimensions: toHashDimensions(i), ...plansAndCount(i, counter), ...(await this.listedLists(config, counter)) };
        return describe(state, this.calibration.plansOf(state));
      }),
    );
  }

  /**
   * In k-means lists, what a listing shows of the centroid set: the nprobe of the counter's share
   * and list count; for a counter without the count (written before it was kept), the set read.
   */
  private async listedLists(config: CollectionConfig, counter: Item | undefined): Promise<{ lists?: Pick<CentroidSet, 'nprobe' | 'calibratedOn'> }> {
    const set = counter && isListLayout(config) ? toListSet(counter) : undefined;
    if (!set) return {};
    if (set.count !== undefined) return { lists: { nprobe: nprobeOf(set.share, set.count), ...calibratedOn(set) } };
    const loaded = await loadCentroidSet(this.client, this.tables, config, counter!, undefined);
    return loaded ? { lists: loaded } : {};
  }

  /**
   * Drops a collection at once: its name is free again and nothing of it can surface in later
   * results (a re-created collection gets a new uid, so new keys). Its items are deleted later
   * by the purge (`purge.ts`), which reads from the drop record how many lists to delete: the
   * counter goes only if its lists are still those the drop read (a split that switched, or a
   * first batch that trained the lists, since then sends the drop round again, after a backoff).
   * @throws NotFoundError; ServiceUnavailableError when the lists changed on each of
   *   `RACE_ATTEMPTS` attempts
   */
  async drop(projectId: string, name: string): Promise<void> {
    for (let attempt = 0; attempt < RACE_ATTEMPTS; attempt++) {
      if (attempt > 0) await backOff(attempt - 1, DEFAULT_RETRY);
      const { config, lists } = await this.load(projectId, name, true);
      const listed = isListLayout(config);
      // One transaction: the counter, on condition that its lists are those read; the config, only
      // if it is still this uid's; and the purge's record of the uid, so the purge never sees a
      // live collection. (The counter comes first: without transactions, dynalite writes in turn
      // and stops at the first failed condition.)
      const failed = await writeAtomically(this.client, [
        {
          Delete: {
            TableName: this.tables.metadata,
            Key: keyItem(counterKey(projectId, name)),
            ...(!listed ? {} : lists ? { ConditionExpression: 'lv = :lv', ExpressionAttributeValues: { ':lv': { N: String(lists.version) } } } : { ConditionExpression: 'attribute_not_exists(lv)' }),
          },
        },
        { Delete: { TableName: this.tables.metadata, Key: keyItem(collectionKey(projectId, name)), ConditionExpression: 'uid = :uid', ExpressionAttributeValues: { ':uid': S(config.uid) } } },
        {
          Put: {
            TableName: this.tables.metadata,
            Item: {
              ...keyItem(droppedKey(config.uid)),
              hashTables: { N: String(config.index.hashTables) },
              partitionBits: { N: String(config.index.partitionBits) },
              ...(listed ? { lists: { N: String(lists?.lists.count ?? 0) } } : {}),
            },
          },
        },
      ]);
      this.forget(projectId, name);
      if (!failed) return;
      // the config's condition (item 1): it is gone, or another uid's; else the counter's lists changed: go round again
      if (failed.includes(1)) throw new NotFoundError(`collection ${name} not found in project ${projectId}`);
    }
    throw new ServiceUnavailableError(`collection ${name} kept changing its lists while it was dropped; retry`);
  }

  /** Removes a collection from this instance's cache (it was found dropped). */
  forget(projectId: string, name: string): void {
    this.cache.delete(cacheKey(projectId, name));
  }

  /** Caches newer plans of a collection (and their basis), found by a query's second round trip. */
  rememberPlans(state: CollectionState, plans: PlanTable, basis: PlanBasis | undefined): void {
    this.cache.set(cacheKey(state.config.projectId, state.config.name), { ...state, plans, basis });
  }

  /**
   * The collection's state, from this instance's cache unless `refresh` (then with strongly
   * consistent reads of its config and counter).
   * @param onFetch called when DynamoDB is read (a query counts its round trips)
   * @throws NotFoundError
   */
  async load(projectId: string, name: string, refresh = false, onFetch?: () => void): Promise<CollectionState> {
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
    const configItem = items.find((i) => projectItemOf(i.sk.S!)?.kind === 'collection');
    if (!configItem) {
      this.cache.delete(key);
      throw new NotFoundError(`collection ${name} not found in project ${projectId}`);
    }
    const config = toConfig(projectId, configItem);
    const counter = items.find((i) => projectItemOf(i.sk.S!)?.kind === 'counter' && i.uid.S === config.uid);
    const frame = toFrame(configItem);
    const hasher = frame
      ? cached?.config.uid === config.uid && cached.hasher?.centre
        ? cached.hasher
        : hasherOf(config, frame)
      : undefined;
    const known = cached?.config.uid === config.uid ? cached.lists : undefined;
    const lists = isListLayout(config) && counter ? await loadCentroidSet(this.client, this.tables, config, counter, known) : undefined;
    const state: CollectionState = { config, hasher, ...plansAndCount(configItem, counter), ...(lists ? { lists } : {}) };
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, state);
    return state;
  }

  /**
   * The collection's vector counter for writes that change the count (`writeCounted`): each update
   * is conditional on the collection this instance knows still living, so no item becomes live in
   * a dropped or re-created collection.
   */
  counter(state: CollectionState): VectorCounter {
    const { projectId, name, uid } = state.config;
    return {
      update: (delta) => ({
        Update: {
          TableName: this.tables.metadata,
          Key: keyItem(counterKey(projectId, name)),
          UpdateExpression: 'ADD n :d',
          ConditionExpression: 'uid = :uid',
          ExpressionAttributeValues: { ':d': { N: String(delta) }, ':uid': S(uid) },
        },
      }),
      // this instance's estimate until its next read of the counter
      committed: (delta) => void (state.count += delta),
      stale: () => this.stale(state),
    };
  }

  /**
   * Checks that the collection this instance knows still lives (a strongly consistent read of its
   * counter): a write that changed no count is acknowledged only then.
   * @throws StaleCollectionError when the collection was dropped or re-created meanwhile (the
   *   instance's cache entry is dropped, so a retry reads the collection afresh)
   */
  async checkLive(state: CollectionState): Promise<void> {
    const { projectId, name } = state.config;
    const out = await this.client.send(new GetItemCommand({ TableName: this.tables.metadata, Key: keyItem(counterKey(projectId, name)), ConsistentRead: true }));
    this.check(state, out.Item);
  }

  /**
   * Sets the collection's vector count (after a repair counted it), on condition that it is still
   * the collection this instance knows.
   * @throws StaleCollectionError when it was dropped or re-created meanwhile
   */
  async setCount(state: CollectionState, count: number): Promise<void> {
    const { projectId, name, uid } = state.config;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.metadata,
          Key: keyItem(counterKey(projectId, name)),
          UpdateExpression: 'SET n = :n',
          ConditionExpression: 'uid = :uid',
          ExpressionAttributeValues: { ':n': { N: String(count) }, ':uid': S(uid) },
        }),
      );
      state.count = count;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      throw this.stale(state);
    }
  }

  /**
   * Checks a collection's counter item, read in the same round trip as the data, against the
   * collection this instance knows; takes its count and observed queries when it matches, and in
   * k-means lists the share of lists its queries read.
   * @returns in k-means lists, the counter's centroid set version and share
   * @throws StaleCollectionError when the counter is gone or belongs to another uid
   */
  check(state: CollectionState, counter: Item | undefined): ListSet | undefined {
    if (!counter || counter.uid?.S !== state.config.uid) throw this.stale(state);
    state.count = Number(counter.n.N);
    state.observed = toQueryAngles(counter);
    // in k-means lists: a share of the lists calibrated since (by any instance) applies from the next query
    const set = toListSet(counter);
    if (set && set.version === state.lists?.version) this.adoptShare(state, set);
    return set;
  }

  /** In k-means lists, a share of the lists that a calibration set on the counter: it applies to this instance's next query. */
  adoptShare(state: CollectionState, at: ListShare): void {
    if (state.lists && !sameShare(state.lists, at)) this.cache.set(cacheKey(state.config.projectId, state.config.name), { ...state, lists: withShare(state.lists, at) });
  }

  /** Forgets a collection this instance found dropped or re-created, and says so. */
  private stale(state: CollectionState): StaleCollectionError {
    const { projectId, name } = state.config;
    this.forget(projectId, name);
    return new StaleCollectionError(`collection ${name} of project ${projectId} was dropped or re-created`);
  }

  /** Whether this batch must settle the collection's centre, plans or first lists before it is written. */
  static needsSettling(state: CollectionState, rows: number): boolean {
    return !state.hasher?.centre || (!state.plans && rows >= PROFILE_MIN_SAMPLE) || (isListLayout(state.config) && !state.lists);
  }

  /**
   * Settles, once each, what a collection's first writes decide: its centre (the mean of the first
   * batch) and its query plans (from the data profile of the first batch of at least
   * PROFILE_MIN_SAMPLE vectors, measured around the centre). Both are conditional updates, so
   * concurrent first writers agree on the first that landed; the loser re-reads and uses it.
   */
  async settleFirstWrites(state: CollectionState, rows: readonly CheckedRow[], retry = true): Promise<CollectionState> {
    const { projectId, name, uid, metric } = state.config;
    const frame = frameOfHasher(state.hasher) ?? frameOf(rows.map((r) => r.vector), metric);
    const planned = !state.plans && rows.length >= PROFILE_MIN_SAMPLE ? planFromSample(state.config, frame, rows) : undefined;
    const sets: string[] = [];
    const conditions = ['uid = :uid'];
    const values: Item = { ':uid': S(uid) };
    if (!state.hasher?.centre) {
      sets.push('centre = :c');
      conditions.push('attribute_not_exists(centre)');
      values[':c'] = { B: vectorToBytes(frame.centre) };
      if (frame.mipsNorm !== undefined) {
        sets.push('mipsNorm = :u');
        values[':u'] = { N: String(frame.mipsNorm) };
      }
      if (frame.subspace) {
        sets.push('subspace = :s');
        values[':s'] = { B: vectorToBytes(frame.subspace) };
      }
      sets.push('hd = :hd');
      values[':hd'] = { N: String(hashDimensionsOf(frame)) };
    }
    if (planned) {
      sets.push('plans = :p', 'basis = :b');
      conditions.push('attribute_not_exists(plans)');
      values[':p'] = S(JSON.stringify(planned.plans));
      values[':b'] = S(encodePlanBasis(planned.basis));
    }
    let landed = true;
    try {
      // (nothing to set when only the first lists are missing)
      if (sets.length > 0) {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.tables.metadata,
            Key: keyItem(collectionKey(projectId, name)),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeValues: values,
          }),
        );
      }
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      landed = false;
    }
    let fresh = await this.load(projectId, name, true);
    if (fresh.config.uid !== uid) throw new NotFoundError(`collection ${name} not found in project ${projectId}`);
    // another writer set the centre first, without plans: plan around its centre
    if (!landed && retry && !fresh.plans && rows.length >= PROFILE_MIN_SAMPLE) return this.settleFirstWrites(fresh, rows, false);
    if (isListLayout(fresh.config) && !fresh.lists) {
      await trainCentroidSet(this.client, this.tables, fresh.config, rows);
      fresh = await this.load(projectId, name, true);
      if (fresh.config.uid !== uid || !fresh.lists) throw new NotFoundError(`collection ${name} not found in project ${projectId}`);
    }
    return fresh;
  }
}
