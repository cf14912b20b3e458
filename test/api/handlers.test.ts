// Tests the three Lambda handlers invoked with API Gateway events: routing, API key checks, tenancy, the
// scheduled purge and configuration from the environment.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiDeps } from '../../lambda/api/deps';
import { createAdminHandler } from '../../lambda/api/handlers/admin';
import { createQueryHandler } from '../../lambda/api/handlers/query';
import { createWriteHandler } from '../../lambda/api/handlers/write';
import { logger } from '../../lambda/api/logger';
import { DEFAULT_LIST_SIZE } from '../../lambda/core/list-splits';
import { WhiplashStore } from '../../lambda/store/store';
import { LocalKeyIssuer } from '../../lib/local/local-keys';
import { loadMiniLm } from '../support/minilm';
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

  test('non-filterable metadata keys: declared at creation, returned whole, refused in filters and over the limits with a 400 naming the field', async () => {
    // GIVEN: a collection that keeps `text` out of filters
    const admin = createAdminHandler(deps);
    const write = createWriteHandler(deps);
    const query = createQueryHandler(deps);
    const p = { projectId: 'h1' };
    const created = await admin(
      event('POST', '/projects/{projectId}/collections', p, { apiKeyId: ADMIN, body: { name: 'texts', n_features: 3, metadataConfiguration: { nonFilterableMetadataKeys: ['text'] } } }),
    );
    expect(created.statusCode).toBe(200);
    expect(JSON.parse(created.body).metadataConfiguration).toEqual({ nonFilterableMetadataKeys: ['text'] });
    await admin(event('POST', '/projects/{projectId}/collections', p, { apiKeyId: ADMIN, body: { name: 'plain', n_features: 3 } }));
    const c = { ...p, collectionId: 'texts' };
    const text = 'lorem ipsum '.repeat(2000); // 24 KB: over the filterable limit, within the whole
    const stored = { id: 'a', vector: [1, 0, 0], metadata: { lang: 'en', text } };
    expect((await write(event('POST', `${COLLECTION}/items`, c, { apiKeyId: ADMIN, body: stored }))).statusCode).toBe(200);
    // WHEN / THEN: a search returns it whole
    const found = await query(event('POST', `${COLLECTION}/search`, c, { apiKeyId: ADMIN, body: { query: [1, 0, 0], limit: 1, include_metadata: true } }));
    expect(JSON.parse(found.body)[0]).toMatchObject({ id: 'a', metadata: stored.metadata });
    // a filter on the text, metadata over 40 KiB, and text in a collection without the key are 400s naming the field
    const before = await countItems(db.client, db.tables);
    const refusals = [
      await query(event('POST', `${COLLECTION}/search`, c, { apiKeyId: ADMIN, body: { query: [1, 0, 0], filter: { text: { $exists: true } } } })),
      await write(event('POST', `${COLLECTION}/items`, c, { apiKeyId: ADMIN, body: { ...stored, metadata: { text: text.repeat(2) } } })),
      await write(event('POST', `${COLLECTION}/items`, { ...p, collectionId: 'plain' }, { apiKeyId: ADMIN, body: stored })),
    ];
    expect(refusals.map((r) => [r.statusCode, JSON.parse(r.body).error.field])).toEqual([
      [400, 'filter.text'],
      [400, 'metadata'],
      [400, 'metadata'],
    ]);
    expect(JSON.parse(refusals[0].body).error.rule).toMatch(/non-filterable metadata key/);
    expect(JSON.parse(refusals[2].body).error.rule).toMatch(/^filterable keys must be at most 2048 bytes/);
    expect(await countItems(db.client, db.tables)).toEqual(before);
  });

  test('k-means lists: created with indexMethod ivf and a listSize, which create, get and list show; written and searched through the handlers', async () => {
    // GIVEN a project with a collection in k-means lists of 64, one created with a hash table parameter, and one with neither
    const admin = createAdminHandler(deps);
    const write = createWriteHandler(deps);
    const query = createQueryHandler(deps);
    await deps.store.createProject({ projectId: 'lists' });
    const p = { projectId: 'lists' };
    const { dimension, ids, vectors } = loadMiniLm();
    const created = await admin(event('POST', '/projects/{projectId}/collections', p, { apiKeyId: ADMIN, body: { name: 'ivf', n_features: dimension, indexMethod: 'ivf', listSize: 64 } }));
    expect(created.statusCode).toBe(200);
    expect(JSON.parse(created.body)).toMatchObject({ name: 'ivf', n_features: dimension, metric: 'cosine', indexMethod: 'ivf', listSize: 64, vectorCount: 0 });
    expect((await admin(event('POST', '/projects/{projectId}/collections', p, { apiKeyId: ADMIN, body: { name: 'lsh', n_features: dimension, index: { hashTables: 4 } } }))).statusCode).toBe(200);
    expect((await admin(event('POST', '/projects/{projectId}/collections', p, { apiKeyId: ADMIN, body: { name: 'plain', n_features: dimension } }))).statusCode).toBe(200);
    // WHEN 200 real embeddings are written to it in one batch
    const c = { ...p, collectionId: 'ivf' };
    const rows = ids.slice(0, 200).map((id, i) => ({ id, vector: Array.from(vectors[i]) }));
    expect((await write(event('POST', `${COLLECTION}/items/batch`, c, { apiKeyId: ADMIN, body: { vectors: rows } }))).statusCode).toBe(200);
    // THEN get and list describe it with its index method and list size, the one with a hash table parameter with 'lsh' and no list size, the plain one with the default lists
    const got = JSON.parse((await query(event('GET', COLLECTION, c, { apiKeyId: ADMIN }))).body);
    expect(got).toMatchObject({ name: 'ivf', indexMethod: 'ivf', listSize: 64, vectorCount: 200 });
    const listed = JSON.parse((await query(event('GET', '/projects/{projectId}/collections', p, { apiKeyId: ADMIN }))).body) as { name: string; indexMethod: string; listSize?: number }[];
    expect(listed.map((x) => [x.name, x.indexMethod, x.listSize]).sort()).toEqual([
      ['ivf', 'ivf', 64],
      ['lsh', 'lsh', undefined],
      ['plain', 'ivf', DEFAULT_LIST_SIZE],
    ]);
    // AND a stored vector searched for finds itself first
    const found = await query(event('POST', `${COLLECTION}/search`, c, { apiKeyId: ADMIN, body: { query: rows[17].vector, limit: 5, include_vector: false } }));
    expect(found.statusCode).toBe(200);
    expect(JSON.parse(found.body)[0]).toMatchObject({ id: rows[17].id });
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
