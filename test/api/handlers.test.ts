// Tests the three Lambda handlers invoked with API Gateway events: routing, API key checks, tenancy, the
// scheduled purge and configuration from the environment.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiDeps } from '../../lambda/api/deps';
import { createAdminHandler } from '../../lambda/api/handlers/admin';
import { createQueryHandler } from '../../lambda/api/handlers/query';
import { createWriteHandler } from '../../lambda/api/handlers/write';
import { logger } from '../../lambda/api/logger';
import { WhiplashStore } from '../../lambda/store/store';
import { LocalKeyIssuer } from '../../lib/local/local-keys';
import { countItems, testEndpoint, useTestTables } from '../support/tables';

/** A REST proxy event as API Gateway sends it after checking the key. */
function event(method: string, resource: string, params: Record<string, string>, opts: { apiKeyId?: string; body?: unknown } = {}): APIGatewayProxyEvent {
  let path = resource;
  for (const [k, v] of Object.entries(params)) path = path.replace(`{${k}}`, encodeURIComponent(v));
  return {
    resource,
    path,
    httpMethod: method,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: Object.keys(params).length ? params : null,
    stageVariables: null,
    body: opts.body === undefined ? null : JSON.stringify(opts.body),
    isBase64Encoded: false,
    requestContext: { requestId: 'test-request', identity: { apiKeyId: opts.apiKeyId ?? null } } as never,
  };
}

describe('Lambda handlers, invoked with API Gateway events', () => {
  const db = useTestTables();
  let deps: ApiDeps;
  const ADMIN = 'admin-key-id';
  const COLLECTION = '/projects/{projectId}/collections/{collectionId}';

  beforeAll(async () => {
    logger.setLogLevel('ERROR');
    deps = { store: new WhiplashStore(db), adminKeyId: ADMIN, keyIssuer: new LocalKeyIssuer() };
  });

  test('each handler dispatches on resource + httpMethod and answers 404 for routes of another function', async () => {
    const admin = createAdminHandler(deps);
    const query = createQueryHandler(deps);
    const created = await admin(event('POST', '/projects', {}, { apiKeyId: ADMIN, body: { name: 'h1' } }));
    expect(created.statusCode).toBe(201);
    const foreign = await query(event('POST', '/projects', {}, { apiKeyId: ADMIN, body: { name: 'h2' } }));
    expect(foreign.statusCode).toBe(404);
    expect(JSON.parse(foreign.body).error.code).toBe('RouteNotFound');
    expect((await query(event('GET', '/projects/{projectId}/collections', { projectId: 'h1' }, { apiKeyId: ADMIN }))).statusCode).toBe(200);
  });

  test('an event without an API key id, or with an unbound one, is a 403', async () => {
    const query = createQueryHandler(deps);
    for (const apiKeyId of [undefined, 'some-other-key']) {
      const r = await query(event('GET', '/projects/{projectId}/collections', { projectId: 'h1' }, { apiKeyId }));
      expect(r.statusCode).toBe(403);
      expect(JSON.parse(r.body).message).toBe('Forbidden');
    }
  });

  test('a project key id bound in the store reaches its project only', async () => {
    await deps.store.createProject({ projectId: 'bound' });
    await deps.store.bindApiKey({ apiKeyId: 'bound-key', projectId: 'bound' });
    const query = createQueryHandler(deps);
    expect((await query(event('GET', '/projects/{projectId}/collections', { projectId: 'bound' }, { apiKeyId: 'bound-key' }))).statusCode).toBe(200);
    expect((await query(event('GET', '/projects/{projectId}/collections', { projectId: 'h1' }, { apiKeyId: 'bound-key' }))).statusCode).toBe(403);
  });

  test('the admin handler purges deleted collections on an EventBridge scheduled event', async () => {
    const admin = createAdminHandler(deps);
    const write = createWriteHandler(deps);
    const p = { projectId: 'h1' };
    expect((await admin(event('POST', '/projects/{projectId}/collections', p, { apiKeyId: ADMIN, body: { name: 'gone', n_features: 3 } }))).statusCode).toBe(200);
    const c = { ...p, collectionId: 'gone' };
    const vectors = Array.from({ length: 20 }, (_, i) => ({ id: `g${i}`, vector: [i, 1, -i] }));
    expect((await write(event('POST', `${COLLECTION}/items/batch`, c, { apiKeyId: ADMIN, body: { vectors } }))).statusCode).toBe(200);
    expect((await admin(event('DELETE', COLLECTION, c, { apiKeyId: ADMIN }))).statusCode).toBe(200);
    const before = await countItems(db.client, db.tables);
    expect(before.vectors).toBe(20);
    const r = await admin({ source: 'aws.events' } as never);
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ purged: expect.any(Number), remaining: false });
    const after = await countItems(db.client, db.tables);
    expect([after.vectors, after.buckets]).toEqual([0, 0]);
  });

  test('the exported handlers read their tables, admin key id and endpoint from the environment at cold start', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      WHIPLASH_METADATA_TABLE: db.tables.metadata,
      WHIPLASH_VECTORS_TABLE: db.tables.vectors,
      WHIPLASH_BUCKETS_TABLE: db.tables.buckets,
      WHIPLASH_ADMIN_KEY_ID: 'env-admin',
      WHIPLASH_USAGE_PLAN_ID: 'plan-unused-here',
      WHIPLASH_REST_API_ID: 'rest-api-unused-here',
      DYNAMODB_ENDPOINT: testEndpoint(),
    });
    try {
      const { handler } = await import('../../lambda/api/handlers/query');
      const r = await handler(event('GET', '/projects/{projectId}/collections', { projectId: 'bound' }, { apiKeyId: 'env-admin' }));
      expect(r.statusCode).toBe(200);
      expect(JSON.parse(r.body)).toEqual([]);
      const admin = await import('../../lambda/api/handlers/admin');
      const purge = await admin.handler({ source: 'aws.events' } as never);
      expect(purge.statusCode).toBe(200);
    } finally {
      process.env = saved;
    }
  });
});
