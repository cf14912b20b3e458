// A search's two DynamoDB round trips (the probed buckets and the filter index; the finalists' or
// the filter's matches' vectors with the counter), and a third for the results' non-filterable
// metadata when asked for, around the pure steps of `lambda/core/search.ts`
// and `lambda/core/filter-index.ts`, which make every decision; unfiltered results feed the planner's calibration.
import { DynamoDBClient, QueryCommand, QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../core/concurrency';
import { chooseSearchPath, FILTER_INDEX_VERSION } from '../core/filter-index';
import { bucketReadLimit, CandidateSet, listReadLimit, checkSearch, exactTopK, Fetched, planSearch, SearchPlan } from '../core/search';
import type { PlanAtSize, PlanTable } from '../core/planner';
import { QueryMatch, QueryRequest, QueryResult } from '../core/types';
import { batchGetAll, CapacityMeter, Item } from './batch';
import { CollectionState } from './collection-state';
import { CollectionStore } from './collections';
import { readTerm, TermMatches } from './filter-index';
import { collectionKey, counterKey, idFromBucketSortKey, idFromListSortKey, projectItemOf, vectorKey } from './key-format';
import { BucketRead, bucketReadPlan, hasEntryTokens } from './layout';
import { CALIBRATION_K, calibrationWidth } from '../core/list-calibration';
import { ListCalibration } from './list-calibration';
import { isListLayout, listReadPlan, listShape, listsToRead } from './list-layout';
import { fullMetadata } from './payloads';
import { keyItem, ListSet, toMetadata, toPlanBasis, toPlans } from './records';
import { TableNames } from './table-definitions';
import { storedVector } from './vector-bytes';

/**
 * Times a query in k-means lists reads again after finding that a split switched the centroid set
 * while it ran (a split per read would have to land within each query's round trips to exhaust them).
 */
const MAX_REREADS = 3;

/** Bucket reads of round trip 1 in flight at once. */
const BUCKET_READ_CONCURRENCY = 64;

/** Runs searches against DynamoDB. */
export class SearchRunner {
  /** This instance's calibration of the nprobe of collections in k-means lists. */
  private readonly listCalibration: ListCalibration;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: TableNames,
    private readonly collections: CollectionStore,
  ) {
    this.listCalibration = new ListCalibration(client, tables);
  }

  /**
   * Top-k approximate nearest neighbours of `request.vector`, optionally filtered by metadata.
   * A filter applies to every candidate before re-ranking (bucket entries carry the filterable
   * metadata). Results returned with metadata get their non-filterable keys from their payload
   * items, read in a third round trip once the top-k is known (only when some result has one).
   * A filter with terms the filter index answers also reads their entries, beside the bucket
   * reads; when they name few vectors (`chooseSearchPath`), the query fetches all of them and
   * ranks them exactly instead of the candidates, so it returns every match up to top-k.
   * @param rereads how many more times a query in k-means lists may read again after a split (`MAX_REREADS`)
   * @throws ValidationError (vector, topK, filter, probes, rerank), NotFoundError
   */
  async query(projectId: string, name: string, request: QueryRequest, rereads = MAX_REREADS): Promise<QueryResult> {
    const meter = new CapacityMeter();
    let roundTrips = 0;
    const fetched = () => roundTrips++;
    let state = await this.collections.load(projectId, name, false, fetched);
    const search = checkSearch(state.config, request);
    const inLists = isListLayout(state.config);
    if (!state.hasher?.centre || (inLists && !state.lists)) state = await this.collections.load(projectId, name, true, fetched);
    const planned = planSearch(targetOf(state, this.collections.calibration.plansOf(state)), search);
    const { uid, index } = state.config;
    // in k-means lists, `probes` counts the lists read (nprobe, this query's share of the mean);
    // a sampled unfiltered query (`ListCalibration.wide`) reads CALIBRATION_WIDTH times as many,
    // and calibrates the nprobe
    const calibrating = state.lists !== undefined && search.probes === undefined && !search.predicate && search.topK >= CALIBRATION_K && this.listCalibration.wide(state);
    const nprobe = state.lists ? (calibrating ? calibrationWidth(state.lists.nprobe, state.lists.lists.count) : listsToRead(state.lists, search.query, search.probes)) : undefined;
    const plan: SearchPlan = nprobe === undefined ? planned : { ...planned, shape: listShape(nprobe) };
    if (!plan.encoding || (inLists && !state.lists)) {
      // nothing was ever written
      return {
        matches: [],
        stats: { ...plan.shape, bucketReads: 0, entriesRead: 0, truncatedReads: 0, candidates: 0, path: 'buckets', indexReads: 0, indexEntriesRead: 0, reranked: 0, roundTrips, readUnits: meter.readUnits },
      };
    }

    // Round trip 1: every probed bucket of every hash table, in parallel, each at most `limit` entries;
    // beside them the filter index's entries of the filter's indexed terms, this instance's
    // observed queries added to the counter item when it gathered enough (so round trip 2 reads them),
    // and in k-means lists the calibration window when this instance has calibration queries to join.
    const reads =
      state.lists && nprobe !== undefined
        ? listReadPlan(uid, state.lists, state.config.metric, plan.query, nprobe)
        : bucketReadPlan(uid, index, plan.encoding, plan.shape.depth, plan.shape.probes, plan.shape.extraProbes);
    const idOf = inLists ? idFromListSortKey : (sk: string) => idFromBucketSortKey(sk, index.partitionBits, hasEntryTokens(state.config));
    /** In k-means lists: per candidate, the rank of the nearest list that held it (its read's place in the plan). */
    const listRank = new Map<string, number>();
    const limit = inLists ? listReadLimit(reads.length) : bucketReadLimit(reads.length);
    const candidates = new CandidateSet<string>(plan);
    let entriesRead = 0;
    let truncatedReads = 0;
    roundTrips++;
    const joining = this.listCalibration.prepareJoin(state, meter);
    const [, terms, , pendingJoin] = await Promise.all([
      mapLimit(reads, BUCKET_READ_CONCURRENCY, async (read, rank) => {
        const { items, truncated } = await this.readBucket(read, limit, meter, inLists);
        entriesRead += items.length;
        if (truncated) truncatedReads++;
        for (const item of items) {
          const id = idOf(item.sk.S!);
          candidates.add(id, item.s.B!, item.m?.S);
          const seen = listRank.get(id);
          if (calibrating && (seen === undefined || rank < seen)) listRank.set(id, rank);
        }
      }),
      // a collection written before the filter index has it only once a repair indexed it
      Promise.all((state.config.filterIndex === FILTER_INDEX_VERSION ? (plan.indexTerms ?? []) : []).map((term) => readTerm(this.client, this.tables.buckets, uid, term, meter))),
      this.collections.calibration.flush(state),
      joining,
    ]).catch(async (error: unknown) => {
      // a read failed: the queries the join took go back for a later query's join (prepareJoin itself never fails)
      const pending = await joining;
      if (pending) this.listCalibration.giveBack(state, pending);
      throw error;
    });

    // Round trip 2: the best candidates' vectors, or every vector the filter index named, and the
    // counter that proves the collection lives; while this instance knows no plans for the
    // collection, its config too (another may have profiled it). Beside it, a join's write.
    const finalists = candidates.finalists();
    const named = indexMatches(terms);
    const path =
      named === undefined
        ? 'buckets'
        : chooseSearchPath({
            indexMatches: named.size,
            topK: plan.topK,
            bucketMatches: candidates.size,
            bucketFetches: finalists.length,
            // in k-means lists, the share of the filter's matches in the lists read: its nearest
            // matches lie in the nearest lists at least as often
            foundShare: inLists ? Math.min(1, candidates.size / Math.max(1, named.size)) : candidates.foundShare(),
            recallTarget: index.recallTarget,
            rerankCap: plan.rerankCap,
          });
    const fetch = path === 'exact' ? [...named!] : finalists;
    roundTrips++;
    const [found, joined] = await Promise.all([
      batchGetAll(
        this.client,
        [
          { table: this.tables.metadata, key: keyItem(counterKey(projectId, name)) },
          ...(state.plans ? [] : [{ table: this.tables.metadata, key: keyItem(collectionKey(projectId, name)) }]),
          ...fetch.map((id) => ({ table: this.tables.vectors, key: keyItem(vectorKey(uid, id)) })),
        ],
        // in k-means lists, the counter strongly consistent: its set version tells whether a split moved entries away from a list read
        { meter, ...(inLists ? { consistentRead: [this.tables.metadata] } : {}) },
      ),
      pendingJoin ? this.listCalibration.join(state, pendingJoin) : undefined,
    ]);
    const counted = this.refreshState(state, found[this.tables.metadata] ?? []);
    // the share this query's join set, which the counter read beside it may not show yet
    if (joined) this.collections.adoptShare(state, joined);
    if (state.lists && rereads > 0 && (counted?.version ?? 0) > state.lists.version) {
      // a split switched since this instance read its set: the lists it read may have lost entries to lists it does not know; read again with the new set
      await this.collections.load(projectId, name, true, fetched);
      const again = await this.query(projectId, name, request, rereads - 1);
      return { ...again, stats: { ...again.stats, roundTrips: again.stats.roundTrips + roundTrips, readUnits: again.stats.readUnits + meter.readUnits } };
    }

    const ranked = exactTopK(plan, fetchedVectors(plan, request, found[this.tables.vectors] ?? []));
    // An unfiltered query's results are its nearest neighbours: their angles calibrate the planner.
    if (path === 'buckets' && !plan.predicate && !inLists) {
      this.collections.calibration.observe(
        state,
        plan.query,
        plan.shape,
        ranked.map((m) => ({ vector: m.vector, arrivals: candidates.arrivalsOf(m.id) })),
      );
    }
    if (calibrating && path === 'buckets' && ranked.length >= CALIBRATION_K) {
      this.listCalibration.observe(state, nprobe!, ranked.slice(0, CALIBRATION_K).map((m) => listRank.get(m.id)!));
    }
    let matches = toMatches(request, ranked);
    // Round trip 3, only for results returned with metadata that has non-filterable keys: their payloads.
    const withPayload = request.includeMetadata ? payloadItems(matches, found[this.tables.vectors] ?? []) : [];
    if (withPayload.length > 0) {
      roundTrips++;
      const metadata = await fullMetadata(this.client, this.tables.buckets, uid, withPayload, { meter });
      matches = matches.map((m) => ({ ...m, metadata: metadata.get(m.id) ?? m.metadata }));
    }
    return {
      matches,
      stats: {
        ...plan.shape,
        bucketReads: reads.length,
        entriesRead,
        truncatedReads,
        candidates: candidates.size,
        path,
        indexReads: terms.reduce((s, t) => s + t.reads, 0),
        indexEntriesRead: terms.reduce((s, t) => s + t.entriesRead, 0),
        reranked: fetch.length,
        roundTrips,
        readUnits: meter.readUnits,
      },
    };
  }

  /**
   * Takes the count (and plans, if asked for) that round trip 2 read.
   * @throws StaleCollectionError when the counter is gone or belongs to a re-created collection
   */
  private refreshState(state: CollectionState, metadataItems: readonly Item[]): ListSet | undefined {
    const counted = this.collections.check(state, metadataItems.find((i) => projectItemOf(i.sk.S!)?.kind === 'counter'));
    const configItem = metadataItems.find((i) => projectItemOf(i.sk.S!)?.kind === 'collection');
    const plans = configItem && configItem.uid.S === state.config.uid ? toPlans(configItem) : undefined;
    if (plans) this.collections.rememberPlans(state, plans, toPlanBasis(configItem!));
    return counted;
  }

  /**
   * The first entries of one bucket (a sort-key range of one partition) in key order: one page of
   * at most `limit` entries (`bucketReadLimit`) and DynamoDB's 1 MB; with `whole` (a list), page
   * after page until `limit` entries (`listReadLimit`). `truncated` when the read stopped at a
   * limit (DynamoDB returned a `LastEvaluatedKey`): the bucket may hold more, left unread.
   */
  private async readBucket({ pk, lower, upper }: BucketRead, limit: number, meter: CapacityMeter, whole = false): Promise<{ items: Item[]; truncated: boolean }> {
    const range = upper !== undefined ? ' AND sk BETWEEN :lo AND :hi' : lower !== undefined ? ' AND sk >= :lo' : '';
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tables.buckets,
          KeyConditionExpression: `pk = :pk${range}`,
          ExpressionAttributeValues: { ':pk': { S: pk }, ...(lower !== undefined ? { ':lo': { S: lower } } : {}), ...(upper !== undefined ? { ':hi': { S: upper } } : {}) },
          Limit: limit - items.length,
          ExclusiveStartKey: start,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      meter.add(page.ConsumedCapacity);
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (whole && start !== undefined && items.length < limit);
    return { items, truncated: start !== undefined };
  }
}

/**
 * The vectors that may match a filter, by its indexed terms: the ids common to every term read
 * whole (each holds all of its term's matches, and the filter needs every term); undefined when
 * no term was read whole.
 */
function indexMatches(terms: readonly TermMatches[]): Set<string> | undefined {
  const whole = terms.filter((t) => t.complete).sort((a, b) => a.ids.size - b.ids.size);
  if (whole.length === 0) return undefined;
  return new Set([...whole[0].ids].filter((id) => whole.every((t) => t.ids.has(id))));
}

/** The collection as the search steps see it, with the plans its queries follow. */
function targetOf(state: CollectionState, plans: PlanTable | PlanAtSize | undefined) {
  const { dimension, metric, index } = state.config;
  return { dimension, metric, index, hasher: state.hasher, plans, vectorCount: state.count };
}

/** The fetched vector items of `matches` that name a payload of non-filterable metadata. */
function payloadItems(matches: readonly QueryMatch[], items: readonly Item[]): Item[] {
  const ids = new Set(matches.map((m) => m.id));
  return items.filter((i) => i.p !== undefined && ids.has(i.sk.S!));
}

/** The fetched vector items as the exact re-rank takes them; a tombstoned item is being deleted: absent to readers. */
function fetchedVectors(plan: SearchPlan, request: QueryRequest, items: readonly Item[]): Fetched[] {
  const withMetadata = plan.predicate !== undefined || request.includeMetadata === true;
  return items.filter((item) => item.t === undefined).map((item) => ({ id: item.sk.S!, vector: storedVector(item), ...(withMetadata ? { metadata: toMetadata(item) } : {}) }));
}

/** The exact top-k, shaped as the API returns them. */
function toMatches(request: QueryRequest, ranked: readonly (Fetched & { distance: number; score: number })[]): QueryMatch[] {
  return ranked.map((m) => ({
    id: m.id,
    distance: m.distance,
    score: m.score,
    ...(request.includeVector ? { vector: Array.from(m.vector) } : {}),
    ...(request.includeMetadata ? { metadata: m.metadata } : {}),
  }));
}
