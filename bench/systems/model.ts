// Runs the cost models of Whiplash and of the original layout over a data set's queries, as systems of the benchmark.
import { resolveIndexParams } from '../../lambda/core/params';
import type { IndexParams } from '../../lambda/core/types';
import { Dataset, row } from '../datasets/types';
import type { GroundTruth } from '../ground-truth';
import { OriginalModel } from '../model/original-model';
import { StoreItems } from '../model/store-layout';
import { WhiplashModel } from '../model/whiplash-model';
import { ORIGINAL_DEFAULTS } from '../original/hashing';
import { log, progress } from '../progress';
import { QueryRecord, SystemRun } from '../summary';
import { BENCH_PROJECT, collectionName } from './context';
import { probesText } from './probes-text';
import { SweepPoint } from './whiplash';

/** Encodes every base vector of `ds` for the model of Whiplash at these index parameters and seed. */
export function buildWhiplashModel(ds: Dataset, index: Partial<IndexParams> | undefined, seed: number): WhiplashModel {
  const params = resolveIndexParams(index, 'index', ds.dim);
  const bar = progress('whiplash (model): encode', ds.base.rows);
  const t0 = performance.now();
  const model = new WhiplashModel(ds.base, ds.metric, params, seed, new StoreItems(params, ds.dim, BENCH_PROJECT, collectionName(ds)), 500, (d) => bar.update(d));
  bar.stop();
  log(`whiplash (model): ${ds.base.rows} vectors encoded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return model;
}

/**
 * Whiplash's query through the cost model at each sweep point, over the first `rows` base vectors
 * (default all). Latency is not modelled (`ms` is NaN).
 */
export function runWhiplashModel(ds: Dataset, model: WhiplashModel, k: number, sweep: readonly SweepPoint[], rows = ds.base.rows, gt?: GroundTruth): SystemRun[] {
  return (sweep.length > 0 ? sweep : [{}]).map((point) => {
    const label = ['whiplash (model)', ...Object.entries(point).map(([key, v]) => `${key}=${v}`)].join(' ');
    const bar = progress(`${label}: queries`, ds.queries.rows);
    const queries: (QueryRecord & { emptyReads: number; bucketReadUnits: number })[] = [];
    const hits = { candidates: 0, reranked: 0 };
    for (let q = 0; q < ds.queries.rows; q++) {
      const truth = gt ? gt.ids.subarray(q * gt.k, q * gt.k + k) : undefined;
      const m = model.query(row(ds.queries, q), { topK: k, rows, ...point, truth });
      hits.candidates += m.truthInCandidates ?? 0;
      hits.reranked += m.truthReranked ?? 0;
      queries.push({
        ids: m.ids,
        candidates: m.candidates,
        reranked: m.reranked,
        readUnits: m.readUnits,
        roundTrips: m.roundTrips,
        bytesRead: m.bytesRead,
        emptyReads: m.emptyReads,
        bucketReadUnits: m.bucketReadUnits,
        ms: NaN,
      });
      bar.update(q + 1);
    }
    bar.stop();
    const { depth, probes, extraProbes, expectedRecall } = model.query(row(ds.queries, 0), { topK: k, rows, ...point });
    const n = ds.queries.rows * k;
    return {
      system: 'model',
      label,
      settings: { index: model.params, seed: model.seed, overrides: point, rows, depth, probes, extraProbes, expectedRecall, storedBytesPerVector: Math.round(model.storedBytesPerVector(rows)), ...(gt ? { truthInCandidates: hits.candidates / n, truthReranked: hits.reranked / n } : {}) },
      queries,
      notes: [
        `${label}: bucket depth ${depth}, ${probesText({ probes, extraProbes })}${expectedRecall !== undefined ? `, planned for an expected ${expectedRecall} of the top 10 among the candidates` : ''}.`,
        ...(gt ? [`${label}: of the exact top ${k}, ${((100 * hits.candidates) / n).toFixed(1)} % were among the candidates read and ${((100 * hits.reranked) / n).toFixed(1)} % among those re-ranked (the rest is what the buckets and the re-rank choice miss).`] : []),
        `whiplash (model): Whiplash's query computed in process by the store's own search steps (planSearch, CandidateSet, exactTopK, sampleProfile, planTableForIndex, bucketReadPlan, bucketEntryItem, itemSize, readUnits) over every vector's encoding, not on DynamoDB; read units as DynamoDB bills them (each Query page rounded up to 4 KB, half a unit per 4 KB, at least half a unit; each BatchGetItem item on its own); bytes are item sizes per \"Item sizes and formats\"; no latency. Stored per vector: ${Math.round(model.storedBytesPerVector(rows)).toLocaleString('en-US')} bytes (${model.params.hashTables} bucket entries and the vector item, with DynamoDB's 100 bytes per item).`,
      ],
    };
  });
}

/** Hashes every base vector for the original layout, once per seed. */
export function buildOriginalModels(ds: Dataset, seeds: readonly number[]): OriginalModel[] {
  const t0 = performance.now();
  const models = seeds.map((seed) => new OriginalModel(ds.base, ds.metric, { ...ORIGINAL_DEFAULTS, seed }));
  log(`original (model): ${ds.base.rows} vectors hashed for ${seeds.length} seeds in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return models;
}

/** The original layout's query through its model, for the first `queries` queries, once per seed (records carry `q`). */
export function runOriginalModel(ds: Dataset, models: readonly OriginalModel[], k: number, queries: number, rows = ds.base.rows): SystemRun {
  const records: (QueryRecord & { missingBuckets: number })[] = [];
  for (const model of models) {
    for (let q = 0; q < Math.min(queries, ds.queries.rows); q++) {
      const m = model.query(row(ds.queries, q), k, rows);
      records.push({ q, ids: m.ids, candidates: m.candidates, reranked: m.candidates, readUnits: m.readUnits, roundTrips: m.roundTrips, bytesRead: m.bytesRead, missingBuckets: m.missingBuckets, ms: NaN });
    }
  }
  const seeds = models.map((m) => m.params.seed);
  return {
    system: 'original-model',
    label: `original layout (model, mean of ${seeds.length} seeds)`,
    settings: { seeds, rows, tableBits: Array.from({ length: ORIGINAL_DEFAULTS.nPlanes }, (_, t) => ORIGINAL_DEFAULTS.bitStart + t * ORIGINAL_DEFAULTS.bitScaleFactor) },
    queries: records,
    notes: [
      'original layout (model): the original whiplash layout computed in process with the same hasher as the measured one (bench/original/hashing.ts): one {id, ids: SS} item per bucket read by BatchGetItem, every candidate\'s {id, vector} item fetched (100 per call, sequential); read units per item as DynamoDB bills them.',
    ],
  };
}
