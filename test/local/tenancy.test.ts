// Tests tenancy over HTTP: a project key cannot read, write or list another project; the admin key reaches all.
import type { LocalServer } from '../../lib/local/server';
import { call, createProject, startTestServer, vectors } from './http';

/** A project key reaches only its own project: it cannot read, write or list another project. */
describe('tenancy isolation', () => {
  let server: LocalServer;
  let a: { projectId: string; key: string };
  let b: { projectId: string; key: string };
  const v = vectors(5, 4, 3);
  const B = '/projects/beta';
  const BC = `${B}/collections/secret`;

  beforeAll(async () => {
    server = await startTestServer();
    a = await createProject(server, 'alpha');
    b = await createProject(server, 'beta');
    expect((await call(server, 'POST', `${B}/collections`, { key: b.key, body: { name: 'secret', n_features: 4 } })).status).toBe(200);
    const batch = v.map((vector, i) => ({ id: `b${i}`, vector }));
    expect((await call(server, 'POST', `${BC}/items/batch`, { key: b.key, body: { vectors: batch } })).status).toBe(200);
  });
  afterAll(() => server?.stop());

  const attempts: [string, string, unknown][] = [
    ['GET', B, null],
    ['DELETE', B, null],
    ['GET', `${B}/collections`, null],
    ['POST', `${B}/collections`, { name: 'intruder', n_features: 4 }],
    ['GET', BC, null],
    ['DELETE', BC, null],
    ['GET', `${BC}/items`, null],
    ['POST', `${BC}/items`, { id: 'x', vector: [1, 2, 3, 4] }],
    ['POST', `${BC}/items/batch`, { vectors: [{ id: 'x', vector: [1, 2, 3, 4] }] }],
    ['GET', `${BC}/items/b0`, null],
    ['DELETE', `${BC}/items/b0`, null],
    ['POST', `${BC}/search`, { query: [1, 2, 3, 4], limit: 3 }],
    ['POST', `${BC}/search`, { id: 'b0', limit: 3 }],
    ['POST', `${BC}/items/batch-get`, { ids: ['b0', 'b1'] }],
    ['POST', `${BC}/items/batch-delete`, { ids: ['b0', 'b1'] }],
    ['POST', `${BC}/items/delete-by-filter`, { filter: { any: { $exists: false } } }],
    ['PATCH', `${BC}/items/b0`, { metadata: { owner: 'alpha' } }],
    ['GET', `${BC}/items?prefix=b&include_vector=true&include_metadata=true`, null],
  ];

  test.each(attempts)("project alpha's key gets 403 on %s %s", async (method, path, body) => {
    const r = await call(server, method, path, { key: a.key, body: body ?? undefined });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('Forbidden');
  });

  test("after every attempt, beta's data is intact", async () => {
    const cols = await call(server, 'GET', `${B}/collections`, { key: b.key });
    expect(cols.body.map((c: { name: string }) => c.name)).toEqual(['secret']);
    const ids = await call(server, 'GET', `${BC}/items?limit=100`, { key: b.key });
    expect(ids.body.ids.sort()).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    expect((await call(server, 'GET', `${BC}/items/x`, { key: b.key })).status).toBe(404);
    const b0 = await call(server, 'GET', `${BC}/items/b0`, { key: b.key });
    expect(b0.body.metadata).toEqual({});
  });

  test("alpha's batch routes on its own path do not reach beta's items", async () => {
    const got = await call(server, 'POST', '/projects/alpha/collections/secret/items/batch-get', { key: a.key, body: { ids: ['b0'] } });
    expect(got.status).toBe(404);
    const del = await call(server, 'POST', '/projects/alpha/collections/secret/items/batch-delete', { key: a.key, body: { ids: ['b0'] } });
    expect(del.status).toBe(404);
  });

  test("alpha cannot reach beta's collection through its own project path either", async () => {
    const r = await call(server, 'GET', '/projects/alpha/collections/secret', { key: a.key });
    expect(r.status).toBe(404);
    const s = await call(server, 'POST', '/projects/alpha/collections/secret/search', { key: a.key, body: { query: v[0] } });
    expect(s.status).toBe(404);
  });

  test("alpha's project listing shows only its own collections", async () => {
    expect((await call(server, 'POST', '/projects/alpha/collections', { key: a.key, body: { name: 'mine', n_features: 4 } })).status).toBe(200);
    const r = await call(server, 'GET', '/projects/alpha/collections', { key: a.key });
    expect(r.body.map((c: { name: string }) => c.name)).toEqual(['mine']);
  });

  test('the admin key reaches every project', async () => {
    const r = await call(server, 'POST', `${BC}/search`, { key: server.adminKey, body: { query: v[2], limit: 1, include_vector: false } });
    expect(r.status).toBe(200);
    expect(r.body[0].id).toBe('b2');
  });
});
