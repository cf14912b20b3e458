// Tests the API under DynamoDB faults injected by a proxy: no acknowledged write lost, 503 + Retry-After, no corrupt reads.
import { randomUUID } from 'node:crypto';
import type { LocalServer } from '../../lib/local/server';
import { call, createProject, Reply, startTestServer, vectors } from '../local/http';
import { testEndpoint } from '../support/tables';
import { DdbFaultProxy, randomFaults, startDdbFaultProxy } from './ddb-fault-proxy';

/**
 * Faults between the handlers and DynamoDB: a real HTTP proxy in front of DynamoDB Local answers
 * a fraction of requests with throttling (400 ProvisionedThroughputExceededException) or 500/503,
 * drops connections before or after DynamoDB applied the request, and delays others. The API
 * runs on the local server; requests go over real HTTP without client-side retries, so every
 * answer the API gives is seen.
 */

const DIM = 16;
const f32 = (v: readonly number[]): number[] => Array.from(Float32Array.from(v));
const pass = () => ({ kind: 'pass' as const });

describe('faults between the handlers and DynamoDB', () => {
  let proxy: DdbFaultProxy;
  let server: LocalServer;
  let key: string;
  const P = '/projects/faulty';

  beforeAll(async () => {
    proxy = await startDdbFaultProxy(testEndpoint(), pass);
    server = await startTestServer({ ddbEndpoint: proxy.endpoint });
    ({ key } = await createProject(server, 'faulty'));
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
  });

  /** Creates a collection with faults off. */
  async function collection(name: string): Promise<string> {
    proxy.setPolicy(pass);
    const r = await call(server, 'POST', `${P}/collections`, { key, body: { name, n_features: DIM, metric: 'cosine' } });
    expect(r.status).toBe(200);
    return `${P}/collections/${name}`;
  }

  test('under throttling, 5xx, dropped connections and delays every batch is acknowledged or refused with 503 + Retry-After; no acknowledged vector is lost; re-sending the refused ones converges', async () => {
    const C = await collection('under-fire');
    const data = vectors(160, DIM, 11).map((v, i) => ({ id: `v${i}`, vector: v }));
    const batches = Array.from({ length: 16 }, (_, b) => data.slice(b * 10, b * 10 + 10));
    proxy.setPolicy(randomFaults(42, { throttle: 0.12, 'server-error': 0.08, 'drop-before': 0.04, 'drop-after': 0.04, delay: 0.05 }, 150));

    const answers: Reply[] = new Array(batches.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < batches.length) {
          const b = next++;
          answers[b] = await call(server, 'POST', `${C}/items/batch`, { key, body: { vectors: batches[b] } });
        }
      }),
    );
    const injected = proxy.stats.faults;
    expect(injected.throttle + injected['server-error'] + injected['drop-before'] + injected['drop-after']).toBeGreaterThan(10);

    const acked = new Set<number>();
    const refused: number[] = [];
    for (const [b, r] of answers.entries()) {
      expect([200, 503]).toContain(r.status);
      if (r.status === 200) {
        expect(r.body).toEqual({ upserted: 10 });
        acked.add(b);
      } else {
        expect(r.body.error).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        refused.push(b);
      }
    }
    expect(acked.size).toBeGreaterThan(0);

    // Faults off: every acknowledged vector is there, exactly, and is its own nearest neighbour.
    proxy.setPolicy(pass);
    const allIds = new Set(data.map((d) => d.id));
    for (const b of acked) {
      for (const item of batches[b]) {
        const g = await call(server, 'GET', `${C}/items/${item.id}`, { key });
        expect(g.status).toBe(200);
        expect(g.body.vector).toEqual(f32(item.vector));
        if (Number(item.id.slice(1)) % 3 !== 0) continue; // search a third of them: the machine is shared
        const s = await call(server, 'POST', `${C}/search`, { key, body: { query: item.vector, limit: 3 } });
        expect(s.status).toBe(200);
        expect(s.body[0].id).toBe(item.id);
        // never an id that was not written
        for (const m of s.body) expect(allIds.has(m.id)).toBe(true);
      }
    }

    // Re-sending the refused batches (faults off) converges: all of them present.
    for (const b of refused) {
      const r = await call(server, 'POST', `${C}/items/batch`, { key, body: { vectors: batches[b] } });
      expect(r.status).toBe(200);
    }
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(server, 'GET', `${C}/items?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, { key });
      expect(page.status).toBe(200);
      ids.push(...page.body.ids);
      cursor = page.body.cursor;
    } while (cursor);
    expect(new Set(ids)).toEqual(allIds);
  }, 180_000);

  test('when DynamoDB throttles every request, a write fails with 503 + Retry-After (not 500) and a read too', async () => {
    const C = await collection('always-throttled');
    proxy.setPolicy(() => ({ kind: 'throttle' }));
    const w = await call(server, 'POST', `${C}/items`, { key, body: { id: 'x', vector: vectors(1, DIM, 3)[0] } });
    const s = await call(server, 'POST', `${C}/search`, { key, body: { query: vectors(1, DIM, 3)[0], limit: 1 } });
    proxy.setPolicy(pass);
    for (const r of [w, s]) {
      expect(r.status).toBe(503);
      expect(r.body.error).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // and the refused write changed nothing visible
    const g = await call(server, 'GET', `${C}/items/x`, { key });
    expect(g.status).toBe(404);
  });

  test('when DynamoDB never answers, a request ends with 503 + Retry-After instead of hanging', async () => {
    const C = await collection('hung');
    proxy.setPolicy(() => ({ kind: 'hang' }));
    const res = await fetch(`${server.url}${C}/items`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'h', vector: vectors(1, DIM, 8)[0] }),
      signal: AbortSignal.timeout(90_000),
    });
    proxy.setPolicy(pass);
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  }, 120_000);

  test('interrupted writes never corrupt reads: a get returns one whole version, a search never a stale vector after an upsert, never an id without a vector', async () => {
    const C = await collection('versions');
    // version k of "hot": a distinct vector; other ids are background
    const versions = vectors(20, DIM, 99).map(f32);
    const versionOf = (v: number[]): number => versions.findIndex((x) => x.every((y, j) => y === v[j]));
    const background = vectors(40, DIM, 5).map((v, i) => ({ id: `bg${i}`, vector: v }));
    expect((await call(server, 'POST', `${C}/items/batch`, { key, body: { vectors: [{ id: 'hot', vector: versions[0] }, ...background] } })).status).toBe(200);
    const known = new Set(['hot', ...background.map((b) => b.id)]);

    proxy.setPolicy(randomFaults(7, { throttle: 0.1, 'server-error': 0.05, 'drop-after': 0.05, delay: 0.1 }, 50));
    let acked = 0; // highest version whose upsert was acknowledged
    let writing = true;
    const problems: string[] = [];
    const writer = (async () => {
      for (let k = 1; k < versions.length; k++) {
        const r = await call(server, 'POST', `${C}/items`, { key, body: { id: 'hot', vector: versions[k] } });
        if (r.status === 200) acked = k;
        else if (r.status !== 503) problems.push(`upsert answered ${r.status}`);
      }
      writing = false;
    })();
    const reader = async () => {
      while (writing) {
        const floor = acked; // acknowledged before this read started
        const g = await call(server, 'GET', `${C}/items/hot`, { key });
        if (g.status === 200) {
          const k = versionOf(g.body.vector);
          if (k < 0) problems.push(`get returned a vector that was never written: ${JSON.stringify(g.body.vector)}`);
          else if (k < floor) problems.push(`get returned version ${k} after version ${floor} was acknowledged`);
        } else if (g.status !== 503) problems.push(`get answered ${g.status}`);
        const s = await call(server, 'POST', `${C}/search`, { key, body: { query: versions[floor], limit: 5, include_vector: true } });
        if (s.status === 200) {
          for (const m of s.body) {
            if (!known.has(m.id)) problems.push(`search returned unknown id ${m.id}`);
            if (m.id !== 'hot') continue;
            const k = versionOf(m.vector);
            if (k < 0) problems.push('search returned a mixed vector');
            else if (k < floor) problems.push(`search returned stale version ${k} after version ${floor} was acknowledged`);
          }
        } else if (s.status !== 503) problems.push(`search answered ${s.status}`);
      }
    };
    await Promise.all([writer, reader(), reader()]);
    proxy.setPolicy(pass);
    expect(problems).toEqual([]);
    expect(acked).toBeGreaterThan(0);
    const last = await call(server, 'GET', `${C}/items/hot`, { key });
    expect(versionOf(last.body.vector)).toBeGreaterThanOrEqual(acked);
  }, 120_000);

  test('deletes under faults: an acknowledged delete never comes back in get or search', async () => {
    const C = await collection(`del-${randomUUID().slice(0, 6)}`);
    const data = vectors(30, DIM, 21).map((v, i) => ({ id: `d${i}`, vector: v }));
    expect((await call(server, 'POST', `${C}/items/batch`, { key, body: { vectors: data } })).status).toBe(200);
    proxy.setPolicy(randomFaults(3, { throttle: 0.15, 'server-error': 0.1, 'drop-after': 0.05 }));
    const deleted: string[] = [];
    for (const d of data.slice(0, 10)) {
      const r = await call(server, 'DELETE', `${C}/items/${d.id}`, { key });
      expect([200, 404, 503]).toContain(r.status); // 404: a dropped answer hid a delete that had happened
      if (r.status === 200) deleted.push(d.id);
    }
    proxy.setPolicy(pass);
    expect(deleted.length).toBeGreaterThan(0);
    for (const id of deleted) {
      expect((await call(server, 'GET', `${C}/items/${id}`, { key })).status).toBe(404);
      const s = await call(server, 'POST', `${C}/search`, { key, body: { query: data.find((d) => d.id === id)!.vector, limit: 10 } });
      expect(s.status).toBe(200);
      expect(s.body.map((m: { id: string }) => m.id)).not.toContain(id);
    }
  }, 120_000);
});
