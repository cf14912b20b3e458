// Tests the mapping of errors to HTTP responses, ajv validation of bodies and query strings, route matching, and
// the create request checked through the admin handler (index parameters, index method, list size).
import { ConflictError, NotFoundError, PayloadTooLargeError, ServiceUnavailableError, ValidationError } from '../../lambda/core/errors';
import { errorResponse, forbidden, quotaExceeded, throttled } from '../../lambda/api/http-errors';
import { matchPath, ROUTES } from '../../lambda/api/routes';
import { BODY_SCHEMAS, QUERY_SCHEMAS } from '../../lambda/api/json-schemas';
import { validateBody, validateQuery } from '../../lambda/api/validate';
import { createAdminHandler } from '../../lambda/api/handlers/admin';
import { logger } from '../../lambda/api/logger';
import { LIST_SIZE_BOUNDS, MAX_DELETE_BATCH, MAX_GET_BATCH, MAX_ID_BYTES } from '../../lambda/core/limits';
import { DEFAULT_LIST_SIZE } from '../../lambda/core/list-splits';
import { maxSketchBits } from '../../lambda/core/params';
import { WhiplashStore } from '../../lambda/store/store';
import { LocalKeyIssuer } from '../../lib/local/local-keys';
import { countItems, useTestTables } from '../support/tables';

function caught(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('error mapping (lambda/api/http-errors.ts)', () => {
  const body = (r: { body: string }) => JSON.parse(r.body);

  test('a ValidationError is a 400 naming the field and the rule', () => {
    const r = errorResponse(new ValidationError('vectors[3].vector[17]', 'must be a finite number'), 'req-1');
    expect(r.statusCode).toBe(400);
    expect(body(r)).toEqual({
      error: { status: 400, code: 'ValidationError', message: 'vectors[3].vector[17] must be a finite number', field: 'vectors[3].vector[17]', rule: 'must be a finite number', requestId: 'req-1' },
    });
  });

  test.each([
    [new NotFoundError('collection x not found'), 404, 'NotFound'],
    [new ConflictError('project p exists already'), 409, 'Conflict'],
    [new PayloadTooLargeError('too big'), 413, 'PayloadTooLarge'],
  ])('%p keeps its status and code', (err, status, code) => {
    const r = errorResponse(err, 'r');
    expect(r.statusCode).toBe(status);
    expect(body(r).error).toMatchObject({ status, code, message: err.message });
  });

  test('ServiceUnavailable is a 503 with Retry-After', () => {
    const r = errorResponse(new ServiceUnavailableError('DynamoDB kept throttling', 3), 'r');
    expect(r.statusCode).toBe(503);
    expect(r.headers).toMatchObject({ 'Retry-After': '3' });
  });

  test('403 and 429 carry API Gateway\'s top-level message', () => {
    expect(body(errorResponse(forbidden(), 'r')).message).toBe('Forbidden');
    expect(body(errorResponse(throttled(), 'r')).message).toBe('Too Many Requests');
    expect(body(errorResponse(quotaExceeded(), 'r')).message).toBe('Limit Exceeded');
    expect(errorResponse(throttled(), 'r').statusCode).toBe(429);
  });

  test('anything else is a 500 with a generic message and the request id, logged, never leaked', () => {
    const logged: unknown[] = [];
    const log = { error: (...a: unknown[]) => logged.push(a) } as never;
    const r = errorResponse(new TypeError("Cannot read properties of undefined (reading 'S')"), 'req-9', log);
    expect(r.statusCode).toBe(500);
    const b = body(r);
    expect(b.error).toMatchObject({ status: 500, code: 'InternalError', requestId: 'req-9' });
    expect(b.error.message).not.toContain('undefined');
    expect(b.error.message).toContain('req-9');
    expect(logged).toHaveLength(1);
  });
});

describe('ajv validation (lambda/api/validate.ts)', () => {
  test('names nested array fields the way clients write them', () => {
    const e = caught(() => validateBody(BODY_SCHEMAS.upsertBatch, { vectors: [{ id: 'a', vector: [1] }, { id: 'b', vector: [1, 'x'] }] }));
    expect(e.field).toBe('vectors[1].vector[1]');
    expect(e.rule).toBe('must be number');
  });

  test('a missing required field is named with its parent', () => {
    expect(caught(() => validateBody(BODY_SCHEMAS.upsertBatch, { vectors: [{ id: 'a' }] })).field).toBe('vectors[0].vector');
    // search takes `query` or `id`: the handler names the missing one (test/local/batch-routes.test.ts)
    expect(() => validateBody(BODY_SCHEMAS.search, {})).not.toThrow();
    expect(caught(() => validateBody(BODY_SCHEMAS.getItems, {})).field).toBe('ids');
    expect(caught(() => validateBody(BODY_SCHEMAS.updateItem, { merge: true })).field).toBe('metadata');
    expect(caught(() => validateBody(BODY_SCHEMAS.deleteByFilter, { cursor: 'x' })).field).toBe('filter');
  });

  test('the batch bodies are bounded by the limits of limits.ts and name the offending id', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `id${i}`);
    expect(() => validateBody(BODY_SCHEMAS.getItems, { ids: ids(MAX_GET_BATCH) })).not.toThrow();
    expect([caught(() => validateBody(BODY_SCHEMAS.getItems, { ids: ids(MAX_GET_BATCH + 1) })).field]).toEqual(['ids']);
    expect(() => validateBody(BODY_SCHEMAS.deleteItems, { ids: ids(MAX_DELETE_BATCH) })).not.toThrow();
    expect(caught(() => validateBody(BODY_SCHEMAS.deleteItems, { ids: ids(MAX_DELETE_BATCH + 1) })).field).toBe('ids');
    expect(caught(() => validateBody(BODY_SCHEMAS.deleteItems, { ids: [] })).field).toBe('ids');
    expect(caught(() => validateBody(BODY_SCHEMAS.deleteItems, { ids: ['a', { $ne: 1 }] })).field).toBe('ids[1]');
    expect(caught(() => validateBody(BODY_SCHEMAS.getItems, { ids: ['x'.repeat(MAX_ID_BYTES + 1)] })).field).toBe('ids[0]');
    expect(caught(() => validateBody(BODY_SCHEMAS.deleteByFilter, { filter: [] })).field).toBe('filter');
    expect(caught(() => validateBody(BODY_SCHEMAS.updateItem, { metadata: { a: { b: 1 } } })).field).toBe('metadata.a');
    expect(() => validateBody(BODY_SCHEMAS.updateItem, { metadata: { a: null, b: ['x'] }, merge: true })).not.toThrow();
    expect(caught(() => validateBody(BODY_SCHEMAS.search, { id: '' })).field).toBe('id');
  });

  test('the listing query string takes a prefix and boolean include flags, coerced', () => {
    expect(validateQuery(QUERY_SCHEMAS.listItems, { prefix: 'doc-', include_vector: 'true', include_metadata: 'false' })).toEqual({ prefix: 'doc-', include_vector: true, include_metadata: false });
    expect(caught(() => validateQuery(QUERY_SCHEMAS.listItems, { include_vector: 'yes' })).field).toBe('include_vector');
    expect(caught(() => validateQuery(QUERY_SCHEMAS.listItems, { prefix: '' })).field).toBe('prefix');
  });

  test('an unknown field is rejected by name', () => {
    const e = caught(() => validateBody(BODY_SCHEMAS.search, { query: [1], top_k: 3 }));
    expect([e.field, e.rule]).toEqual(['top_k', 'is not an allowed field']);
  });

  test('metadata values must be strings, numbers, booleans or lists of strings', () => {
    const e = caught(() => validateBody(BODY_SCHEMAS.upsertItem, { id: 'a', vector: [1], metadata: { tags: [1, 2] } }));
    expect(e.field).toBe('metadata.tags');
    expect(() => validateBody(BODY_SCHEMAS.upsertItem, { id: 'a', vector: [1], metadata: { t: ['x'], n: 1, b: true, s: 's' } })).not.toThrow();
  });

  test('the body must be a JSON object', () => {
    expect(caught(() => validateBody(BODY_SCHEMAS.search, [1, 2])).rule).toBe('must be object');
  });

  test('query strings are coerced: ?limit=10 becomes a number; ?limit=ten is a 400 naming limit', () => {
    expect(validateQuery(QUERY_SCHEMAS.listItems, { limit: '10', cursor: 'abc' })).toEqual({ limit: 10, cursor: 'abc' });
    expect(validateQuery(QUERY_SCHEMAS.listItems, null)).toEqual({});
    expect(caught(() => validateQuery(QUERY_SCHEMAS.listItems, { limit: 'ten' })).field).toBe('limit');
    expect(caught(() => validateQuery(QUERY_SCHEMAS.listItems, { page: '2' })).field).toBe('page');
  });
});

describe('route table (lambda/api/routes.ts)', () => {
  test('operationIds are unique and every (method, path) appears once', () => {
    expect(new Set(ROUTES.map((r) => r.operationId)).size).toBe(ROUTES.length);
    expect(new Set(ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(ROUTES.length);
  });

  test('matchPath finds the route and URL-decodes path parameters', () => {
    const m = matchPath('GET', '/projects/p1/collections/c%2Eone/items/id%20with%20space');
    expect(m.route?.operationId).toBe('getItem');
    expect(m.params).toEqual({ projectId: 'p1', collectionId: 'c.one', itemId: 'id with space' });
    expect(matchPath('POST', '/projects/p1/collections/c/items/batch').route?.operationId).toBe('upsertBatch');
    expect(matchPath('POST', '/projects/p1/collections/c/items/batch-get').route?.operationId).toBe('getItems');
    expect(matchPath('POST', '/projects/p1/collections/c/items/batch-delete').route?.operationId).toBe('deleteItems');
    expect(matchPath('POST', '/projects/p1/collections/c/items/delete-by-filter').route?.operationId).toBe('deleteByFilter');
    expect(matchPath('PATCH', '/projects/p1/collections/c/items/x').route?.operationId).toBe('updateItem');
    // an item may be named like a batch route: GET and DELETE still reach it
    expect(matchPath('GET', '/projects/p1/collections/c/items/batch-get').route?.operationId).toBe('getItem');
  });

  test('matchPath tells an unknown path from a known path with another method', () => {
    const unknown = matchPath('GET', '/nope');
    expect([unknown.route, unknown.pathKnown]).toEqual([undefined, false]);
    const otherMethod = matchPath('PUT', '/projects');
    expect([otherMethod.route, otherMethod.pathKnown]).toEqual([undefined, true]);
  });
});

describe('the create request checked at collection creation (admin handler)', () => {
  const db = useTestTables();
  const ADMIN = 'admin-key-id';
  const create = (body: unknown) =>
    createAdminHandler({ store: new WhiplashStore(db), adminKeyId: ADMIN, keyIssuer: new LocalKeyIssuer() })({
      resource: '/projects/{projectId}/collections',
      path: '/projects/sk/collections',
      httpMethod: 'POST',
      headers: {},
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: { projectId: 'sk' },
      stageVariables: null,
      body: JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: { requestId: 'test-request', identity: { apiKeyId: ADMIN } } as never,
    });

  beforeAll(async () => {
    logger.setLogLevel('ERROR');
    await new WhiplashStore(db).createProject({ projectId: 'sk' });
  });

  test('a sketch too long to build at 4,096 dimensions is a 400 naming index.sketchBits, the rule and the max, and changes nothing', async () => {
    // GIVEN a project (beforeAll)
    const before = await countItems(db.client, db.tables);
    // WHEN a 4,096-d collection asks for a 2,048-bit sketch
    const r = await create({ name: 'big', dimension: 4096, index: { sketchBits: 2048 } });
    // THEN 400 on index.sketchBits with the max for 4,096 dimensions, and no item written
    expect(r.statusCode).toBe(400);
    const { error } = JSON.parse(r.body);
    expect(error.field).toBe('index.sketchBits');
    expect(error.rule).toContain(`must be at most ${maxSketchBits(4096)} for 4096 dimensions`);
    expect(await countItems(db.client, db.tables)).toEqual(before);
    // and the max itself is accepted
    const ok = await create({ name: 'big', dimension: 4096, index: { sketchBits: maxSketchBits(4096) } });
    expect(ok.statusCode).toBe(200);
  });

  test('k-means lists: indexMethod ivf with a listSize within LIST_SIZE_BOUNDS is created and described with both; without indexMethod, lists unless dot or a hash table parameter', async () => {
    // GIVEN a project (beforeAll)
    const [lo, hi] = LIST_SIZE_BOUNDS;
    // WHEN collections ask for k-means lists at each bound of the list size, and without one; for hash tables; and for neither
    const made = [
      await create({ name: 'ivf-lo', dimension: 8, metric: 'euclidean', indexMethod: 'ivf', listSize: lo }),
      await create({ name: 'ivf-hi', dimension: 8, indexMethod: 'ivf', listSize: hi }),
      await create({ name: 'ivf-default', dimension: 8, indexMethod: 'ivf' }),
      await create({ name: 'lsh-named', dimension: 8, indexMethod: 'lsh' }),
      await create({ name: 'plain', dimension: 8 }),
      await create({ name: 'plain-sized', dimension: 8, metric: 'euclidean', listSize: 300 }),
      await create({ name: 'plain-dot', dimension: 8, metric: 'dot' }),
      await create({ name: 'plain-tables', dimension: 8, index: { hashTables: 4 } }),
    ];
    // THEN each is a 200 that shows its index method, and with lists its list size (the default when none was asked)
    expect(made.map((r) => r.statusCode)).toEqual(made.map(() => 200));
    const bodies = made.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => [b.name, b.indexMethod, b.listSize])).toEqual([
      ['ivf-lo', 'ivf', lo],
      ['ivf-hi', 'ivf', hi],
      ['ivf-default', 'ivf', DEFAULT_LIST_SIZE],
      ['lsh-named', 'lsh', undefined],
      ['plain', 'ivf', DEFAULT_LIST_SIZE],
      ['plain-sized', 'ivf', 300],
      ['plain-dot', 'lsh', undefined],
      ['plain-tables', 'lsh', undefined],
    ]);
    expect(bodies[0]).toMatchObject({ metric: 'euclidean', n_features: 8, dimension: 8 });
  });

  test.each([
    ['an unknown indexMethod', { indexMethod: 'hnsw' }, 'indexMethod', 'must be one of "lsh", "ivf"'],
    ["'ivf' with metric dot", { metric: 'dot', indexMethod: 'ivf' }, 'indexMethod', "'ivf' supports the cosine and euclidean metrics, not dot"],
    ["listSize under metric dot (hash tables by default)", { metric: 'dot', listSize: 500 }, 'listSize', "applies to indexMethod 'ivf' only"],
    ['listSize with a hash table parameter (hash tables by default)', { index: { hashTables: 4 }, listSize: 500 }, 'listSize', "applies to indexMethod 'ivf' only"],
    ["a hash table parameter with indexMethod 'ivf'", { indexMethod: 'ivf', index: { probes: 2 } }, 'index.probes', "applies to indexMethod 'lsh' only"],
    ["listSize with indexMethod 'lsh'", { indexMethod: 'lsh', listSize: 500 }, 'listSize', "applies to indexMethod 'ivf' only"],
    ['listSize below its bounds', { indexMethod: 'ivf', listSize: LIST_SIZE_BOUNDS[0] - 1 }, 'listSize', `must be >= ${LIST_SIZE_BOUNDS[0]}`],
    ['listSize above its bounds', { indexMethod: 'ivf', listSize: LIST_SIZE_BOUNDS[1] + 1 }, 'listSize', `must be <= ${LIST_SIZE_BOUNDS[1]}`],
    ['a fractional listSize', { indexMethod: 'ivf', listSize: 100.5 }, 'listSize', 'must be integer'],
    ['listSize as a string', { indexMethod: 'ivf', listSize: '100' }, 'listSize', 'must be integer'],
  ])('%s is a 400 naming the field and the rule, and changes nothing', async (_case, fields, field, rule) => {
    // GIVEN a project (beforeAll)
    const before = await countItems(db.client, db.tables);
    // WHEN a collection is created with the bad index method or list size
    const r = await create({ name: 'refused', dimension: 8, ...fields });
    // THEN 400 on that field with its rule, and no item written
    expect(r.statusCode).toBe(400);
    expect(JSON.parse(r.body).error).toMatchObject({ status: 400, code: 'ValidationError', field, rule });
    expect(await countItems(db.client, db.tables)).toEqual(before);
  });
});
