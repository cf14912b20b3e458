// Tests local mode's Lambda instances: requests spread over isolated instances with their own caches, Lambda's
// 6 MB payload limits answered as API Gateway answers them, and the integration timeout replacing the instance.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayListener } from '../../lib/local/gateway';
import { localKeyId } from '../../lib/local/local-keys';
import type { LocalServer } from '../../lib/local/server';
import { UsagePlanEnforcer } from '../../lib/local/usage-plan';
import { loadMiniLm } from '../support/minilm';
import { call, createProject, Reply, startTestServer } from './http';

const INSTANCE = 'x-whiplash-instance';
const roundTrips = (r: Reply): number => (JSON.parse(r.headers.get('x-whiplash-stats') ?? '{}') as { roundTrips: number }).roundTrips;

describe('local mode runs each function as several isolated instances', () => {
  const prefix = `t${randomUUID().slice(0, 8)}-`;
  const minilm = loadMiniLm();
  const docs = minilm.vectors.map((v, i) => ({ id: minilm.ids[i], vector: Array.from(v) }));
  let server: LocalServer;
  let key = '';
  const P = '/projects/inst';

  beforeAll(async () => {
    server = await startTestServer({ tablePrefix: prefix });
    key = (await createProject(server, 'inst')).key;
    for (const name of ['docs', 'small', 'slow']) {
      const r = await call(server, 'POST', `${P}/collections`, { key, body: { name, n_features: 384 } });
      expect(r.status).toBe(200);
    }
  }, 120_000);
  afterAll(() => server?.stop());

  test('requests of each function are answered by several of its instances', async () => {
    const seen: Record<string, Set<string>> = { admin: new Set(), query: new Set() };
    for (let i = 0; i < 12; i++) {
      const a = await call(server, 'GET', P, { key: server.adminKey });
      const q = await call(server, 'GET', `${P}/collections/docs`, { key });
      expect([a.status, q.status]).toEqual([200, 200]);
      seen.admin.add(a.headers.get(INSTANCE)!);
      seen.query.add(q.headers.get(INSTANCE)!);
    }
    expect([...seen.admin].every((id) => /^admin-\d+$/.test(id))).toBe(true);
    expect([...seen.query].every((id) => /^query-\d+$/.test(id))).toBe(true);
    expect(seen.admin.size).toBeGreaterThanOrEqual(2);
    expect(seen.query.size).toBeGreaterThanOrEqual(2);
  });

  test("what one instance caches, another does not see: each query instance's first search reads the collection itself", async () => {
    const w = await call(server, 'POST', `${P}/collections/small/items/batch`, { key, body: { vectors: docs.slice(0, 20) } });
    expect(w.status).toBe(200);
    const byInstance = new Map<string, number[]>();
    // until each instance answered at least twice (its warm round trips are then known)
    const sampled = () => byInstance.size >= 2 && [...byInstance.values()].every((t) => t.length >= 2);
    for (let i = 0; i < 80 && (i < 12 || !sampled()); i++) {
      const r = await call(server, 'POST', `${P}/collections/small/search`, { key, body: { query: docs[i % docs.length].vector, limit: 3 } });
      expect(r.status).toBe(200);
      const trips = byInstance.get(r.headers.get(INSTANCE)!) ?? [];
      trips.push(roundTrips(r));
      byInstance.set(r.headers.get(INSTANCE)!, trips);
    }
    expect(sampled()).toBe(true);
    // The collection was created and written through other functions' instances: every query
    // instance pays one more round trip (the config read) on its first search, and only then.
    for (const trips of byInstance.values()) {
      const warm = Math.min(...trips);
      expect(trips[0]).toBe(warm + 1);
      expect(trips.slice(1).every((t) => t === warm)).toBe(true);
    }

    // In process (one store, one cache) the same sequence is never cold: the write cached it.
    const inProcess = await startTestServer({ tablePrefix: prefix, adminKey: server.adminKey, instances: 0 });
    try {
      await call(inProcess, 'POST', `${P}/collections/small/items/batch`, { key, body: { vectors: docs.slice(0, 2) } });
      const trips: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await call(inProcess, 'POST', `${P}/collections/small/search`, { key, body: { query: docs[i].vector, limit: 3 } });
        expect(r.headers.get(INSTANCE)).toBeNull();
        trips.push(roundTrips(r));
      }
      expect(new Set(trips).size).toBe(1);
    } finally {
      await inProcess.stop();
    }
  });

  test('an event over 6 MB (body under 10 MB) never reaches the function: 413 "Request Too Long", as API Gateway answers', async () => {
    const body = JSON.stringify({ id: 'big', vector: docs[0].vector, metadata: { pad: 'x'.repeat(7 * 1024 * 1024) } });
    expect(body.length).toBeGreaterThan(6 * 1024 * 1024);
    expect(body.length).toBeLessThan(10 * 1024 * 1024);
    const r = await call(server, 'POST', `${P}/collections/docs/items`, { key, body });
    expect(r.status).toBe(413);
    expect(r.body.message).toBe('Request Too Long');
    expect(r.body.error).toMatchObject({ status: 413, code: 'PayloadTooLarge' });
    expect(r.headers.get(INSTANCE)).toBeNull();
    expect((await call(server, 'GET', `${P}/collections/docs/items/big`, { key })).status).toBe(404);
  });

  test('a search whose answer would be over 6 MB never gets through (API Gateway\'s 502, or the handler\'s own 400); without vectors it answers', async () => {
    // 778 real MiniLM embeddings (384-d) and copies of the first 225 under other ids: 1003 vectors.
    const all = [...docs, ...docs.slice(0, 225).map((d) => ({ ...d, id: `copy-${d.id}` }))];
    for (let i = 0; i < all.length; i += 500) {
      const r = await call(server, 'POST', `${P}/collections/docs/items/batch`, { key, body: { vectors: all.slice(i, i + 500) } });
      expect(r.status).toBe(200);
    }
    const search = { query: docs[5].vector, limit: 1000, probes: 64, rerank: 5000 };
    const lean = await call(server, 'POST', `${P}/collections/docs/search`, { key, body: { ...search, include_vector: false } });
    expect(lean.status).toBe(200);
    expect(lean.body.length).toBeGreaterThan(900);
    const full = await call(server, 'POST', `${P}/collections/docs/search`, { key, body: search });
    if (full.status === 400) {
      // The query handler may refuse such a search itself, before Lambda would (its response-size check).
      expect(JSON.stringify(full.body.error)).toMatch(/response limit/);
    } else {
      expect(full.status).toBe(502);
      expect(full.body.message).toBe('Internal server error');
      expect(full.body.error.status).toBe(502);
    }
  }, 90_000);

  test('a request past the integration timeout gets 504 "Endpoint request timed out"; the instance is replaced', async () => {
    const short = await startTestServer({ tablePrefix: prefix, adminKey: server.adminKey, timeoutMs: 2500 });
    try {
      const batch = docs.slice(0, 500).map((d) => ({ ...d, metadata: { n: 1 } }));
      const r = await call(short, 'POST', `${P}/collections/slow/items/batch`, { key, body: { vectors: batch } });
      expect(r.status).toBe(504);
      expect(r.body.message).toBe('Endpoint request timed out');
      expect(r.body.error.code).toBe('INTEGRATION_TIMEOUT');
      // The write function still answers, from two instances, one of them new (write-3 or later:
      // on a busy machine a small request may time out too and be replaced in turn).
      const seen = new Set<string>();
      const numbers = (): number[] => [...seen].map((id) => Number(/^write-(\d+)$/.exec(id)?.[1]));
      for (let i = 0; i < 40 && !(seen.size >= 2 && Math.max(...numbers()) >= 3); i++) {
        const next = await call(short, 'DELETE', `${P}/collections/slow/items/nothing-${i}`, { key });
        if (next.status === 504) continue;
        expect(next.status).toBe(404);
        seen.add(next.headers.get(INSTANCE)!);
      }
      expect(numbers().every((n) => Number.isInteger(n))).toBe(true);
      expect(seen.size).toBeGreaterThanOrEqual(2);
      expect(Math.max(...numbers())).toBeGreaterThanOrEqual(3);
    } finally {
      await short.stop();
    }
  }, 60_000);
});

describe("the local gateway answers a function's response over 6 MB as API Gateway does", () => {
  test('a 7 MB response of the handler becomes 502 {"message":"Internal server error"}; 5 MB passes', async () => {
    const ADMIN = 'instances-test-admin-key';
    let size = 0;
    const listener = createGatewayListener({
      handlers: {
        admin: async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ pad: 'y'.repeat(size) }) }),
        query: async () => ({ statusCode: 500, body: '' }),
        write: async () => ({ statusCode: 500, body: '' }),
      },
      adminKeyId: localKeyId(ADMIN),
      isKnownKey: async () => false,
      usagePlan: new UsagePlanEnforcer({ rateLimit: 100, burstLimit: 100 }),
      url: () => '',
    });
    const srv = createServer(listener);
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      size = 7 * 1024 * 1024;
      const big = await call({ url }, 'GET', '/projects', { key: ADMIN });
      expect(big.status).toBe(502);
      expect(big.body.message).toBe('Internal server error');
      size = 5 * 1024 * 1024;
      const ok = await call({ url }, 'GET', '/projects', { key: ADMIN });
      expect(ok.status).toBe(200);
      expect(ok.body.pad).toHaveLength(size);
    } finally {
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });
});
