// Tests the batch routes over real HTTP against the local server (issue #15): batch get and delete, delete by
// filter, search by a stored id, the metadata-only PATCH and the listing by prefix with vectors and metadata;
// after each write, a scan of the tables checks that bucket entries and vector items still agree.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { MAX_DELETE_BATCH, MAX_GET_BATCH, MAX_LIST_DATA_LIMIT } from '../../lambda/core/limits';
import type { Item } from '../../lambda/store/batch';
import { prefixedTableNames, TableNames } from '../../lambda/store/table-definitions';
import { WhiplashStore } from '../../lambda/store/store';
import type { LocalServer } from '../../lib/local/server';
import { scanCollection } from '../support/invariants';
import { testClient } from '../support/tables';
import { call, createProject, startTestServer, vectors } from './http';

describe('batch routes over HTTP (local server)', () => {
  let server: LocalServer;
  let key: string;
  let client: DynamoDBClient;
  let tables: TableNames;
  const prefix = `b${randomUUID().slice(0, 8)}-`;
  const P = '/projects/bulk';
  const dim = 6;
  const data = vectors(120, dim, 11);
  const meta = (i: number) => ({ colour: i % 3 === 0 ? 'red' : 'blue', n: i });
  const C = (name: string) => `${P}/collections/${name}`;

  /** Creates a collection holding `data` as ids `v000`..`v119`, metadata `meta(i)`. */
  async function seeded(name: string): Promise<void> {
    expect((await call(server, 'POST', `${P}/collections`, { key, body: { name, n_features: dim } })).status).toBe(200);
    const batch = data.map((vector, i) => ({ id: `v${String(i).padStart(3, '0')}`, vector, metadata: meta(i) }));
    expect((await call(server, 'POST', `${C(name)}/items/batch`, { key, body: { vectors: batch } })).status).toBe(200);
  }

  /** The collection's items as the tables hold them: invariants, and each bucket entry's metadata. */
  async function scan(name: string) {
    const info = await new WhiplashStore({ client, tables }).getCollection('bulk', name);
    const s = await scanCollection(client, tables, info);
    const entries: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: tables.buckets, ExclusiveStartKey: start, ConsistentRead: true }));
      entries.push(...(page.Items ?? []).filter((e) => e.pk.S!.startsWith(info.uid)));
      start = page.LastEvaluatedKey;
    } while (start);
    return { ...s, entries, count: info.vectorCount };
  }

  beforeAll(async () => {
    server = await startTestServer({ tablePrefix: prefix });
    tables = prefixedTableNames(prefix);
    client = testClient();
    ({ key } = await createProject(server, 'bulk'));
    await seeded('docs');
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  describe('batch get (POST .../items/batch-get)', () => {
    test('answers the vectors found in the order asked, and the ids not found', async () => {
      const r = await call(server, 'POST', `${C('docs')}/items/batch-get`, { key, body: { ids: ['v007', 'nope', 'v002', 'v007', 'gone'] } });
      expect(r.status).toBe(200);
      expect(r.body.vectors.map((v: { id: string }) => v.id)).toEqual(['v007', 'v002']);
      expect(r.body.notFound).toEqual(['nope', 'gone']);
      // the stored float32 values, each printed with the fewest digits that read back as it
      expect(Array.from(Float32Array.from(r.body.vectors[0].vector))).toEqual(Array.from(Float32Array.from(data[7])));
      expect(JSON.stringify(r.body.vectors[0].vector).length).toBeLessThan(JSON.stringify(Array.from(Float32Array.from(data[7]))).length);
      expect(r.body.vectors[0].metadata).toEqual(meta(7));
    });

    test('include_vector / include_metadata false leave them out', async () => {
      const r = await call(server, 'POST', `${C('docs')}/items/batch-get`, { key, body: { ids: ['v001'], include_vector: false, include_metadata: false } });
      expect(r.body).toEqual({ vectors: [{ id: 'v001' }], notFound: [] });
    });

    test(`more than ${MAX_GET_BATCH} ids, none, or a bad id is a 400 naming the field`, async () => {
      const many = Array.from({ length: MAX_GET_BATCH + 1 }, (_, i) => `x${i}`);
      for (const [body, field] of [
        [{ ids: many }, 'ids'],
        [{ ids: [] }, 'ids'],
        [{ ids: ['ok', 7] }, 'ids[1]'],
        [{ ids: ['a\u0001b'] }, 'ids[0]'],
        [{}, 'ids'],
      ] as const) {
        const r = await call(server, 'POST', `${C('docs')}/items/batch-get`, { key, body });
        expect([r.status, r.body.error.field]).toEqual([400, field]);
      }
      expect((await call(server, 'POST', `${C('docs')}/items/batch-get`, { key, body: { ids: many.slice(0, MAX_GET_BATCH) } })).status).toBe(200);
    });
  });

  describe('listing (GET .../items?prefix=&include_vector=&include_metadata=)', () => {
    test('a prefix lists only its ids, page by page, with vectors and metadata when asked', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const qs = new URLSearchParams({ prefix: 'v01', limit: '4', include_vector: 'true', include_metadata: 'true', ...(cursor ? { cursor } : {}) });
        const r = await call(server, 'GET', `${C('docs')}/items?${qs}`, { key });
        expect(r.status).toBe(200);
        expect(r.body.ids.length).toBeLessThanOrEqual(4);
        expect(r.body.vectors.map((v: { id: string }) => v.id)).toEqual(r.body.ids);
        for (const v of r.body.vectors) {
          const i = Number(v.id.slice(1));
          expect(Array.from(Float32Array.from(v.vector))).toEqual(Array.from(Float32Array.from(data[i])));
          expect(v.metadata).toEqual(meta(i));
        }
        seen.push(...r.body.ids);
        cursor = r.body.cursor;
      } while (cursor);
      expect(seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `v01${i}`));
    });

    test('without include flags the answer is ids only, as before; metadata alone leaves vectors out', async () => {
      const r = await call(server, 'GET', `${C('docs')}/items?prefix=v11`, { key });
      expect(r.body).toEqual({ ids: expect.any(Array) });
      expect(r.body.ids.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `v11${i}`));
      const m = await call(server, 'GET', `${C('docs')}/items?prefix=v119&include_metadata=true`, { key });
      expect(m.body.vectors).toEqual([{ id: 'v119', metadata: meta(119) }]);
      expect((await call(server, 'GET', `${C('docs')}/items?prefix=zz`, { key })).body).toEqual({ ids: [] });
    });

    test(`with vectors a page holds at most ${MAX_LIST_DATA_LIMIT}; bad parameters are 400s naming them`, async () => {
      const big = await call(server, 'GET', `${C('docs')}/items?limit=${MAX_LIST_DATA_LIMIT + 1}&include_vector=true`, { key });
      expect([big.status, big.body.error.field]).toEqual([400, 'limit']);
      expect((await call(server, 'GET', `${C('docs')}/items?limit=${MAX_LIST_DATA_LIMIT + 1}`, { key })).status).toBe(200);
      const flag = await call(server, 'GET', `${C('docs')}/items?include_vector=maybe`, { key });
      expect([flag.status, flag.body.error.field]).toEqual([400, 'include_vector']);
      const long = await call(server, 'GET', `${C('docs')}/items?prefix=${'p'.repeat(600)}`, { key });
      expect([long.status, long.body.error.field]).toEqual([400, 'prefix']);
    });
  });

  describe('search by stored id (POST .../search with id)', () => {
    test('ranks the collection against the stored vector: the same answer as searching with the vector', async () => {
      const byId = await call(server, 'POST', `${C('docs')}/search`, { key, body: { id: 'v042', limit: 5, include_vector: false } });
      expect(byId.status).toBe(200);
      const byVector = await call(server, 'POST', `${C('docs')}/search`, { key, body: { query: Array.from(Float32Array.from(data[42])), limit: 5, include_vector: false } });
      expect(byId.body).toEqual(byVector.body);
      expect(byId.body[0].id).toBe('v042');
      const filtered = await call(server, 'POST', `${C('docs')}/search`, { key, body: { id: 'v042', limit: 5, filter: { colour: 'red' }, include_metadata: true } });
      expect(filtered.body.length).toBeGreaterThan(0);
      expect(filtered.body.every((m: { metadata: { colour: string } }) => m.metadata.colour === 'red')).toBe(true);
    });

    test('both query and id, or neither, is a 400 naming the field; an unknown id is a 404', async () => {
      const both = await call(server, 'POST', `${C('docs')}/search`, { key, body: { id: 'v001', query: data[1] } });
      expect([both.status, both.body.error.field]).toEqual([400, 'id']);
      const neither = await call(server, 'POST', `${C('docs')}/search`, { key, body: { limit: 3 } });
      expect([neither.status, neither.body.error.field]).toEqual([400, 'query']);
      const bad = await call(server, 'POST', `${C('docs')}/search`, { key, body: { id: '..' } });
      expect([bad.status, bad.body.error.field]).toEqual([400, 'id']);
      const missing = await call(server, 'POST', `${C('docs')}/search`, { key, body: { id: 'nope' } });
      expect([missing.status, missing.body.error.code]).toEqual([404, 'NotFound']);
    });
  });

  describe('metadata update (PATCH .../items/{itemId})', () => {
    beforeAll(() => seeded('patch'));

    test('merges by default, replaces with merge: false, keeps the vector, and rewrites every bucket entry', async () => {
      const merged = await call(server, 'PATCH', `${C('patch')}/items/v005`, { key, body: { metadata: { colour: 'green', extra: ['a', 'b'], n: null } } });
      expect(merged.status).toBe(200);
      expect(merged.body).toMatchObject({ id: 'v005', metadata: { colour: 'green', extra: ['a', 'b'] } });
      expect(Array.from(Float32Array.from(merged.body.vector))).toEqual(Array.from(Float32Array.from(data[5])));
      expect((await call(server, 'GET', `${C('patch')}/items/v005`, { key })).body.metadata).toEqual({ colour: 'green', extra: ['a', 'b'] });

      const replaced = await call(server, 'PATCH', `${C('patch')}/items/v006`, { key, body: { metadata: { only: 1 }, merge: false } });
      expect(replaced.body.metadata).toEqual({ only: 1 });

      // the bucket entries (what filters read) carry the new metadata, and nothing is left over
      const s = await scan('patch');
      expect([s.orphans, s.missing, s.unsettled]).toEqual([[], [], []]);
      const entryMeta = (id: string) => s.entries.filter((e) => e.sk.S!.endsWith(id)).map((e) => e.m?.S);
      expect(new Set(entryMeta('v005'))).toEqual(new Set([JSON.stringify({ colour: 'green', extra: ['a', 'b'] })]));
      expect(new Set(entryMeta('v006'))).toEqual(new Set([JSON.stringify({ only: 1 })]));
      expect(s.count).toBe(120);

      // and a filtered search finds it by its new metadata only
      const green = await call(server, 'POST', `${C('patch')}/search`, { key, body: { id: 'v005', limit: 3, filter: { colour: 'green' }, include_vector: false } });
      expect(green.body.map((m: { id: string }) => m.id)).toEqual(['v005']);
    });

    test('an unknown item is a 404; bad metadata is a 400 naming the key and changes nothing', async () => {
      const missing = await call(server, 'PATCH', `${C('patch')}/items/nope`, { key, body: { metadata: { a: 1 } } });
      expect([missing.status, missing.body.error.code]).toEqual([404, 'NotFound']);
      const before = await scan('patch');
      for (const [body, field] of [
        [{ metadata: { a: { nested: 1 } } }, 'metadata.a'],
        [{ metadata: { $bad: 1 } }, 'metadata.$bad'],
        [{ metadata: { a: null }, merge: false }, 'metadata.a'],
        [{ metadata: { big: 'x'.repeat(3000) } }, 'metadata'],
        [{}, 'metadata'],
        [{ metadata: {}, vector: [1] }, 'vector'],
      ] as const) {
        const r = await call(server, 'PATCH', `${C('patch')}/items/v010`, { key, body });
        expect([r.status, r.body.error.field]).toEqual([400, field]);
      }
      const after = await scan('patch');
      expect(after.entries).toEqual(before.entries);
    });

    test('concurrent updates of one id all succeed, and the entries end with the metadata of the item', async () => {
      // a request that meets a kept-alive connection the server just closed never reached it: sent again once
      const patch = (i: number) => call(server, 'PATCH', `${C('patch')}/items/v020`, { key, body: { metadata: { [`k${i}`]: i } } });
      const rs = await Promise.all(
        Array.from({ length: 6 }, (_, i) => patch(i).catch((err: Error & { cause?: { code?: string } }) => (err.cause?.code === 'ECONNRESET' ? patch(i) : Promise.reject(err)))),
      );
      expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      const stored = (await call(server, 'GET', `${C('patch')}/items/v020`, { key })).body.metadata;
      // every merge was applied on top of the one before it: no update was lost
      expect(Object.keys(stored).filter((k) => k.startsWith('k')).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
      const s = await scan('patch');
      expect([s.orphans, s.missing, s.unsettled]).toEqual([[], [], []]);
      expect(new Set(s.entries.filter((e) => e.sk.S!.endsWith('v020')).map((e) => e.m?.S))).toEqual(new Set([JSON.stringify(stored)]));
    });
  });

  describe('batch delete (POST .../items/batch-delete)', () => {
    beforeAll(() => seeded('del'));

    test('deletes the ids found with their bucket entries, and names the ids not found', async () => {
      const r = await call(server, 'POST', `${C('del')}/items/batch-delete`, { key, body: { ids: ['v000', 'v001', 'nope', 'v001', 'v002'] } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ deleted: 3, notFound: ['nope'] });
      const again = await call(server, 'POST', `${C('del')}/items/batch-delete`, { key, body: { ids: ['v000', 'v003'] } });
      expect(again.body).toEqual({ deleted: 1, notFound: ['v000'] });
      const s = await scan('del');
      expect([s.orphans, s.missing, s.unsettled]).toEqual([[], [], []]);
      expect(s.ids).not.toEqual(expect.arrayContaining(['v000']));
      expect(s.ids).toHaveLength(116);
      expect(s.count).toBe(116);
    });

    test(`more than ${MAX_DELETE_BATCH} ids or a bad id is a 400 that deletes nothing`, async () => {
      const many = Array.from({ length: MAX_DELETE_BATCH + 1 }, (_, i) => `v${String(i).padStart(3, '0')}`);
      const r = await call(server, 'POST', `${C('del')}/items/batch-delete`, { key, body: { ids: many } });
      expect([r.status, r.body.error.field]).toEqual([400, 'ids']);
      const bad = await call(server, 'POST', `${C('del')}/items/batch-delete`, { key, body: { ids: ['v010', ''] } });
      expect([bad.status, bad.body.error.field]).toEqual([400, 'ids[1]']);
      expect((await scan('del')).ids).toHaveLength(116);
    });
  });

  describe('delete by filter (POST .../items/delete-by-filter)', () => {
    beforeAll(() => seeded('filt'));

    test('deletes exactly the matching vectors, and everything else stays', async () => {
      const r = await call(server, 'POST', `${C('filt')}/items/delete-by-filter`, { key, body: { filter: { colour: 'red', n: { $lt: 60 } } } });
      expect(r.status).toBe(200);
      const expected = data.map((_, i) => i).filter((i) => i % 3 === 0 && i < 60).map((i) => `v${String(i).padStart(3, '0')}`);
      expect(r.body.cursor).toBeUndefined();
      expect([...r.body.deleted].sort()).toEqual(expected);
      const s = await scan('filt');
      expect([s.orphans, s.missing, s.unsettled]).toEqual([[], [], []]);
      expect(s.ids).toHaveLength(120 - expected.length);
      expect(s.ids.some((id) => expected.includes(id))).toBe(false);
      expect(s.count).toBe(120 - expected.length);
    });

    test('an empty filter, a bad operator or a bad cursor is a 400 naming it', async () => {
      for (const [body, field] of [
        [{ filter: {} }, 'filter'],
        [{ filter: { n: { $near: 1 } } }, 'filter.n.$near'],
        [{ filter: { colour: 'red' }, cursor: 'not-a-cursor' }, 'cursor'],
        [{}, 'filter'],
      ] as const) {
        const r = await call(server, 'POST', `${C('filt')}/items/delete-by-filter`, { key, body });
        expect([r.status, r.body.error.field]).toEqual([400, field]);
      }
    });

    test(`more matches than one call deletes (${MAX_DELETE_BATCH}) answer a cursor, and following it deletes every match`, async () => {
      const name = 'filt-big';
      expect((await call(server, 'POST', `${P}/collections`, { key, body: { name, n_features: 2, index: { hashTables: 2 } } })).status).toBe(200);
      const n = 2 * MAX_DELETE_BATCH + 200;
      for (let i = 0; i < n; i += 500) {
        const batch = Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ id: `w${i + j}`, vector: [Math.cos(i + j), Math.sin(i + j)], metadata: { odd: (i + j) % 2 === 1 } }));
        expect((await call(server, 'POST', `${C(name)}/items/batch`, { key, body: { vectors: batch } })).status).toBe(200);
      }
      let cursor: string | undefined;
      let calls = 0;
      const deleted: string[] = [];
      do {
        const r = await call(server, 'POST', `${C(name)}/items/delete-by-filter`, { key, body: cursor ? { filter: { odd: true }, cursor } : { filter: { odd: true } } });
        expect(r.status).toBe(200);
        expect(r.body.deleted.length).toBeLessThanOrEqual(MAX_DELETE_BATCH);
        deleted.push(...r.body.deleted);
        cursor = r.body.cursor;
        calls++;
      } while (cursor);
      expect(calls).toBe(2);
      expect(new Set(deleted).size).toBe(n / 2);
      expect(deleted.every((id) => Number(id.slice(1)) % 2 === 1)).toBe(true);
      const left = await new WhiplashStore({ client, tables }).getCollection('bulk', name);
      expect(left.vectorCount).toBe(n / 2);
    }, 120_000);
  });

  test('every new route of another collection or project is a 404 / 403 and the OpenAPI document lists them', async () => {
    const doc = await call(server, 'GET', '/openapi.json');
    const ops = Object.values(doc.body.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(ops).toEqual(expect.arrayContaining(['getItems', 'deleteItems', 'deleteByFilter', 'updateItem']));
    expect(doc.body.paths[`/projects/{projectId}/collections/{collectionId}/items/{itemId}`].patch.requestBody).toBeDefined();
    const r = await call(server, 'POST', `${P}/collections/none/items/batch-get`, { key, body: { ids: ['a'] } });
    expect(r.status).toBe(404);
  });
});
