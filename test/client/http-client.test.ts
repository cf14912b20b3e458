// Tests WhiplashClient against the local server: projects, collections, items, paging, search, typed errors,
// partly failed batches and splitting by size.
import { WhiplashBatchError, WhiplashClient, WhiplashError } from '../../lib/client';
import type { CollectionHandle, CreateCollectionRequest } from '../../lib/client';
import { LIST_SIZE_BOUNDS, MAX_METADATA_BYTES } from '../../lambda/core/limits';
import { DEFAULT_LIST_SIZE } from '../../lambda/core/list-splits';
import { loadMiniLm } from '../support/minilm';
import { exactTopK, loadDocs, projectClient, startTestServer } from './support';

/** The HTTP client against the real local server (gateway + handlers + store on DynamoDB Local). */
describe('WhiplashClient over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let client: WhiplashClient;
  let projectId: string;
  let docs: CollectionHandle;
  const data = loadDocs().slice(0, 300);

  beforeAll(async () => {
    server = await startTestServer();
    ({ client, projectId } = await projectClient(server.url, server.adminKey));
    await client.createCollection(projectId, { name: 'docs', dimension: 384, metric: 'cosine' });
    docs = client.collection(projectId, 'docs');
    // Small requests, several in flight: exercises the splitting and the concurrency.
    const r = await docs.upsertBatch(data, { batchSize: 40, concurrency: 3 });
    expect(r).toEqual({ upserted: 300, requests: 8 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('projects: create returns the key once; list and get; a project key cannot list projects', async () => {
    const admin = new WhiplashClient({ apiUrl: server.url, apiKey: server.adminKey });
    const created = await admin.createProject({ name: 'Second project', projectId: 'second' });
    expect(created.project).toMatchObject({ projectId: 'second', name: 'Second project' });
    expect(typeof created.apiKey).toBe('string');
    expect(created.apiKey.length).toBeGreaterThan(10);
    expect((await admin.listProjects()).map((p) => p.projectId).sort()).toEqual([projectId, 'second'].sort());
    expect((await admin.getProject('second')).name).toBe('Second project');

    const err = await client.listProjects().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WhiplashError);
    expect((err as WhiplashError).status).toBe(403);
    expect((err as WhiplashError).code).toBe('Forbidden');

    await admin.deleteProject('second');
    const gone = await admin.getProject('second').catch((e: unknown) => e);
    expect((gone as WhiplashError).status).toBe(404);
  });

  test('collections: get, list, conflict on a second create, delete', async () => {
    const info = await client.getCollection(projectId, 'docs');
    expect(info).toMatchObject({ name: 'docs', dimension: 384, metric: 'cosine', vectorCount: 300 });
    await client.createCollection(projectId, { name: 'scratch', dimension: 3, metric: 'euclidean' });
    expect((await client.listCollections(projectId)).map((c) => c.name).sort()).toEqual(['docs', 'scratch']);
    const dup = await client.createCollection(projectId, { name: 'scratch', dimension: 3 }).catch((e: unknown) => e);
    expect(dup).toMatchObject({ status: 409, code: 'Conflict' });
    await client.deleteCollection(projectId, 'scratch');
    expect((await client.listCollections(projectId)).map((c) => c.name)).toEqual(['docs']);
  });

  test('collections: k-means lists (indexMethod ivf) with a listSize, shown by create, get and list; written and searched', async () => {
    // GIVEN a collection in k-means lists
    const created = await client.createCollection(projectId, { name: 'lists', dimension: 384, indexMethod: 'ivf', listSize: 100 });
    expect(created).toMatchObject({ name: 'lists', indexMethod: 'ivf', listSize: 100, vectorCount: 0 });
    // WHEN real embeddings are written to it
    const lists = client.collection(projectId, 'lists');
    await lists.upsertBatch(data.slice(0, 150), { firstBatchSize: 150 });
    // THEN get and list show its index method and list size; the collection created without one shows the default lists
    expect(await client.getCollection(projectId, 'lists')).toMatchObject({ indexMethod: 'ivf', listSize: 100, vectorCount: 150 });
    const listed = await client.listCollections(projectId);
    expect(listed.find((c) => c.name === 'lists')).toMatchObject({ indexMethod: 'ivf', listSize: 100 });
    const docsInfo = listed.find((c) => c.name === 'docs')!;
    expect([docsInfo.indexMethod, docsInfo.listSize]).toEqual(['ivf', DEFAULT_LIST_SIZE]);
    // AND a stored vector finds itself first
    expect((await lists.search({ vector: data[42].vector, topK: 3 }))[0].id).toBe(data[42].id);
    await client.deleteCollection(projectId, 'lists');
  });

  test('collections: each refused index method or list size is a typed 400 naming the field, and creates nothing', async () => {
    const refused = async (input: Partial<CreateCollectionRequest>) =>
      (await client.createCollection(projectId, { name: 'refused', dimension: 8, ...input }).catch((e: unknown) => e)) as WhiplashError;
    const cases: [Partial<CreateCollectionRequest>, string, RegExp][] = [
      [{ indexMethod: 'hnsw' as never }, 'indexMethod', /must be one of "lsh", "ivf"/],
      [{ metric: 'dot', indexMethod: 'ivf' }, 'indexMethod', /cosine and euclidean/],
      [{ indexMethod: 'lsh', listSize: 100 }, 'listSize', /applies to indexMethod 'ivf' only/],
      [{ metric: 'dot', listSize: 100 }, 'listSize', /applies to indexMethod 'ivf' only/],
      [{ indexMethod: 'ivf', index: { hashTables: 4 } }, 'index.hashTables', /applies to indexMethod 'lsh' only/],
      [{ indexMethod: 'ivf', listSize: LIST_SIZE_BOUNDS[0] - 1 }, 'listSize', new RegExp(`must be >= ${LIST_SIZE_BOUNDS[0]}`)],
      [{ indexMethod: 'ivf', listSize: LIST_SIZE_BOUNDS[1] + 1 }, 'listSize', new RegExp(`must be <= ${LIST_SIZE_BOUNDS[1]}`)],
    ];
    for (const [input, field, rule] of cases) {
      const err = await refused(input);
      expect(err).toBeInstanceOf(WhiplashError);
      expect([err.status, err.code, err.field]).toEqual([400, 'ValidationError', field]);
      expect(err.rule).toMatch(rule);
    }
    expect((await client.listCollections(projectId)).map((c) => c.name)).not.toContain('refused');
  });

  test('items: upsert one, get it back as float32, replace it, delete it', async () => {
    const coll = client.collection(projectId, 'docs');
    const v = data[0].vector.map((x) => -x);
    await coll.upsert({ id: 'extra', vector: v, metadata: { category: 'Test', wordCount: 1 } });
    const got = await coll.get('extra');
    expect(got.id).toBe('extra');
    expect(got.metadata).toEqual({ category: 'Test', wordCount: 1 });
    expect(got.vector).toEqual(Array.from(Float32Array.from(v)));
    await coll.upsert({ id: 'extra', vector: data[1].vector });
    expect((await coll.get('extra')).metadata).toEqual({});
    await coll.delete('extra');
    await expect(coll.get('extra')).rejects.toMatchObject({ status: 404, code: 'NotFound' });
    await expect(coll.delete('extra')).rejects.toMatchObject({ status: 404 });
  });

  test('listing: pages() and ids() walk every id exactly once with a cursor', async () => {
    const pages: string[][] = [];
    for await (const page of docs.pages({ limit: 70 })) pages.push(page.ids);
    expect(pages.length).toBeGreaterThanOrEqual(5);
    expect(pages.slice(0, -1).every((p) => p.length === 70)).toBe(true);
    const all: string[] = [];
    for await (const id of docs.ids({ limit: 128 })) all.push(id);
    expect(all.length).toBe(300);
    expect(new Set(all)).toEqual(new Set(data.map((d) => d.id)));
    expect(pages.flat().sort()).toEqual([...all].sort());
  });

  test('search: a stored vector finds itself first; results overlap the exact top-10', async () => {
    let overlap = 0;
    const queries = data.filter((_, i) => i % 37 === 0); // 9 spread-out queries
    for (const q of queries) {
      const hits = await docs.search({ vector: q.vector, topK: 10 });
      expect(hits[0].id).toBe(q.id);
      expect(hits[0].distance).toBeCloseTo(0, 5);
      expect(hits[0].score).toBeCloseTo(1, 5);
      expect(hits[0].vector).toBeUndefined();
      expect(hits[0].metadata).toBeUndefined();
      const exact = new Set(exactTopK(data, q.vector, 10));
      overlap += hits.filter((h) => exact.has(h.id)).length;
    }
    // recall@10 over 9 real queries; the index's own benchmarks measure it properly.
    expect(overlap / (queries.length * 10)).toBeGreaterThan(0.7);
  });

  test('search: filter and include flags', async () => {
    const q = data[5];
    const category = q.metadata.category;
    const hits = await docs.search({ vector: q.vector, topK: 5, filter: { category: { $eq: category } }, includeMetadata: true, includeVector: true });
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits) {
      expect(h.metadata?.category).toBe(category);
      expect(h.vector).toHaveLength(384);
    }
    const other = await docs.search({ vector: q.vector, topK: 5, filter: { category: { $ne: category } }, includeMetadata: true });
    expect(other.every((h) => h.metadata?.category !== category)).toBe(true);
  });

  test('errors are typed: 400 names the field and the rule, and carries the request id', async () => {
    const err = (await docs.search({ vector: [1, 2, 3], topK: 5 }).catch((e: unknown) => e)) as WhiplashError;
    expect(err).toBeInstanceOf(WhiplashError);
    expect(err.status).toBe(400);
    expect(err.code).toBe('ValidationError');
    expect(err.field).toBe('query');
    expect(err.rule).toMatch(/384/);
    expect(err.requestId).toMatch(/[0-9a-f-]{36}/);
    expect(err.retryable).toBe(false);
    expect(err.attempts).toBe(1);
  });

  test('a failed batch reports exactly the ids that were not written', async () => {
    await client.createCollection(projectId, { name: 'partial', dimension: 384 });
    const coll = client.collection(projectId, 'partial');
    const items = data.slice(0, 100).map((d) => ({ ...d }));
    // Chunks of 25: the third chunk holds a vector of the wrong dimension and is refused whole.
    items[60] = { ...items[60], vector: items[60].vector.slice(0, 10) };
    const err = (await coll.upsertBatch(items, { batchSize: 25, concurrency: 1 }).catch((e: unknown) => e)) as WhiplashBatchError;
    expect(err).toBeInstanceOf(WhiplashBatchError);
    expect(err.status).toBe(400);
    expect(err.upserted).toBe(50);
    expect(err.failedIds).toEqual(items.slice(50).map((d) => d.id));
    expect(err.inputExhausted).toBe(true);
    const written: string[] = [];
    for await (const id of coll.ids()) written.push(id);
    expect(written.sort()).toEqual(items.slice(0, 50).map((d) => d.id).sort());
  });

  test('batches are split by size as well as count (maxBatchBytes)', async () => {
    await client.createCollection(projectId, { name: 'bytes', dimension: 384 });
    const coll = client.collection(projectId, 'bytes');
    const sent: number[] = [];
    // ~9.7 kB per vector estimated: a 100 kB budget holds 10 vectors.
    const r = await coll.upsertBatch(data.slice(0, 95), { maxBatchBytes: 100_000, onBatch: (a) => void sent.push(a.ids.length) });
    expect(r.upserted).toBe(95);
    expect(sent.length).toBe(10);
    expect(Math.max(...sent)).toBeLessThanOrEqual(10);
  });

  test("default batches fit Lambda's 6 MB event, in which the body is escaped once more (40 KB texts full of quotes)", async () => {
    // GIVEN the real chunk texts that JSON escapes most, cut into 40 KB texts: their quotes,
    // backslashes and newlines grow again when the proxy event carries the body as a string
    const { texts } = loadMiniLm();
    const escapeShare = (t: string) => Buffer.byteLength(JSON.stringify(JSON.stringify(t))) / Math.max(1, Buffer.byteLength(t));
    const heavy = [...texts].sort((a, b) => escapeShare(b) - escapeShare(a)).slice(0, 100).join('\n');
    const text = longestPrefixWithin(heavy, MAX_METADATA_BYTES - 64);
    await client.createCollection(projectId, { name: 'texts', dimension: 384, metadataConfiguration: { nonFilterableMetadataKeys: ['text'] } });
    const coll = client.collection(projectId, 'texts');
    const items = data.slice(0, 200).map((d, i) => ({ id: d.id, vector: d.vector, metadata: { category: d.metadata.category, text: text.slice(i) } }));

    // WHEN they go up with the default batch options
    const r = await coll.upsertBatch(items);

    // THEN every vector is acknowledged in more than one request, and a text reads back whole
    expect(r.upserted).toBe(200);
    expect(r.requests).toBeGreaterThan(1);
    expect((await coll.get(items[7].id)).metadata).toEqual(items[7].metadata);
  });

  test('an async iterator is read lazily and written completely', async () => {
    await client.createCollection(projectId, { name: 'lazy', dimension: 384 });
    const coll = client.collection(projectId, 'lazy');
    let read = 0;
    async function* gen() {
      for (const d of data.slice(0, 120)) {
        read++;
        yield d;
      }
    }
    const r = await coll.upsertBatch(gen(), { batchSize: 50, concurrency: 2 });
    expect(r).toEqual({ upserted: 120, requests: 3 });
    expect(read).toBe(120);
    expect((await client.getCollection(projectId, 'lazy')).vectorCount).toBe(120);
  });

  test('an unreachable API is a NetworkError with status 0', async () => {
    const dead = new WhiplashClient({ apiUrl: 'http://127.0.0.1:9', apiKey: 'x', retry: { maxRetries: 1, baseDelayMs: 1 } });
    const err = (await dead.listProjects().catch((e: unknown) => e)) as WhiplashError;
    expect(err).toMatchObject({ status: 0, code: 'NetworkError', attempts: 2 });
    expect(err.retryable).toBe(true);
  });
});

/** The longest prefix of `text` whose metadata object `{ text }` stays within `bytes` as JSON. */
function longestPrefixWithin(text: string, bytes: number): string {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(JSON.stringify({ text: text.slice(0, mid) })) <= bytes) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo);
}
