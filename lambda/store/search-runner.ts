// A search's two DynamoDB round trips (the probed buckets; the finalists' vectors with the counter)
// around the pure steps of `lambda/core/search.ts`, which make every decision.
import { DynamoDBClient, QueryCommand, QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../core/concurrency';
import { bucketReadLimit, CandidateSet, checkSearch, exactTopK, planSearch, SearchPlan } from '../core/search';
import { QueryMatch, QueryRequest, QueryResult } from '../core/types';
import { bytesToVector } from '../core/vector';
import { batchGetAll, CapacityMeter, Item } from './batch';
import { CollectionState } from './collection-state';
import { CollectionStore } from './collections';
import { collectionKey, counterKey, idFromBucketSortKey, projectItemOf, vectorKey } from './key-format';
import { BucketRead, bucketReadPlan } from './layout';
import { keyItem, toMetadata, toPlans } from './records';
import { TableNames } from './table-definitions';

/** Bucket reads of round trip 1 in flight at once. */
const BUCKET_READ_CONCURRENCY = 64;

/** Runs searches against DynamoDB. */
export class SearchRunner {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: TableNames,
    private readonly collections: CollectionStore,
  ) {}

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
    let state = await this.collections.load(projectId, name, false, fetched);
    const search = checkSearch(state.config, request);
    if (!state.hasher?.centre) state = await this.collections.load(projectId, name, true, fetched);
    const plan = planSearch(targetOf(state), search);
    const { uid, index } = state.config;
    if (!plan.encoding) {
      // nothing was ever written
      return { matches: [], stats: { ...plan.shape, bucketReads: 0, entriesRead: 0, truncatedReads: 0, candidates: 0, reranked: 0, roundTrips, readUnits: meter.readUnits } };
    }

    // Round trip 1: every probed bucket of every hash table, in parallel, each at most `limit` entries.
    const reads = bucketReadPlan(uid, index, plan.encoding, plan.shape.depth, plan.shape.probes);
    const limit = bucketReadLimit(reads.length);
    const candidates = new CandidateSet<string>(plan);
    let entriesRead = 0;
    let truncatedReads = 0;
    roundTrips++;
    await mapLimit(reads, BUCKET_READ_CONCURRENCY, async (read) => {
      const { items, truncated } = await this.readBucket(read, limit, meter);
      entriesRead += items.length;
      if (truncated) truncatedReads++;
      for (const item of items) {
        candidates.add(idFromBucketSortKey(item.sk.S!, index.partitionBits), item.s.B!, item.m?.S);
      }
    });

    // Round trip 2: the best candidates' vectors, and the counter that proves the collection lives;
    // while this instance knows no plans for the collection, its config too (another may have profiled it).
    const finalists = candidates.finalists();
    roundTrips++;
    const found = await batchGetAll(
      this.client,
      [
        { table: this.tables.metadata, key: keyItem(counterKey(projectId, name)) },
        ...(state.plans ? [] : [{ table: this.tables.metadata, key: keyItem(collectionKey(projectId, name)) }]),
        ...finalists.map((id) => ({ table: this.tables.vectors, key: keyItem(vectorKey(uid, id)) })),
      ],
      { meter },
    );
    this.refreshState(state, found[this.tables.metadata] ?? []);

    const matches = rank(plan, request, found[this.tables.vectors] ?? []);
    return {
      matches,
      stats: { ...plan.shape, bucketReads: reads.length, entriesRead, truncatedReads, candidates: candidates.size, reranked: finalists.length, roundTrips, readUnits: meter.readUnits },
    };
  }

  /**
   * Takes the count (and plans, if asked for) that round trip 2 read.
   * @throws StaleCollectionError when the counter is gone or belongs to a re-created collection
   */
  private refreshState(state: CollectionState, metadataItems: readonly Item[]): void {
    this.collections.check(state, metadataItems.find((i) => projectItemOf(i.sk.S!)?.kind === 'counter'));
    const configItem = metadataItems.find((i) => projectItemOf(i.sk.S!)?.kind === 'collection');
    const plans = configItem && configItem.uid.S === state.config.uid ? toPlans(configItem) : undefined;
    if (plans) this.collections.rememberPlans(state, plans);
  }

  /**
   * The first entries of one bucket (a sort-key range of one partition) in key order: one page of
   * at most `limit` entries (`bucketReadLimit`) and DynamoDB's 1 MB. `truncated` when the page
   * stopped there (DynamoDB returned a `LastEvaluatedKey`): the bucket may hold more, left unread.
   */
  private async readBucket({ pk, lower, upper }: BucketRead, limit: number, meter: CapacityMeter): Promise<{ items: Item[]; truncated: boolean }> {
    const range = upper !== undefined ? ' AND sk BETWEEN :lo AND :hi' : lower !== undefined ? ' AND sk >= :lo' : '';
    const page: QueryCommandOutput = await this.client.send(
      new QueryCommand({
        TableName: this.tables.buckets,
        KeyConditionExpression: `pk = :pk${range}`,
        ExpressionAttributeValues: { ':pk': { S: pk }, ...(lower !== undefined ? { ':lo': { S: lower } } : {}), ...(upper !== undefined ? { ':hi': { S: upper } } : {}) },
        Limit: limit,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    meter.add(page.ConsumedCapacity);
    return { items: page.Items ?? [], truncated: page.LastEvaluatedKey !== undefined };
  }
}

/** The collection as the search steps see it. */
function targetOf(state: CollectionState) {
  const { dimension, metric, index } = state.config;
  return { dimension, metric, index, hasher: state.hasher, plans: state.plans, vectorCount: state.count };
}

/** The exact top-k of the fetched vector items, shaped as the API returns them. */
function rank(plan: SearchPlan, request: QueryRequest, items: readonly Item[]): QueryMatch[] {
  const withMetadata = plan.predicate !== undefined || request.includeMetadata === true;
  // a tombstoned item is being deleted: absent to readers
  const fetched = items.filter((item) => item.t === undefined).map((item) => ({ id: item.sk.S!, vector: bytesToVector(item.v.B!), ...(withMetadata ? { metadata: toMetadata(item) } : {}) }));
  return exactTopK(plan, fetched).map((m) => ({
    id: m.id,
    distance: m.distance,
    score: m.score,
    ...(request.includeVector ? { vector: Array.from(m.vector) } : {}),
    ...(request.includeMetadata ? { metadata: m.metadata } : {}),
  }));
}
