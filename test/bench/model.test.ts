// Tests the cost models of Whiplash and of the original layout against the real systems on DynamoDB Local, query by query.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IndexParams } from '../../lambda/core/types';
import { dropTables } from '../../lambda/store/local-tables';
import { prefixedTableNames } from '../../lambda/store/table-definitions';
import { LOCAL_CLIENT_CONFIG } from '../../lib/local/dynamodb-local';
import { loadMiniLm } from '../../bench/datasets/minilm';
import { row } from '../../bench/datasets/types';
import { exactTopK } from '../../bench/ground-truth';
import { OriginalModel } from '../../bench/model/original-model';
import { StoreItems } from '../../bench/model/store-layout';
import { ORIGINAL_DEFAULTS } from '../../bench/original/hashing';
import { OriginalLayout } from '../../bench/original/layout';
import { dropOriginalTables, ensureOriginalTables, originalTableNames, OriginalTables } from '../../bench/original/tables';
import { queryPages, WhiplashModel } from '../../bench/model/whiplash-model';
import { runWhiplash } from '../../bench/systems/whiplash';
import { testClient, testEndpoint } from '../support/tables';

describe('Query pages', () => {
  test('a Query ends a page once it holds 1 MB of items; no items is one empty page', () => {
    expect(queryPages([])).toEqual([0]);
    expect(queryPages(Array(3).fill(600_000))).toEqual([1_200_000, 600_000]);
    expect(queryPages([100, 200])).toEqual([300]);
  });
});

describe('the cost model against the real store on DynamoDB Local (MiniLM, real embeddings)', () => {
  const ds = loadMiniLm({ queries: 40 });
  const gt = exactTopK(ds.base, ds.queries, 10, ds.metric);
  const prefix = `m${Date.now().toString(36)}-`;
  let client: DynamoDBClient;
  beforeAll(() => {
    client = testClient();
  });
  afterAll(async () => {
    await dropTables(client, prefixedTableNames(`${prefix}wl-`));
    client.destroy();
  });

  test('per query, the model reads the same candidates, re-ranks as many, returns the same ids and predicts the read units DynamoDB Local reported (which bills an empty Query nothing; DynamoDB bills it half a unit)', async () => {
    const ctx = { client, newClient: () => new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint: testEndpoint() }), dataset: ds, gt, k: 10, tablePrefix: prefix };
    const sweep = [{}, { probes: 0, rerank: 20 }, { probes: 12, rerank: 300 }];
    const runs = await runWhiplash(ctx, { sweep, seed: 7 });
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
