// The cost model of a collection in k-means lists as a benchmark system: `ListsModel` on the
// store's own lists (each query at the nprobe the store read), or on lists grown and calibrated as a store's.
import { CALIBRATION_K, calibrationWidth, CalibrationQuery, CalibrationSampler, joinedSetting, queriesBeforeSetting } from '../../lambda/core/list-calibration';
import { DEFAULT_LIST_SIZE } from '../../lambda/core/list-splits';
import { nprobeOf } from '../../lambda/core/nprobe';
import { listOrder, listSpace } from '../../lambda/core/lists';
import { resolveIndexParams } from '../../lambda/core/params';
import type { IndexParams } from '../../lambda/core/types';
import { Dataset, headRows, Matrix, row } from '../datasets/types';
import { clusteringSpace, grownLists } from '../explore/ivf-lists';
import type { GroundTruth } from '../ground-truth';
import { ListsLayout, ListsModel } from '../model/lists-model';
import { StoreItems } from '../model/store-layout';
import { progress } from '../progress';
import { QueryRecord, SystemRun } from '../summary';
import { BENCH_PROJECT, collectionName } from './context';
import type { SweepPoint } from './whiplash';

/** The share of lists a collection's queries read before its first calibration, here (the store starts from its first batch's). */
const START_SHARE = 0.25;

/** The index parameters of a collection in lists: the store forces one hash table, whose sketch is all a list entry holds. */
export const listsParams = (index: Partial<IndexParams> | undefined, dim: number): IndexParams => ({ ...resolveIndexParams(index, 'index', dim), hashTables: 1 });

/** `ListsModel` on `layout` for the first `rows` base vectors of `ds`, ids and sketch frame as the benchmark's store run has them. */
export function listsModelOf(ds: Dataset, params: IndexParams, seed: number, layout: ListsLayout, rows = ds.base.rows): ListsModel {
  return new ListsModel(headRows(ds.base, rows), ds.metric, params, seed, new StoreItems(params, ds.dim, BENCH_PROJECT, collectionName(ds)), layout);
}

/** Lists grown on the first n vectors and the nprobe calibrated on the queries served. */
export interface CalibratedLists {
  readonly model: ListsModel;
  /** Lists at the end of the growth. */
  readonly lists: number;
  readonly share: number;
  /** The mean nprobe of that share (`nprobeOf`), which each query reads as `queryNprobe` says. */
  readonly nprobe: number;
  /** Times the share was set. */
  readonly settings: number;
}

/**
 * Lists as a store grows them on the first `n` base vectors without re-indexing (`grownLists`: 16
 * lists trained on the first 500, a list that reaches `listSize` split by 2-means), and nprobe
 * calibrated as a store's instance calibrates it (`lambda/core/list-calibration.ts`): from a share of
 * 1/4, each query of `served` read wide (`calibrationWidth`) through the model, its top
 * `CALIBRATION_K` and the ranks of their lists gathered by a `CalibrationSampler`; each time a
 * setting is due they join the window and the share becomes the join's (`joinedSetting`), as in a store.
 *
 * What it does not model: the store's lists grow under sampled split checks and concurrent writers
 * (`grownLists` splits each list the moment it reaches the size); a store reads wide one query in
 * each block of `wideEvery` of its phase of those it serves, where this reads every served query wide.
 * @param space `clusteringSpace` of the base vectors, when the caller has it (several sizes of one data set)
 * @throws Error when `served` has fewer queries than the first setting takes
 */
export function calibratedLists(ds: Dataset, n: number, served: Matrix, o: { params: IndexParams; seed: number; listSize?: number; space?: Float32Array }): CalibratedLists {
  const first = queriesBeforeSetting('first');
  if (served.rows < first) throw new Error(`calibrating nprobe takes at least ${first} served queries (got ${served.rows})`);
  const layout = grownLists(o.space ?? clusteringSpace(headRows(ds.base, n), ds.metric), ds.dim, n, ds.metric, 16, 500, o.listSize ?? DEFAULT_LIST_SIZE, 10, o.seed);
  const K = layout.lists.length;
  const listOf = listOfRows(layout.lists, n);
  const model = listsModelOf(ds, o.params, o.seed, { lists: layout.index, members: layout.lists }, n);
  let share = START_SHARE;
  let settings = 0;
  const sampler = new CalibrationSampler(o.seed);
  let window: CalibrationQuery[] = [];
  for (let i = 0; i < served.rows; i++) {
    sampler.add(wideRead(model, listOf, row(served, i), calibrationWidth(nprobeOf(share, K), K)).read);
    if (sampler.due(settings > 0 ? window.length : undefined)) {
      ({ window, share } = joinedSetting(window, sampler.take(), K, o.params.recallTarget));
      settings++;
    }
  }
  return { model, lists: K, share, nprobe: nprobeOf(share, K), settings };
}

/** Each of the first `rows` rows' list, from the lists' `members`. */
export function listOfRows(members: readonly (readonly number[])[], rows: number): Int32Array {
  const listOf = new Int32Array(rows);
  members.forEach((m, l) => m.forEach((r) => (listOf[r] = l)));
  return listOf;
}

/**
 * `query` read wide (`width` lists) through `model`, as a store's instance keeps it for calibration:
 * the ranks, in the query's list order, of the lists its top `CALIBRATION_K` came from (`read`),
 * and each list's rank in that order (`rank`). `listOf` is `listOfRows` of the model's lists.
 */
export function wideRead(model: ListsModel, listOf: Int32Array, query: Float32Array, width: number): { read: CalibrationQuery; rank: Int32Array } {
  const { lists } = model.layout;
  const rank = new Int32Array(lists.count);
  listOrder(lists, listSpace(query, lists.dim, model.metric)).forEach((l, j) => (rank[l] = j));
  return { read: { width, ranks: model.query(query, { topK: CALIBRATION_K, nprobe: width }).ids.map((r) => rank[listOf[r]]) }, rank };
}

/**
 * The lists model's run of `ds`'s queries at each sweep point, as a benchmark system ('model'). A
 * query without a `probes` override reads `nprobe(q)` lists: the nprobe the store's query read, to
 * price the same queries on the store's own lists, or a calibrated nprobe.
 */
export function runListsModel(ds: Dataset, model: ListsModel, k: number, sweep: readonly SweepPoint[], nprobe: (q: number) => number, note: string, gt?: GroundTruth): SystemRun[] {
  return (sweep.length > 0 ? sweep : [{}]).map((point) => {
    const label = ['whiplash (model)', ...Object.entries(point).map(([key, v]) => `${key}=${v}`)].join(' ');
    const bar = progress(`${label}: queries`, ds.queries.rows);
    const queries: (QueryRecord & { bucketReadUnits: number })[] = [];
    const hits = { candidates: 0, reranked: 0 };
    for (let q = 0; q < ds.queries.rows; q++) {
      const truth = gt ? gt.ids.subarray(q * gt.k, q * gt.k + k) : undefined;
      const m = model.query(row(ds.queries, q), { topK: k, nprobe: point.probes ?? nprobe(q), rerank: point.rerank, truth });
      hits.candidates += m.truthInCandidates ?? 0;
      hits.reranked += m.truthReranked ?? 0;
      queries.push({ ids: m.ids, candidates: m.candidates, reranked: m.reranked, readUnits: m.readUnits, roundTrips: m.roundTrips, bytesRead: m.bytesRead, bucketReadUnits: m.bucketReadUnits, probes: m.probes, ms: NaN });
      bar.update(q + 1);
    }
    bar.stop();
    const n = ds.queries.rows * k;
    const stored = Math.round(model.storedBytesPerVector());
    return {
      system: 'model',
      label,
      settings: { index: model.params, seed: model.seed, overrides: point, rows: model.base.rows, indexMethod: 'ivf', lists: model.lists, storedBytesPerVector: stored, ...(gt ? { truthInCandidates: hits.candidates / n, truthReranked: hits.reranked / n } : {}) },
      queries,
      notes: [
        `${label}: ${note}`,
        ...(gt ? [`${label}: of the exact top ${k}, ${((100 * hits.candidates) / n).toFixed(1)} % were in the lists read and ${((100 * hits.reranked) / n).toFixed(1)} % among those re-ranked.`] : []),
        `whiplash (model): the query on k-means lists computed in process by the store's own steps (listReadPlan, listReadLimit, CandidateSet, exactTopK, readUnits) over every vector's sketch, not on DynamoDB; read units as DynamoDB bills them; no latency. Stored per vector: ${stored.toLocaleString('en-US')} bytes (one list entry and the vector item, with DynamoDB's 100 bytes per item).`,
      ],
    };
  });
}
