import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IndexParams } from '../../lambda/core/types';
import { dropTables } from '../../lambda/store/local-tables';
import { prefixedTableNames } from '../../lambda/store/schema';
import { LOCAL_CLIENT_CONFIG } from '../../lib/local/dynamodb-local';
import { loadMiniLm } from '../../bench/datasets/minilm';
import { row } from '../../bench/datasets/types';
import { exactTopK } from '../../bench/ground-truth';
import { StoreItems } from '../../bench/model/store-layout';
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
