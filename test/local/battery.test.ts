// The concurrency battery through local mode's gateway: writes and deletes of the same ids spread
// over several isolated write instances, and a drop and re-create under writes; tables scanned after.
import { randomUUID } from 'node:crypto';
import type { LocalServer } from '../../lib/local/server';
import { prefixedTableNames } from '../../lambda/store/table-definitions';
import { WhiplashStore } from '../../lambda/store/store';
import { seededRandom } from '../reliability/ddb-fault-proxy';
import { scanCollection } from '../support/invariants';
import { loadMiniLm } from '../support/minilm';
import { testClient } from '../support/tables';
import { call, createProject, startTestServer } from './http';

const data = loadMiniLm();
const vec = (i: number): number[] => Array.from(data.vectors[i % data.vectors.length]);

describe('the concurrency battery through the local gateway, three instances per function', () => {
  const prefix = `t${randomUUID().slice(0, 8)}-`;
  const tables = prefixedTableNames(prefix);
  let server: LocalServer;
  let key = '';
  const P = '/projects/battery';
  // reads the tables directly, as the invariants need; never writes
  const observer = new WhiplashStore({ client: testClient(), tables });

  beforeAll(async () => {
    server = await startTestServer({ tablePrefix: prefix, instances: 3 });
    key = (await createProject(server, 'battery')).key;
  }, 120_000);
  afterAll(() => server?.stop());

  test('concurrent upserts and deletes of the same ids over HTTP leave no orphan, no missing entry and an exact count', async () => {
    // GIVEN a collection and 24 ids that six clients write and delete at once, each request to a random write instance
    expect((await call(server, 'POST', `${P}/collections`, { key, body: { name: 'race', n_features: 384 } })).status).toBe(200);
    const ids = Array.from({ length: 24 }, (_, i) => `id${i}`);
    const rnd = seededRandom(11);
    const statuses: number[] = [];
    // WHEN
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let round = 0; round < 6; round++) {
          const some = ids.filter(() => rnd() < 0.3);
          if (some.length === 0) continue;
          if (rnd() < 0.65) {
            const r = await call(server, 'POST', `${P}/collections/race/items/batch`, { key, body: { vectors: some.map((id) => ({ id, vector: vec(Math.floor(rnd() * 700)), metadata: { w, round } })) } });
            statuses.push(r.status);
          } else {
            for (const id of some) statuses.push((await call(server, 'DELETE', `${P}/collections/race/items/${id}`, { key })).status);
          }
        }
      }),
    );
    // THEN every request was answered (200, or 404 for a delete of an id already gone), and the tables keep the invariants
    expect(statuses.every((s) => s === 200 || s === 404)).toBe(true);
    const info = await observer.getCollection('battery', 'race');
    const scan = await scanCollection(testClient(), tables, info);
    expect(scan.orphans).toEqual([]);
    expect(scan.missing).toEqual([]);
    expect(scan.unsettled).toEqual([]);
    expect(info.vectorCount).toBe(scan.ids.length);
    // AND every live id answers through any query instance, every other id answers 404
    for (const id of ids) {
      const r = await call(server, 'GET', `${P}/collections/race/items/${id}`, { key });
      expect(r.status).toBe(scan.ids.includes(id) ? 200 : 404);
    }
  }, 300_000);

  test('a collection dropped and re-created over HTTP while clients write to it keeps nothing of the old one', async () => {
    // GIVEN writers upserting into a collection through random write instances
    expect((await call(server, 'POST', `${P}/collections`, { key, body: { name: 'churn', n_features: 384 } })).status).toBe(200);
    const before = await observer.getCollection('battery', 'churn');
    let stop = false;
    const writers = Array.from({ length: 2 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const ids = [`w${w}-${i}a`, `w${w}-${i}b`];
        const r = await call(server, 'POST', `${P}/collections/churn/items/batch`, { key, body: { vectors: ids.map((id, j) => ({ id, vector: vec(i * 2 + j) })) } });
        // a write that meets the drop is refused (404 or 409), never acknowledged into the dropped collection
        if (r.status !== 200) expect([404, 409]).toContain(r.status);
      }
    });
    // WHEN the collection is dropped and re-created (same name, other dimension count) through the admin instances
    await new Promise((r) => setTimeout(r, 300));
    expect((await call(server, 'DELETE', `${P}/collections/churn`, { key })).status).toBe(200);
    expect((await call(server, 'POST', `${P}/collections`, { key, body: { name: 'churn', n_features: 384 } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(writers);
    // THEN the new collection holds only writes acknowledged after it existed, each readable; the old uid's items are never read
    const after = await observer.getCollection('battery', 'churn');
    expect(after.uid).not.toBe(before.uid);
    const scan = await scanCollection(testClient(), tables, after);
    expect(scan.orphans).toEqual([]);
    expect(scan.missing).toEqual([]);
    expect(after.vectorCount).toBe(scan.ids.length);
    for (const id of scan.ids) expect((await call(server, 'GET', `${P}/collections/churn/items/${id}`, { key })).status).toBe(200);
  }, 300_000);
});
