// Tests WhiplashDirectClient on DynamoDB Local: collections, items, paging, search and validation errors.
import { WhiplashDirectClient, WhiplashError } from '../../lib/client';
import type { CollectionHandle } from '../../lib/client';
import { createTestTables, testClient } from '../support/tables';
import { loadDocs } from './support';

/** The direct client runs the store against DynamoDB Local; same interface as the HTTP client. */
describe('WhiplashDirectClient on DynamoDB Local', () => {
  const ddb = testClient();
  let tables: Awaited<ReturnType<typeof createTestTables>>;
  let direct: WhiplashDirectClient;
  let docs: CollectionHandle;
  const data = loadDocs().slice(100, 250);

  beforeAll(async () => {
    tables = await createTestTables(ddb);
    direct = new WhiplashDirectClient({ client: ddb, tables });
    await direct.store.createProject({ projectId: 'p1', name: 'p1' });
    await direct.createCollection('p1', { name: 'docs', dimension: 384 });
    docs = direct.collection('p1', 'docs');
    const r = await docs.upsertBatch(data, { batchSize: 64, concurrency: 2 });
    expect(r).toEqual({ upserted: 150, requests: 3 });
  });
  afterAll(async () => {
    await tables?.drop();
    direct?.close();
    ddb.destroy();
  });

  test('collections: get, list and a typed Conflict', async () => {
    expect(await direct.getCollection('p1', 'docs')).toMatchObject({ name: 'docs', dimension: 384, metric: 'cosine', vectorCount: 150 });
    expect((await direct.listCollections('p1')).map((c) => c.name)).toEqual(['docs']);
    const err = await direct.createCollection('p1', { name: 'docs', dimension: 384 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WhiplashError);
    expect(err).toMatchObject({ status: 409, code: 'Conflict' });
  });

  test('collections: k-means lists (indexMethod ivf) are described with their listSize; under metric dot a typed 400 naming indexMethod', async () => {
    expect(await direct.createCollection('p1', { name: 'lists', dimension: 384, indexMethod: 'ivf', listSize: 200 })).toMatchObject({ indexMethod: 'ivf', listSize: 200 });
    expect(await direct.getCollection('p1', 'lists')).toMatchObject({ indexMethod: 'ivf', listSize: 200, vectorCount: 0 });
    expect(await direct.getCollection('p1', 'docs')).toMatchObject({ indexMethod: 'ivf' }); // the default under cosine
    const err = await direct.createCollection('p1', { name: 'dots', dimension: 384, metric: 'dot', indexMethod: 'ivf' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WhiplashError);
    expect(err).toMatchObject({ status: 400, code: 'ValidationError', field: 'indexMethod' });
    await direct.deleteCollection('p1', 'lists');
  });

  test('items: get, upsert one, delete, and NotFound after', async () => {
    const got = await docs.get(data[0].id);
    expect(got.vector).toEqual(Array.from(Float32Array.from(data[0].vector)));
    expect(got.metadata).toEqual(data[0].metadata);
    await docs.upsert({ id: 'extra', vector: data[1].vector, metadata: { category: 'x' } });
    expect((await docs.get('extra')).metadata).toEqual({ category: 'x' });
    await docs.delete('extra');
    await expect(docs.get('extra')).rejects.toMatchObject({ status: 404, code: 'NotFound' });
    await expect(docs.delete('extra')).rejects.toMatchObject({ status: 404, code: 'NotFound' });
  });

  test('ids() pages through every id', async () => {
    const ids: string[] = [];
    for await (const id of docs.ids({ limit: 40 })) ids.push(id);
    expect(ids.sort()).toEqual(data.map((d) => d.id).sort());
  });

  test('search finds a stored vector first and honours filter and include flags', async () => {
    const q = data[10];
    const hits = await docs.search({ vector: q.vector, topK: 5, includeMetadata: true, filter: { category: { $eq: q.metadata.category } } });
    expect(hits[0].id).toBe(q.id);
    expect(hits.every((h) => h.metadata?.category === q.metadata.category)).toBe(true);
    expect(hits[0].vector).toBeUndefined();
  });

  test('validation errors name the field and the rule, as over HTTP', async () => {
    const err = (await docs.upsert({ id: 'short', vector: [1, 2, 3] }).catch((e: unknown) => e)) as WhiplashError;
    expect(err).toBeInstanceOf(WhiplashError);
    expect(err.status).toBe(400);
    expect(err.code).toBe('ValidationError');
    expect(err.field).toMatch(/vector/);
    expect(err.rule).toMatch(/384/);
  });
});
