// Tests that the item ids "." and ".." are refused by the API and never sent by the SDK.
import { logger } from '../../lambda/api/logger';
import { WhiplashClient, WhiplashError } from '../../lib/client';
import type { LocalServer } from '../../lib/local/server';
import { call, createProject, startTestServer } from '../local/http';

/**
 * An item id is also a URL path segment. "." and ".." are resolved by every WHATWG URL parser
 * (fetch, the local gateway, browsers), also when written %2e: `DELETE .../items/..` becomes
 * `DELETE .../collections/{name}`. So those two ids must never exist, and the SDK must never send them.
 */
describe('dot-segment item ids', () => {
  let server: LocalServer;
  let key: string;
  const C = '/projects/dots/collections/docs';

  beforeAll(async () => {
    server = await startTestServer();
    logger.setLogLevel('ERROR');
    ({ key } = await createProject(server, 'dots'));
    expect((await call(server, 'POST', '/projects/dots/collections', { key, body: { name: 'docs', n_features: 2 } })).status).toBe(200);
  });
  afterAll(() => server?.stop());

  test.each(['.', '..'])('the API refuses the id %j with 400 naming the field, in a single and a batch upsert', async (id) => {
    const one = await call(server, 'POST', `${C}/items`, { key, body: { id, vector: [1, 2] } });
    expect(one.status).toBe(400);
    expect(one.body.error.field).toBe('id');
    const batch = await call(server, 'POST', `${C}/items/batch`, { key, body: { vectors: [{ id, vector: [1, 2] }] } });
    expect(batch.status).toBe(400);
    expect(batch.body.error.field).toBe('vectors[0].id');
  });

  test('the SDK refuses to address "." or ".." and so never deletes the collection by accident', async () => {
    const coll = new WhiplashClient({ apiUrl: server.url, apiKey: key, retry: { maxRetries: 0 } }).collection('dots', 'docs');
    await coll.upsert({ id: 'keep', vector: [1, 0] });
    for (const id of ['.', '..']) {
      await expect(coll.delete(id)).rejects.toBeInstanceOf(WhiplashError);
      await expect(coll.get(id)).rejects.toBeInstanceOf(WhiplashError);
    }
    expect((await coll.get('keep')).vector).toEqual([1, 0]);
    expect((await call(server, 'GET', C, { key })).status).toBe(200);
  });
});
