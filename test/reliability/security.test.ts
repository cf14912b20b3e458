// Tests tenancy over every route (a key reaches only its own project) and that key values and vectors never reach the logs.
import { randomUUID } from 'node:crypto';
import { logger } from '../../lambda/api/logger';
import { ROUTES, RouteDef } from '../../lambda/api/routes';
import { prefixedTableNames, TableNames } from '../../lambda/store/table-definitions';
import type { LocalServer } from '../../lib/local/server';
import { call, createProject, Reply, startTestServer } from '../local/http';
import { testClient } from '../support/tables';
import { tablesDigest } from './snapshot';

/**
 * Tenancy and secrets, over real HTTP against the local server. Every route of the route table
 * is exercised (iterating ROUTES, so a new route cannot escape): a project key never reaches
 * another project, admin routes refuse project keys, and missing, malformed and revoked keys get
 * 403 and change nothing. Key values and vector payloads never appear in the logs.
 */

const DIM = 4;
const ddb = testClient();

/** A valid body for each route that takes one: the refusal must come from the key, not the body. */
const VALID_BODY: Record<string, unknown> = {
  createProject: { name: 'intruder' },
  setProjectTier: { tier: 'default' },
  createCollection: { name: 'new-coll', n_features: DIM },
  upsertItem: { id: 'planted', vector: [9, 9, 9, 9] },
  upsertBatch: { vectors: [{ id: 'planted', vector: [9, 9, 9, 9] }] },
  search: { query: [1, 0, 0, 0], limit: 5 },
  getItems: { ids: ['secret-item'] },
  deleteItems: { ids: ['secret-item'] },
  deleteByFilter: { filter: { any: { $exists: false } } },
  updateItem: { metadata: { planted: true } },
};

function pathFor(route: RouteDef, projectId: string): string {
  return route.path.replace('{projectId}', projectId).replace('{collectionId}', 'docs').replace('{itemId}', 'secret-item');
}

async function send(server: LocalServer, route: RouteDef, projectId: string, key: string | undefined): Promise<Reply> {
  if (route.requestSchema && VALID_BODY[route.operationId] === undefined) throw new Error(`no valid body for ${route.operationId}: add one to VALID_BODY`);
  return call(server, route.method, pathFor(route, projectId), { key, body: route.requestSchema ? VALID_BODY[route.operationId] : undefined });
}

describe('tenancy and keys', () => {
  let server: LocalServer;
  let tables: TableNames;
  let alice: { projectId: string; key: string };
  let bob: { projectId: string; key: string };
  let revoked: { projectId: string; key: string };

  beforeAll(async () => {
    const prefix = `s${randomUUID().slice(0, 8)}-`;
    tables = prefixedTableNames(prefix);
    server = await startTestServer({ tablePrefix: prefix });
    alice = await createProject(server, 'alice');
    bob = await createProject(server, 'bob');
    for (const p of [alice, bob]) {
      expect((await call(server, 'POST', `/projects/${p.projectId}/collections`, { key: p.key, body: { name: 'docs', n_features: DIM } })).status).toBe(200);
      expect((await call(server, 'POST', `/projects/${p.projectId}/collections/docs/items`, { key: p.key, body: { id: 'secret-item', vector: [1, 0, 0, 0] } })).status).toBe(200);
    }
    // a project whose key is revoked by deleting the project
    revoked = await createProject(server, 'gone');
    expect((await call(server, 'DELETE', '/projects/gone', { key: server.adminKey })).status).toBe(200);
  });
  afterAll(() => server?.stop());

  test('the route table has the routes this test knows how to call', () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(14);
    for (const r of ROUTES.filter((x) => x.requestSchema)) expect(VALID_BODY[r.operationId]).toBeDefined();
  });

  test.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: a project key cannot reach another project, and changes nothing', async (_name, route) => {
    const before = await tablesDigest(ddb, tables);
    const r = await send(server, route, bob.projectId, alice.key);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ message: 'Forbidden', error: { status: 403, code: 'Forbidden' } });
    expect(JSON.stringify(r.body)).not.toContain('secret-item');
    expect(await tablesDigest(ddb, tables)).toBe(before);
  });

  test.each(ROUTES.filter((r) => r.auth === 'admin').map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: an admin route refuses a project key, even for its own project',
    async (_name, route) => {
      const before = await tablesDigest(ddb, tables);
      const r = await send(server, route, alice.projectId, alice.key);
      expect(r.status).toBe(403);
      expect(r.body.error.message).toMatch(/admin API key/);
      expect(await tablesDigest(ddb, tables)).toBe(before);
    },
  );

  const badKeys: [string, () => string | undefined][] = [
    ['missing', () => undefined],
    ['empty', () => ''],
    ['malformed (spaces)', () => '   '],
    ['malformed (4 KB)', () => 'k'.repeat(4096)],
    ['malformed (non-ASCII bytes)', () => Buffer.from('clé-ключ', 'utf8').toString('latin1')],
    ['another key with one character changed', () => alice.key.slice(0, -1) + (alice.key.endsWith('A') ? 'B' : 'A')],
    ['the admin key id instead of the key', () => 'lk-' + '0'.repeat(24)],
    ['revoked (project deleted)', () => revoked.key],
  ];
  test.each(badKeys)('a %s key gets 403 on every route and changes nothing', async (_name, keyOf) => {
    const before = await tablesDigest(ddb, tables);
    for (const route of ROUTES) {
      for (const projectId of [alice.projectId, revoked.projectId]) {
        const r = await send(server, route, projectId, keyOf());
        expect({ route: route.operationId, status: r.status }).toEqual({ route: route.operationId, status: 403 });
        expect(r.body.message).toBe('Forbidden');
      }
    }
    expect(await tablesDigest(ddb, tables)).toBe(before);
  });

  test('each key still reaches its own project (the refusals above are not a broken server)', async () => {
    for (const p of [alice, bob]) {
      const r = await call(server, 'GET', `/projects/${p.projectId}/collections/docs/items/secret-item`, { key: p.key });
      expect(r.status).toBe(200);
    }
    expect((await call(server, 'GET', '/projects', { key: server.adminKey })).status).toBe(200);
  });
});

describe('secrets never reach the logs', () => {
  test('API key values and vector payloads do not appear in any log line, at DEBUG level, on success and error paths', async () => {
    const lines: string[] = [];
    const server = await startTestServer({ log: (l) => lines.push(l) });
    const capture = (stream: NodeJS.WriteStream) => {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        lines.push(String(chunk));
        return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      return () => (stream.write = original as typeof stream.write);
    };
    const restoreOut = capture(process.stdout);
    const restoreErr = capture(process.stderr);
    logger.setLogLevel('DEBUG');
    // distinctive values that could only come from the payload
    const vector = [0.7182818, 0.3141592, 0.1414213, 0.1732050];
    const secretMeta = 'meta-secret-7f3a';
    let projectKey = '';
    try {
      const p = await createProject(server, 'logged');
      projectKey = p.key;
      const C = '/projects/logged/collections/docs';
      await call(server, 'POST', '/projects/logged/collections', { key: p.key, body: { name: 'docs', n_features: 4 } });
      await call(server, 'POST', `${C}/items`, { key: p.key, body: { id: 'a', vector, metadata: { note: secretMeta } } });
      await call(server, 'POST', `${C}/items/batch`, { key: p.key, body: { vectors: [{ id: 'b', vector, metadata: { note: secretMeta } }] } });
      await call(server, 'POST', `${C}/search`, { key: p.key, body: { query: vector, limit: 2, include_metadata: true } });
      await call(server, 'GET', `${C}/items/a`, { key: p.key });
      // error paths: wrong dimension, bad numbers, wrong project, unknown key, 404
      await call(server, 'POST', `${C}/items`, { key: p.key, body: { id: 'c', vector: [...vector, 0.5772156] } });
      await call(server, 'POST', `${C}/items`, { key: p.key, body: '{"id":"d","vector":[0.3141592,NaN,1,2]}' });
      await call(server, 'POST', `${C}/search`, { key: p.key, body: { query: [0.3141592, 'x'], limit: 1 } });
      await call(server, 'GET', '/projects/other/collections', { key: p.key });
      await call(server, 'GET', `${C}/items/nothing`, { key: p.key });
      await call(server, 'GET', `${C}`, { key: `${p.key}-wrong` });
      await call(server, 'POST', '/projects', { key: p.key, body: { name: 'x' } });
    } finally {
      logger.setLogLevel('ERROR');
      restoreOut();
      restoreErr();
      await server.stop();
    }
    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(10); // the capture worked: request lines were logged
    expect(text).toContain('"operationId":"upsertItem"');
    for (const secret of [server.adminKey, projectKey, secretMeta, '0.7182818', '0.718281', '0.3141592', '0.314159', '0.5772156']) {
      expect(text).not.toContain(secret);
    }
  });
});
