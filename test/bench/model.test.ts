// Tests the cost models of Whiplash and of the original layout against the real systems on DynamoDB Local, query by query.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IndexParams } from '../../lambda/core/types';
import { loadMiniLm } from '../../bench/datasets/minilm';
import { Dataset, row } from '../../bench/datasets/types';
import { MAX_BUCKET_READ_ENTRIES } from '../../lambda/core/limits';
import { CALIBRATION_K, calibratedShare, FIRST_CALIBRATION_QUERIES } from '../../lambda/core/list-calibration';
import { exactTopK } from '../../bench/ground-truth';
import { OriginalModel } from '../../bench/model/original-model';
import { StoreItems } from '../../bench/model/store-layout';
import { ORIGINAL_DEFAULTS } from '../../bench/original/hashing';
import { OriginalLayout } from '../../bench/original/layout';
import { dropOriginalTables, ensureOriginalTables, originalTableNames, OriginalTables } from '../../bench/original/tables';
import { queryPages, WhiplashModel } from '../../bench/model/whiplash-model';
import { ListsModel } from '../../bench/model/lists-model';
import { runWhiplash, whiplashLists, whiplashWindow } from '../../bench/systems/whiplash';
import { useBenchRun } from '../support/bench-run';
import { testClient } from '../support/tables';

describe('Query pages', () => {
  test('a Query ends a page once it holds 1 MB of items; no items is one empty page', () => {
    expect(queryPages([])).toEqual([0]);
    expect(queryPages(Array(3).fill(600_000))).toEqual([1_200_000, 600_000]);
    expect(queryPages([100, 200])).toEqual([300]);
  });
});

describe('the cost model of hash tables against the real store on DynamoDB Local (MiniLM, real embeddings)', () => {
  const ds = loadMiniLm({ queries: 40 });
  const gt = exactTopK(ds.base, ds.queries, 10, ds.metric);
  const run = useBenchRun('m');

  test('per query, the model reads the same candidates, re-ranks as many, returns the same ids and predicts the read units DynamoDB Local reported (which bills an empty Query nothing; DynamoDB bills it half a unit)', async () => {
    const ctx = run.context(ds, gt);
    const sweep = [{}, { probes: 0, rerank: 20 }, { probes: 12, rerank: 300 }];
    const runs = await runWhiplash(ctx, { sweep, seed: 7, indexMethod: 'lsh' });
    const params = runs[0].settings.index as IndexParams;
    const model = new WhiplashModel(ds.base, ds.metric, params, 7, new StoreItems(params, ds.dim, 'bench', 'minilm'));
    let units = 0;
    runs.forEach((run, s) => {
      run.queries.forEach((real, q) => {
        const m = model.query(row(ds.queries, q), { topK: 10, ...sweep[s] });
        expect({ s, q, candidates: m.candidates, reranked: m.reranked, readUnits: m.readUnits - m.emptyReads / 2, ids: m.ids }).toEqual({
          s,
          q,
          candidates: real.candidates,
          reranked: real.reranked,
          readUnits: real.readUnits,
          ids: real.ids,
        });
        units += m.readUnits;
      });
    });
    expect(units).toBeGreaterThan(0);
  }, 180_000);
});

describe('the cost model of k-means lists against the real store on DynamoDB Local (MiniLM, lists grown by splits)', () => {
  const ds = loadMiniLm({ queries: 40 });
  const gt = exactTopK(ds.base, ds.queries, 10, ds.metric);
  const run = useBenchRun('ml');

  test("per query, given the store's lists, the model reads the same candidates, re-ranks as many, returns the same ids and predicts the read units DynamoDB Local reported", async () => {
    // GIVEN the bench's store run of a collection in lists of 64 (its splits raced by two writers), queried at three nprobes
    const ctx = run.context(ds, gt);
    const sweep = [{ probes: 1 }, { probes: 4 }, { probes: 9, rerank: 40 }];
    const runs = await runWhiplash(ctx, { sweep, seed: 7, indexMethod: 'ivf', listSize: 64, batchSize: 100, ingestConcurrency: 2 });
    const params = runs[0].settings.index as IndexParams;
    // WHEN the model prices the same queries on the lists the store holds
    const layout = (await whiplashLists(ctx))!;
    expect(layout.lists.count).toBeGreaterThan(ds.base.rows / 64);
    expect(layout.members.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: ds.base.rows }, (_, r) => r));
    const model = new ListsModel(ds.base, ds.metric, params, 7, new StoreItems(params, ds.dim, 'bench', 'minilm'), layout, 100);
    // THEN every query agrees
    runs.forEach((run, s) => {
      run.queries.forEach((real, q) => {
        const m = model.query(row(ds.queries, q), { topK: 10, nprobe: sweep[s].probes, rerank: sweep[s].rerank });
        expect({ s, q, candidates: m.candidates, reranked: m.reranked, readUnits: m.readUnits, ids: m.ids }).toEqual({ s, q, candidates: real.candidates, reranked: real.reranked, readUnits: real.readUnits, ids: real.ids });
      });
    });
  }, 180_000);
});

describe("a store's calibration window read back for the lists cost model (MiniLM)", () => {
  const ds = loadMiniLm({ queries: 10 });
  const gt = exactTopK(ds.base, ds.queries, 10, ds.metric);
  const run = useBenchRun('mw');

  test("the window read back is the one the counter's share was set on", async () => {
    // GIVEN a collection in lists that served 60 unfiltered queries, enough for settings
    const ctx = run.context(ds, gt);
    const [served] = await runWhiplash(ctx, { seed: 7, indexMethod: 'ivf', listSize: 64, batchSize: 100, warmQueries: 60 });
    // WHEN its lists and calibration window are read back
    const layout = (await whiplashLists(ctx))!;
    const window = await whiplashWindow(ctx);
    // THEN the window holds the calibration queries the counter counts, and sets the counter's share
    expect(window.length).toBeGreaterThanOrEqual(FIRST_CALIBRATION_QUERIES);
    expect(window.length).toBe(layout.calibratedOn);
    expect(window.every((q) => q.ranks.length === CALIBRATION_K && q.ranks.every((r) => r < q.width))).toBe(true);
    expect(calibratedShare(window, layout.lists.count, (served.settings.index as IndexParams).recallTarget)).toBe(layout.share);
  }, 120_000);
});

describe('the cost model against the real store when near-copies of one vector crowd a bucket past its read limit (MiniLM)', () => {
  // MiniLM's base rows, then near-copies of row 0, each with one value changed in its last float32
  // bits: rows 678.. share row 0's code in every table, so a query near it reads buckets cut at
  // `bucketReadLimit`, where DynamoDB keeps the first entries in key order (code, the version token
  // the store derives from each vector's bytes, then the id as a string) and the model must keep
  // the same ones.
  const mini = loadMiniLm({ queries: 20 });
  const COPIES = 2 * MAX_BUCKET_READ_ENTRIES;
  const dim = mini.dim;
  const base = new Float32Array((mini.base.rows + COPIES) * dim);
  base.set(mini.base.data.subarray(0, mini.base.rows * dim));
  for (let c = 0; c < COPIES; c++) {
    const copy = Float32Array.from(row(mini.base, 0));
    copy[c % dim] *= 1 + 1e-6 * (1 + Math.floor(c / dim));
    base.set(copy, (mini.base.rows + c) * dim);
  }
  const queries = new Float32Array((mini.queries.rows + 1) * dim);
  queries.set(row(mini.base, 0));
  queries.set(mini.queries.data.subarray(0, mini.queries.rows * dim), dim);
  const ds: Dataset = { ...mini, name: 'minilm-copies', base: { rows: mini.base.rows + COPIES, dim, data: base }, queries: { rows: mini.queries.rows + 1, dim, data: queries } };
  const gt = exactTopK(ds.base, ds.queries, 10, ds.metric);
  const run = useBenchRun('mc');

  test('per query, the same candidates, re-ranked count, read units and ids', async () => {
    const ctx = run.context(ds, gt);
    const sweep = [{}, { probes: 8, rerank: 20 }];
    const runs = await runWhiplash(ctx, { sweep, seed: 7, index: { hashTables: 4 } });
    const params = runs[0].settings.index as IndexParams;
    const items = new StoreItems(params, ds.dim, 'bench', 'minilm-copies');
    // (the near-copies' entries carry distinct version tokens, whose order is not the ids')
    const tokens = Array.from({ length: COPIES }, (_, c) => items.entryTokenOf(row(ds.base, mini.base.rows + c)));
    expect(new Set(tokens).size).toBe(COPIES);
    const model = new WhiplashModel(ds.base, ds.metric, params, 7, items);
    let truncated = 0;
    runs.forEach((run, s) => {
      run.queries.forEach((real, q) => {
        const m = model.query(row(ds.queries, q), { topK: 10, ...sweep[s] });
        truncated += m.truncatedReads;
        expect({ s, q, candidates: m.candidates, reranked: m.reranked, readUnits: m.readUnits - m.emptyReads / 2, ids: m.ids }).toEqual({
          s,
          q,
          candidates: real.candidates,
          reranked: real.reranked,
          readUnits: real.readUnits,
          ids: real.ids,
        });
      });
    });
    // the cut was exercised: at least every table's read of row 0's bucket, per sweep point
    expect(truncated).toBeGreaterThanOrEqual(2 * params.hashTables);
  }, 300_000);
});

describe('the model of the original layout against the original layout on DynamoDB Local (MiniLM)', () => {
  const ds = loadMiniLm({ queries: 30 });
  let client: DynamoDBClient;
  let tables: OriginalTables;
  beforeAll(async () => {
    client = testClient();
    tables = originalTableNames(`om${Date.now().toString(36)}-`);
    await ensureOriginalTables(client, tables);
  });
  afterAll(async () => {
    await dropOriginalTables(client, tables);
    client.destroy();
  });

  test('per query: the same candidates and ids, and the read units DynamoDB Local reported (it bills a missing bucket item nothing)', async () => {
    const params = { ...ORIGINAL_DEFAULTS, seed: 2 };
    const layout = new OriginalLayout(client, tables, ds.dim, ds.metric, params);
    await layout.load(ds.base);
    const model = new OriginalModel(ds.base, ds.metric, params);
    for (let q = 0; q < ds.queries.rows; q++) {
      const real = await layout.query(row(ds.queries, q), 10);
      const m = model.query(row(ds.queries, q), 10);
      expect({ q, candidates: m.candidates, ids: m.ids, readUnits: m.readUnits - m.missingBuckets / 2, bytes: m.bytesRead }).toEqual({
        q,
        candidates: real.stats.candidates,
        ids: real.ids,
        readUnits: real.stats.readUnits,
        bytes: real.stats.bytesRead,
      });
    }
  }, 120_000);
});
