// Tests the local gateway: the proxy events it builds match API Gateway's, routing by function, and key checks.
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiHandler } from '../../lambda/api/dispatch';
import { createGatewayListener } from '../../lib/local/gateway';
import { localKeyId } from '../../lib/local/local-keys';
import { UsagePlanEnforcer } from '../../lib/local/usage-plan';
import { call } from './http';

/**
 * The local gateway in front of recording handlers: the proxy event it builds must be the one
 * API Gateway sends (REST API, payload v1), and the handler must be picked by the route's function.
 */
describe('local gateway proxy events', () => {
  const seen: { role: string; event: APIGatewayProxyEvent }[] = [];
  const recorder =
    (role: string): ApiHandler =>
    async (event) => {
      seen.push({ role, event });
      return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ role }) };
    };
  const ADMIN = 'gateway-test-admin-key';
  const PROJECT_KEY = 'gateway-test-project-key';
  const logged: string[] = [];
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer(
      createGatewayListener({
        handlers: { admin: recorder('admin'), query: recorder('query'), write: recorder('write') },
        adminKeyId: localKeyId(ADMIN),
        isKnownKey: async (id) => id === localKeyId(PROJECT_KEY),
        usagePlan: new UsagePlanEnforcer({ rateLimit: 100, burstLimit: 100 }),
        url: () => url,
        log: (line) => logged.push(line),
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a search request becomes the REST proxy event API Gateway sends, for the query function', async () => {
    seen.length = 0;
    const r = await call({ url }, 'POST', '/projects/p%201/collections/c.x/search?debug=1&debug=2', {
      key: PROJECT_KEY,
      body: { query: [1, 2] },
      headers: { 'X-Custom': 'yes' },
    });
    expect(r.body).toEqual({ role: 'query' });
    const [{ role, event }] = seen;
    expect(role).toBe('query');
    expect(event).toMatchObject({
      resource: '/projects/{projectId}/collections/{collectionId}/search',
      path: '/projects/p%201/collections/c.x/search',
      httpMethod: 'POST',
      pathParameters: { projectId: 'p 1', collectionId: 'c.x' },
      queryStringParameters: { debug: '2' },
      multiValueQueryStringParameters: { debug: ['1', '2'] },
      body: '{"query":[1,2]}',
      isBase64Encoded: false,
      stageVariables: null,
    });
    expect(event.headers['X-Custom']).toBe('yes');
    expect(event.multiValueHeaders['X-Custom']).toEqual(['yes']);
    expect(event.requestContext.requestId).toBe(r.headers.get('x-amzn-requestid'));
    expect(event.requestContext.resourcePath).toBe(event.resource);
    expect(event.requestContext.identity.apiKeyId).toBe(localKeyId(PROJECT_KEY));
    expect(event.requestContext.identity.apiKey).toBe(PROJECT_KEY);
  });

  test('each route goes to the function the route table names', async () => {
    seen.length = 0;
    await call({ url }, 'POST', '/projects', { key: ADMIN, body: {} });
    await call({ url }, 'GET', '/projects/p/collections/c/items/i', { key: ADMIN });
    await call({ url }, 'DELETE', '/projects/p/collections/c/items/i', { key: ADMIN });
    expect(seen.map((s) => s.role)).toEqual(['admin', 'query', 'write']);
    expect(seen[0].event.pathParameters).toBeNull();
    expect(seen[1].event.body).toBeNull();
    expect(seen[1].event.queryStringParameters).toBeNull();
  });

  test('requests without a known key never reach a handler, and the log lines carry no key', async () => {
    seen.length = 0;
    expect((await call({ url }, 'GET', '/projects', { key: 'unknown' })).status).toBe(403);
    expect((await call({ url }, 'GET', '/projects')).status).toBe(403);
    expect(seen).toEqual([]);
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) {
      expect(line).not.toContain(PROJECT_KEY);
      expect(line).not.toContain(ADMIN);
      expect(line).toMatch(/request [0-9a-f-]{36}$/);
    }
  });
});
