// Tests every route and error status of the REST API over real HTTP against the local server.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dropTables } from '../../lambda/store/local-tables';
import { prefixedTableNames } from '../../lambda/store/table-definitions';
import { LOCAL_CLIENT_CONFIG } from '../../lib/local/dynamodb-local';
import type { LocalServer } from '../../lib/local/server';
import { testEndpoint } from '../support/tables';
import { call, createProject, startTestServer, vectors } from './http';

/** Every route and every error status of the REST API, over real HTTP against the local server. */
describe('REST API over HTTP (local server)', () => {
  let server: LocalServer;
  let key: string;
  const P = '/projects/acme';
  const C = `${P}/collections/docs`;
  const data = vectors(60, 8, 7);

  beforeAll(async () => {
    server = await startTestServer();
    ({ key } = await createProject(server, 'acme'));
  });
  afterAll(() => server?.stop());

  describe('gateway', () => {
    test('answers 404 naming the route for an unknown path and 405 for a known path with another method', async () => {
      const a = await call(server, 'GET', '/nothing-here', { key });
      expect(a.status).toBe(404);
      expect(a.body.error).toMatchObject({ status: 404, code: 'RouteNotFound' });
      const b = await call(server, 'POST', C, { key, body: {} });
      expect(b.status).toBe(405);
      expect(b.body.error.code).toBe('MethodNotAllowed');
    });

    test('a missing or unknown API key gets 403 {"message":"Forbidden"} like API Gateway', async () => {
      for (const k of [undefined, 'not-a-key']) {
        const r = await call(server, 'GET', `${P}/collections`, { key: k });
        expect(r.status).toBe(403);
        expect(r.body.message).toBe('Forbidden');
        expect(r.body.error).toMatchObject({ status: 403, code: 'Forbidden' });
      }
    });

    test('every response carries a request id', async () => {
      const r = await call(server, 'GET', '/projects', { key: server.adminKey });
      expect(r.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('projects', () => {
    test('creating a project returns it with its API key once; a duplicate gets 409', async () => {
      const r = await call(server, 'POST', '/projects', { key: server.adminKey, body: { name: 'Second project', projectId: 'second' } });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ projectId: 'second', name: 'Second project' });
      expect(typeof r.body.apiKey).toBe('string');
      expect(r.body.apiKey.length).toBeGreaterThanOrEqual(30);
      const dup = await call(server, 'POST', '/projects', { key: server.adminKey, body: { name: 'again', projectId: 'second' } });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('Conflict');
      const list = await call(server, 'GET', '/projects', { key: server.adminKey });
      expect(list.status).toBe(200);
      expect(list.body.map((p: { projectId: string }) => p.projectId)).toEqual(expect.arrayContaining(['acme', 'second']));
    });

    test('a name that is not a valid id needs an explicit projectId (400 naming projectId)', async () => {
      const r = await call(server, 'POST', '/projects', { key: server.adminKey, body: { name: 'has spaces' } });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ status: 400, code: 'ValidationError', field: 'projectId' });
    });

    test('a project key may describe its project but not create or list projects', async () => {
      expect((await call(server, 'GET', P, { key })).body).toMatchObject({ projectId: 'acme' });
      expect((await call(server, 'POST', '/projects', { key, body: { name: 'x' } })).status).toBe(403);
      expect((await call(server, 'GET', '/projects', { key })).status).toBe(403);
    });

    test('an unknown project is 404 for the admin key', async () => {
      const r = await call(server, 'GET', '/projects/nope', { key: server.adminKey });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('NotFound');
    });
  });

  describe('collections', () => {
    test('create accepts name + n_features and answers the collection with n_features', async () => {
      const r = await call(server, 'POST', `${P}/collections`, { key, body: { name: 'docs', n_features: 8, metric: 'cosine' } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ name: 'docs', dimension: 8, n_features: 8, metric: 'cosine' });
      expect(r.body.uid).toBeUndefined();
    });

    test('create accepts the aliases collection_name + dimension', async () => {
      const r = await call(server, 'POST', `${P}/collections`, { key, body: { collection_name: 'alias', dimension: 4, metric: 'euclidean' } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ name: 'alias', n_features: 4, metric: 'euclidean' });
    });

    test('a duplicate collection gets 409', async () => {
      const r = await call(server, 'POST', `${P}/collections`, { key, body: { name: 'docs', n_features: 8 } });
      expect(r.status).toBe(409);
    });

    test.each([
      [{ name: 'x1' }, 'n_features', 'is required'],
      [{ n_features: 3 }, 'name', 'is required'],
      [{ name: 'x2', n_features: 0 }, 'n_features', 'must be >= 1'],
      [{ name: 'x3', n_features: 5000 }, 'n_features', 'must be <= 4096'],
      [{ name: 'x4', n_features: 3, metric: 'manhattan' }, 'metric', 'must be one of'],
      [{ name: 'bad name', n_features: 3 }, 'name', 'must match pattern'],
      [{ name: 'x5', n_features: 3, colour: 'red' }, 'colour', 'is not an allowed field'],
      [{ name: 'x6', n_features: 3, index: { hashTables: 999 } }, 'index.hashTables', ''],
    ])('bad create body %j is a 400 naming %s and changes nothing', async (body, field, rule) => {
      const r = await call(server, 'POST', `${P}/collections`, { key, body });
      expect(r.status).toBe(400);
      expect(r.body.error.field).toBe(field);
      expect(r.body.error.rule).toContain(rule);
      const list = await call(server, 'GET', `${P}/collections`, { key });
      expect(list.body.map((c: { name: string }) => c.name)).not.toContain((body as { name?: string }).name ?? '-');
    });

    test('list and describe; an unknown collection is 404', async () => {
      const list = await call(server, 'GET', `${P}/collections`, { key });
      expect(list.status).toBe(200);
      expect(list.body.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['docs', 'alias']));
      const one = await call(server, 'GET', C, { key });
      expect(one.body).toMatchObject({ name: 'docs', n_features: 8 });
      expect((await call(server, 'GET', `${P}/collections/missing`, { key })).status).toBe(404);
    });
  });

  describe('items', () => {
    test('insert one {id, vector, metadata} and read it back as {id, vector, metadata}', async () => {
      const r = await call(server, 'POST', `${C}/items`, { key, body: { id: 'v0', vector: data[0], metadata: { kind: 'even', n: 0 } } });
      expect(r.status).toBe(200);
      const got = await call(server, 'GET', `${C}/items/v0`, { key });
      expect(got.status).toBe(200);
      expect(Object.keys(got.body).sort()).toEqual(['id', 'metadata', 'vector']);
      expect(got.body.id).toBe('v0');
      expect(got.body.metadata).toEqual({ kind: 'even', n: 0 });
      got.body.vector.forEach((x: number, i: number) => expect(x).toBeCloseTo(data[0][i], 5));
    });

    test('insert a batch {vectors: [...]}', async () => {
      const batch = data.slice(1).map((v, i) => ({ id: `v${i + 1}`, vector: v, metadata: { kind: (i + 1) % 2 ? 'odd' : 'even', n: i + 1 } }));
      const r = await call(server, 'POST', `${C}/items/batch`, { key, body: { vectors: batch } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ upserted: batch.length });
    });

    test('a vector of the wrong dimension is a 400 naming the vector', async () => {
      const r = await call(server, 'POST', `${C}/items`, { key, body: { id: 'bad', vector: [1, 2, 3] } });
      expect(r.status).toBe(400);
      expect(r.body.error.field).toMatch(/vector/);
      expect((await call(server, 'GET', `${C}/items/bad`, { key })).status).toBe(404);
    });

    test('a non-number component is a 400 naming its index', async () => {
      const bad = [...data[0]];
      (bad as unknown[])[3] = 'x';
      const r = await call(server, 'POST', `${C}/items/batch`, { key, body: { vectors: [{ id: 'a', vector: data[0] }, { id: 'b', vector: bad }] } });
      expect(r.status).toBe(400);
      expect(r.body.error.field).toBe('vectors[1].vector[3]');
      expect((await call(server, 'GET', `${C}/items/a`, { key })).status).toBe(404);
    });

    test('more than 500 vectors in a batch is a 400 saying so', async () => {
      const many = Array.from({ length: 501 }, (_, i) => ({ id: `m${i}`, vector: data[i % data.length] }));
      const r = await call(server, 'POST', `${C}/items/batch`, { key, body: { vectors: many } });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ field: 'vectors' });
      expect(r.body.error.rule).toContain('500');
    });

    test('a body over 10 MB is a 413', async () => {
      const r = await call(server, 'POST', `${C}/items`, { key, body: `{"id":"big","vector":[${'0.123456789,'.repeat(1_000_000)}1]}` });
      expect(r.status).toBe(413);
      expect(r.body.error.code).toBe('PayloadTooLarge');
    });

    test('malformed JSON and a missing body are 400s naming the body', async () => {
      const a = await call(server, 'POST', `${C}/items`, { key, body: '{"id": ' });
      expect(a.status).toBe(400);
      expect(a.body.error).toMatchObject({ field: 'body', rule: 'must be valid JSON' });
      const b = await call(server, 'POST', `${C}/search`, { key });
      expect(b.status).toBe(400);
      expect(b.body.error.field).toBe('body');
    });

    test('an unknown item is 404; inserting into an unknown collection is 404', async () => {
      expect((await call(server, 'GET', `${C}/items/zzz`, { key })).status).toBe(404);
      const r = await call(server, 'POST', `${P}/collections/missing/items`, { key, body: { id: 'x', vector: [1] } });
      expect(r.status).toBe(404);
    });

    test('GET items lists every id once, a page at a time, with limit and cursor', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const r = await call(server, 'GET', `${C}/items?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key });
        expect(r.status).toBe(200);
        expect(r.body.ids.length).toBeLessThanOrEqual(7);
        seen.push(...r.body.ids);
        cursor = r.body.cursor;
        pages++;
      } while (cursor && pages < 50);
      expect(seen.sort()).toEqual(data.map((_, i) => `v${i}`).sort());
      expect(pages).toBeGreaterThan(1);
    });

    test('a bad page size is a 400 naming limit', async () => {
      for (const q of ['limit=0', 'limit=abc', 'limit=5000']) {
        const r = await call(server, 'GET', `${C}/items?${q}`, { key });
        expect(r.status).toBe(400);
        expect(r.body.error.field).toBe('limit');
      }
    });
  });

  describe('search', () => {
    test('{query, limit} returns a list of {id, dist, score, vector}, nearest first, vector included by default', async () => {
      const r = await call(server, 'POST', `${C}/search`, { key, body: { query: data[5], limit: 5 } });
      expect(r.status).toBe(200);
      expect(Array.isArray(r.body)).toBe(true);
      expect(r.body).toHaveLength(5);
      expect(r.body[0].id).toBe('v5');
      expect(r.body[0].dist).toBeCloseTo(0, 4);
      for (const m of r.body) {
        expect(Object.keys(m).sort()).toEqual(['dist', 'id', 'score', 'vector']);
        expect(m.vector).toHaveLength(8);
      }
      const dists = r.body.map((m: { dist: number }) => m.dist);
      expect([...dists].sort((a, b) => a - b)).toEqual(dists);
    });

    test('include_vector false and include_metadata true shape each match', async () => {
      const r = await call(server, 'POST', `${C}/search`, { key, body: { query: data[5], limit: 3, include_vector: false, include_metadata: true } });
      expect(r.status).toBe(200);
      for (const m of r.body) {
        expect(m.vector).toBeUndefined();
        expect(m.metadata).toHaveProperty('kind');
      }
    });

    test('filter restricts matches to the metadata it names', async () => {
      const r = await call(server, 'POST', `${C}/search`, {
        key,
        body: { query: data[5], limit: 10, filter: { kind: { $eq: 'even' } }, include_metadata: true, include_vector: false },
      });
      expect(r.status).toBe(200);
      expect(r.body.length).toBeGreaterThan(0);
      for (const m of r.body) expect(m.metadata.kind).toBe('even');
    });

    test('the default limit is 10', async () => {
      const r = await call(server, 'POST', `${C}/search`, { key, body: { query: data[1] } });
      expect(r.body).toHaveLength(10);
    });

    test.each([
      [{ limit: 5 }, 'query'],
      [{ query: [1, 2] }, 'query'],
      [{ query: 'abc' }, 'query'],
      [{ query: data[0], limit: 0 }, 'limit'],
      [{ query: data[0], limit: 1001 }, 'limit'],
      [{ query: data[0], include_vector: 'yes' }, 'include_vector'],
      [{ query: data[0], filter: { n: { $near: 3 } } }, 'filter'],
    ])('bad search %j is a 400 naming %s', async (body, field) => {
      const r = await call(server, 'POST', `${C}/search`, { key, body });
      expect(r.status).toBe(400);
      expect(r.body.error.field).toContain(field);
    });
  });

  describe('deletes', () => {
    test('DELETE an item: 200, then 404, and it is gone from reads and searches', async () => {
      expect((await call(server, 'DELETE', `${C}/items/v5`, { key })).status).toBe(200);
      expect((await call(server, 'DELETE', `${C}/items/v5`, { key })).status).toBe(404);
      expect((await call(server, 'GET', `${C}/items/v5`, { key })).status).toBe(404);
      const r = await call(server, 'POST', `${C}/search`, { key, body: { query: data[5], limit: 5 } });
      expect(r.body.map((m: { id: string }) => m.id)).not.toContain('v5');
    });

    test('DELETE a collection: 200, then it is 404 and a new one of that name starts empty', async () => {
      expect((await call(server, 'DELETE', `${P}/collections/alias`, { key })).status).toBe(200);
      expect((await call(server, 'GET', `${P}/collections/alias`, { key })).status).toBe(404);
      expect((await call(server, 'DELETE', `${P}/collections/alias`, { key })).status).toBe(404);
      const again = await call(server, 'POST', `${P}/collections`, { key, body: { name: 'alias', n_features: 4 } });
      expect(again.status).toBe(200);
      const ids = await call(server, 'GET', `${P}/collections/alias/items`, { key });
      expect(ids.body.ids).toEqual([]);
    });

    test('DELETE a project (admin only): its key stops working and the project is 404', async () => {
      const { key: k } = await createProject(server, 'doomed');
      expect((await call(server, 'POST', '/projects/doomed/collections', { key: k, body: { name: 'c', n_features: 2 } })).status).toBe(200);
      expect((await call(server, 'DELETE', '/projects/doomed', { key: k })).status).toBe(403);
      expect((await call(server, 'DELETE', '/projects/doomed', { key: server.adminKey })).status).toBe(200);
      const after = await call(server, 'GET', '/projects/doomed/collections', { key: k });
      expect(after.status).toBe(403);
      expect(after.body.message).toBe('Forbidden');
      expect((await call(server, 'GET', '/projects/doomed', { key: server.adminKey })).status).toBe(404);
      expect((await call(server, 'DELETE', '/projects/doomed', { key: server.adminKey })).status).toBe(404);
    });
  });
});

describe('our own faults', () => {
  test('are a 500 with a generic message and the request id, never the internals', async () => {
    const prefix = `t500${Date.now().toString(36)}-`;
    const server = await startTestServer({ tablePrefix: prefix });
    try {
      const client = new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint: testEndpoint() });
      await dropTables(client, prefixedTableNames(prefix)); // the store's tables vanish under it
      client.destroy();
      const r = await call(server, 'GET', '/projects', { key: server.adminKey });
      expect(r.status).toBe(500);
      expect(r.body.error.code).toBe('InternalError');
      expect(r.body.error.requestId).toBe(r.headers.get('x-amzn-requestid'));
      expect(r.body.error.message).not.toMatch(/table|dynamo|resource/i);
    } finally {
      await server.stop();
    }
  });
});
