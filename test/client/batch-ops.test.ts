// Tests the SDK's batch operations (issue #15) on both clients: getMany and deleteMany in requests of the API's
// limits, metadata updates, deletes by filter, search by stored id, and listing by prefix with vectors and metadata.
import { MAX_DELETE_BATCH, MAX_GET_BATCH } from '../../lambda/core/limits';
import { WhiplashBatchError, WhiplashClient, WhiplashDirectClient } from '../../lib/client';
import type { CollectionHandle } from '../../lib/client';
import { createTestTables, testClient } from '../support/tables';
import { FaultProxy, loadDocs, projectClient, startFaultProxy, startTestServer } from './support';

const data = loadDocs().slice(0, 260);
const f32 = (v: readonly number[]) => Array.from(Float32Array.from(v));

/** A fresh collection holding `data`, on one client or the other, and how to drop it all. */
type Setup = () => Promise<{ docs: CollectionHandle; stop(): Promise<void> }>;

const http: Setup = async () => {
  const server = await startTestServer();
  const { client, projectId } = await projectClient(server.url, server.adminKey);
  await client.createCollection(projectId, { name: 'docs', dimension: 384 });
  return { docs: client.collection(projectId, 'docs'), stop: () => server.stop() };
};

const direct: Setup = async () => {
  const ddb = testClient();
  const tables = await createTestTables(ddb);
  const d = new WhiplashDirectClient({ client: ddb, tables });
  await d.store.createProject({ projectId: 'p1', name: 'p1' });
  await d.createCollection('p1', { name: 'docs', dimension: 384 });
  return {
    docs: d.collection('p1', 'docs'),
    stop: async () => {
      await tables.drop();
      ddb.destroy();
    },
  };
};

describe.each([
  ['WhiplashClient (HTTP)', http],
  ['WhiplashDirectClient', direct],
])('%s: batch operations', (_name, setup) => {
  let docs: CollectionHandle;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ docs, stop } = await setup());
    await docs.upsertBatch(data);
  });
  afterAll(() => stop?.());

  test(`getMany reads more than ${MAX_GET_BATCH} ids, in the order asked, and lists the ids not found`, async () => {
    const ids = [...data.slice(0, 150).map((d) => d.id), 'missing-1', data[3].id, 'missing-2'];
    const progress: number[] = [];
    const r = await docs.getMany(ids, { concurrency: 2, onProgress: (n) => progress.push(n) });
    expect(r.vectors.map((v) => v.id)).toEqual(data.slice(0, 150).map((d) => d.id));
    expect(r.notFound).toEqual(['missing-1', 'missing-2']);
    expect(f32(r.vectors[42].vector!)).toEqual(f32(data[42].vector));
    expect(r.vectors[42].metadata).toEqual(data[42].metadata);
    expect(progress[progress.length - 1]).toBe(152);
    const bare = await docs.getMany([data[0].id], { includeVector: false, includeMetadata: false });
    expect(bare.vectors).toEqual([{ id: data[0].id }]);
  });

  test('search by a stored id gives the same top-k as the vector itself', async () => {
    const byId = await docs.search({ id: data[9].id, topK: 5 });
    const byVector = await docs.search({ vector: data[9].vector, topK: 5 });
    expect(byId.map((m) => m.id)).toEqual(byVector.map((m) => m.id));
    expect(byId[0].id).toBe(data[9].id);
    await expect(docs.search({ id: 'missing', topK: 3 })).rejects.toMatchObject({ status: 404, code: 'NotFound' });
    await expect(docs.search({ topK: 3 })).rejects.toMatchObject({ status: 400, code: 'ValidationError' });
  });

  test('updateMetadata merges (null removes a key) or replaces, keeps the vector, and filters see it', async () => {
    const id = data[20].id;
    const merged = await docs.updateMetadata(id, { category: 'patched', wordCount: null, tag: 'new' });
    expect(merged.metadata).toEqual({ category: 'patched', tag: 'new' });
    expect(f32(merged.vector)).toEqual(f32(data[20].vector));
    const replaced = await docs.updateMetadata(id, { category: 'patched' }, { merge: false });
    expect(replaced.metadata).toEqual({ category: 'patched' });
    const hits = await docs.search({ id, topK: 3, filter: { category: 'patched' }, includeMetadata: true });
    expect(hits.map((h) => h.id)).toEqual([id]);
    await expect(docs.updateMetadata('missing', { a: 1 })).rejects.toMatchObject({ status: 404 });
  });

  test('listItems by prefix, with vectors and metadata', async () => {
    const prefix = data[30].id.slice(0, Math.max(1, data[30].id.length - 1));
    const expected = data.map((d) => d.id).filter((id) => id.startsWith(prefix)).sort();
    const page = await docs.listItems({ prefix, limit: 100, includeVector: true, includeMetadata: true });
    expect([...page.ids].sort()).toEqual(expected);
    const v = page.vectors.find((x) => x.id === data[30].id)!;
    expect(f32(v.vector!)).toEqual(f32(data[30].vector));
    const ids: string[] = [];
    for await (const id of docs.ids({ prefix, limit: 1 })) ids.push(id);
    expect(ids.sort()).toEqual(expected);
  });

  test('deleteByFilter follows the cursor until every match is gone', async () => {
    const category = data[100].metadata.category;
    const matching = data.filter((d) => d.metadata.category === category && d.id !== data[20].id).map((d) => d.id);
    const pages: number[] = [];
    const r = await docs.deleteByFilter({ category }, { onPage: (p) => pages.push(p.deleted.length) });
    expect(r.deleted).toBe(matching.length);
    const left = await docs.getMany(matching);
    expect(left.vectors).toEqual([]);
  });

  test(`deleteMany deletes more than ${MAX_DELETE_BATCH} ids in requests of the API's limit and lists the ids not found`, async () => {
    const all: string[] = [];
    for await (const id of docs.ids({ limit: 1000 })) all.push(id);
    const extra = Array.from({ length: MAX_DELETE_BATCH }, (_, i) => `never-${i}`);
    const r = await docs.deleteMany([...all, ...extra]);
    expect(r).toEqual({ deleted: all.length, notFound: extra });
    expect((await docs.listIds()).ids).toEqual([]);
  });
});

describe('deleteMany over HTTP when a request fails', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let proxy: FaultProxy;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });

  test('is not retried, and the WhiplashBatchError lists exactly the ids not acknowledged', async () => {
    const { client, projectId, apiKey } = await projectClient(server.url, server.adminKey);
    await client.createCollection(projectId, { name: 'docs', dimension: 384 });
    await client.collection(projectId, 'docs').upsertBatch(data.slice(0, 30));
    // the second batch delete is answered 503 by the proxy, unseen by the server
    proxy = await startFaultProxy(server.url, (req, n) => (req.url?.endsWith('/batch-delete') && n === 2 ? { status: 503 } : undefined));
    const viaProxy = new WhiplashClient({ apiUrl: proxy.url, apiKey, retry: { maxRetries: 3, baseDelayMs: 1 } }).collection(projectId, 'docs');
    const ids = [...data.slice(0, 30).map((d) => d.id), ...Array.from({ length: 2 * MAX_DELETE_BATCH - 30 }, (_, i) => `x${i}`), 'tail-1', 'tail-2'];
    const err = (await viaProxy.deleteMany(ids, { concurrency: 1 }).catch((e: unknown) => e)) as WhiplashBatchError;
    expect(err).toBeInstanceOf(WhiplashBatchError);
    expect(err.status).toBe(503);
    // the failed request's ids and those of the request never sent after it
    expect(err.failedIds).toEqual(ids.slice(MAX_DELETE_BATCH));
    expect(err.upserted).toBe(MAX_DELETE_BATCH);
    expect(proxy.seen.get(`POST /projects/${projectId}/collections/docs/items/batch-delete`)).toBe(2);
    // the first request was done; the ones after the failure were never sent
    expect((await client.collection(projectId, 'docs').listIds()).ids).toEqual([]);
  });
});
