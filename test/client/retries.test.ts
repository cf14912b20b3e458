// Tests the HTTP client's retries against injected 429s, 503s and hangs: what is retried, how long it waits,
// and what is never retried.
import { RetryEvent, WhiplashClient, WhiplashError } from '../../lib/client';
import { FaultProxy, loadDocs, projectClient, startFaultProxy, startTestServer } from './support';

/**
 * Retries against injected faults: a real HTTP server between the client and the local server
 * answers 429 / 503 (or never answers) a given number of times, then forwards.
 */
describe('WhiplashClient retries', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let projectId: string;
  let apiKey: string;
  let proxy: FaultProxy | undefined;
  const docs = loadDocs().slice(0, 60);
  const fast = { maxRetries: 4, baseDelayMs: 5, maxDelayMs: 2000 };

  beforeAll(async () => {
    server = await startTestServer();
    const p = await projectClient(server.url, server.adminKey);
    ({ projectId, apiKey } = p);
    await p.client.createCollection(projectId, { name: 'docs', dimension: 384 });
    await p.client.collection(projectId, 'docs').upsertBatch(docs.slice(0, 30));
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    await server?.stop();
  });

  const through = (p: FaultProxy, events?: RetryEvent[]) =>
    new WhiplashClient({ apiUrl: p.url, apiKey, retry: fast, onRetry: events ? (e) => void events.push(e) : undefined });
  const items = () => `POST /projects/${projectId}/collections/docs/items`;
  const batch = () => `POST /projects/${projectId}/collections/docs/items/batch`;
  const search = () => `POST /projects/${projectId}/collections/docs/search`;

  test('an upsert answered 429 twice is retried and lands', async () => {
    proxy = await startFaultProxy(server.url, (req, n) => (req.url!.endsWith('/items') && n <= 2 ? { status: 429 } : undefined));
    const events: RetryEvent[] = [];
    await through(proxy, events).collection(projectId, 'docs').upsert(docs[40]);
    expect(proxy.seen.get(items())).toBe(3);
    expect(events.map((e) => [e.attempt, e.error.status, e.error.code])).toEqual([
      [1, 429, 'TooManyRequests'],
      [2, 429, 'TooManyRequests'],
    ]);
    const back = await new WhiplashClient({ apiUrl: server.url, apiKey }).collection(projectId, 'docs').get(docs[40].id);
    expect(back.id).toBe(docs[40].id);
  });

  test('a search answered 503 with Retry-After waits at least that long, then succeeds', async () => {
    proxy = await startFaultProxy(server.url, (req, n) => (req.url!.endsWith('/search') && n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : undefined));
    const events: RetryEvent[] = [];
    const hits = await through(proxy, events).collection(projectId, 'docs').search({ vector: docs[3].vector, topK: 3 });
    expect(hits[0].id).toBe(docs[3].id);
    expect(proxy.seen.get(search())).toBe(2);
    expect(events).toHaveLength(1);
    expect(events[0].error.retryAfterSeconds).toBe(1);
    expect(events[0].delayMs).toBeGreaterThanOrEqual(1000);
  });

  test('batch requests are retried on 503 and every vector is written once', async () => {
    proxy = await startFaultProxy(server.url, (req, n) => (req.url!.endsWith('/items/batch') && n % 2 === 1 ? { status: 503 } : undefined));
    const coll = through(proxy).collection(projectId, 'docs');
    const r = await coll.upsertBatch(docs.slice(30, 60), { batchSize: 10, concurrency: 1 });
    expect(r).toEqual({ upserted: 30, requests: 3 });
    expect(proxy.seen.get(batch())).toBe(6);
    // 30 from beforeAll plus these 30 (docs[40], upserted by an earlier test, is among them).
    const direct = new WhiplashClient({ apiUrl: server.url, apiKey });
    const ids: string[] = [];
    for await (const id of direct.collection(projectId, 'docs').ids()) ids.push(id);
    expect(ids.sort()).toEqual(docs.map((d) => d.id).sort());
    expect((await direct.getCollection(projectId, 'docs')).vectorCount).toBe(60);
  });

  test('creates and deletes are not retried: the first 503 is the answer', async () => {
    proxy = await startFaultProxy(server.url, (req) => (req.method === 'DELETE' || req.url!.endsWith('/collections') ? { status: 503, body: JSON.stringify({ error: { status: 503, code: 'ServiceUnavailable', message: 'try later' } }) } : undefined));
    const c = through(proxy);
    const err = (await c.createCollection(projectId, { name: 'other', dimension: 4 }).catch((e: unknown) => e)) as WhiplashError;
    expect(err).toMatchObject({ status: 503, code: 'ServiceUnavailable', message: 'try later', attempts: 1 });
    expect(proxy.seen.get(`POST /projects/${projectId}/collections`)).toBe(1);
    await expect(c.collection(projectId, 'docs').delete(docs[0].id)).rejects.toMatchObject({ status: 503, attempts: 1 });
    expect(proxy.seen.get(`DELETE /projects/${projectId}/collections/docs/items/${docs[0].id}`)).toBe(1);
  });

  test('after maxRetries the last error is thrown, with the number of attempts', async () => {
    proxy = await startFaultProxy(server.url, () => ({ status: 429 }));
    const err = (await through(proxy).collection(projectId, 'docs').get(docs[0].id).catch((e: unknown) => e)) as WhiplashError;
    expect(err).toBeInstanceOf(WhiplashError);
    expect(err).toMatchObject({ status: 429, code: 'TooManyRequests', message: 'Too Many Requests', attempts: 5 });
    expect(proxy.seen.get(`GET /projects/${projectId}/collections/docs/items/${docs[0].id}`)).toBe(5);
  });

  test('a request that gets no answer times out, and reads are retried after a timeout', async () => {
    proxy = await startFaultProxy(server.url, (_req, n) => (n === 1 ? 'hang' : undefined));
    // the timeout leaves the retry, a real request, room on a loaded machine (CI once saw it take over 300 ms)
    const c = new WhiplashClient({ apiUrl: proxy.url, apiKey, timeoutMs: 2000, retry: fast });
    const page = await c.collection(projectId, 'docs').listIds({ limit: 5 });
    expect(page.ids).toHaveLength(5);
    expect(proxy.seen.get(`GET /projects/${projectId}/collections/docs/items`)).toBe(2);

    const once = new WhiplashClient({ apiUrl: proxy.url, apiKey, timeoutMs: 300, retry: { maxRetries: 0 } });
    const err = (await once.getCollection(projectId, 'docs').catch((e: unknown) => e)) as WhiplashError;
    expect(err).toMatchObject({ status: 0, code: 'Timeout', attempts: 1 });
  });

  test('a used-up quota (429 Limit Exceeded) is not retried', async () => {
    proxy = await startFaultProxy(server.url, () => ({ status: 429, body: JSON.stringify({ message: 'Limit Exceeded' }) }));
    const err = (await through(proxy).getCollection(projectId, 'docs').catch((e: unknown) => e)) as WhiplashError;
    expect(err).toMatchObject({ status: 429, code: 'LimitExceeded', attempts: 1, retryable: false });
    expect(proxy.seen.get(`GET /projects/${projectId}/collections/docs`)).toBe(1);
  });

  test('a 200 whose body is not JSON is a typed InvalidResponse, not a crash', async () => {
    proxy = await startFaultProxy(server.url, () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>captive portal</html>' }));
    const err = (await through(proxy).listCollections(projectId).catch((e: unknown) => e)) as WhiplashError;
    expect(err).toBeInstanceOf(WhiplashError);
    expect(err).toMatchObject({ status: 200, code: 'InvalidResponse' });
    expect(err.message).toContain('captive portal');
  });

  test('client mistakes (4xx other than 429) are never retried', async () => {
    proxy = await startFaultProxy(server.url, () => undefined);
    const err = (await through(proxy).collection(projectId, 'docs').upsert({ id: 'bad', vector: [1, 2] }).catch((e: unknown) => e)) as WhiplashError;
    expect(err).toMatchObject({ status: 400, code: 'ValidationError', field: 'vector', attempts: 1 });
    expect(proxy.seen.get(items())).toBe(1);
  });
});
