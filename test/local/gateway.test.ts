// Tests the local gateway: the proxy events it builds match API Gateway's, routing by function, and key checks.
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiHandler } from '../../lambda/api/dispatch';
import { createGatewayListener } from '../../lib/local/gateway';
import { localKeyId } from '../../lib/local/local-keys';
import { UsagePlanEnforcer } from '../../lib/local/usage-plan';
import { call, startTestServer } from './http';

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

/**
 * The local gateway started with CORS (the construct's `cors` prop): as API Gateway with the
 * preflight and the gateway responses the construct configures, every answer carries
 * `Access-Control-Allow-Origin`: the handlers' answers, the gateway's own 403, 404 and 429, and
 * the preflight.
 */
describe('local gateway with CORS', () => {
  const APP = 'https://app.example.com';
  const ADMIN = 'gateway-cors-admin-key';
  const handler: ApiHandler = async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' });
  const start = async (cors?: { allowOrigins: string[] }, rateLimit = 100): Promise<{ url: string; close(): Promise<void> }> => {
    let url = '';
    const server = createServer(
      createGatewayListener({
        handlers: { admin: handler, query: handler, write: handler },
        adminKeyId: localKeyId(ADMIN),
        isKnownKey: async () => false,
        usagePlan: new UsagePlanEnforcer({ rateLimit, burstLimit: rateLimit }),
        url: () => url,
        cors,
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  };
  const fromApp = { Origin: APP };

  test('handler answers and the gateway\'s own errors carry Access-Control-Allow-Origin', async () => {
    const gw = await start({ allowOrigins: [APP] }, 1);
    try {
      const ok = await call(gw, 'GET', '/projects', { key: ADMIN, headers: fromApp });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
      const throttled = await call(gw, 'GET', '/projects', { key: ADMIN, headers: fromApp });
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('access-control-allow-origin')).toBe(APP);
      for (const [path, key, status] of [['/projects', 'unknown', 403], ['/nowhere', ADMIN, 404]] as const) {
        const r = await call(gw, 'GET', path, { key, headers: fromApp });
        expect(r.status).toBe(status);
        expect(r.headers.get('access-control-allow-origin')).toBe(APP);
        expect(r.headers.get('vary')).toBe('Origin');
      }
    } finally {
      await gw.close();
    }
  });

  test('a preflight is answered 204 with the allowed origin, methods and headers', async () => {
    const gw = await start({ allowOrigins: ['https://other.example', APP] });
    try {
      const r = await call(gw, 'OPTIONS', '/projects/p/collections/c/search', {
        headers: { ...fromApp, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-api-key' },
      });
      expect(r.status).toBe(204);
      expect(r.headers.get('access-control-allow-origin')).toBe(APP);
      expect(r.headers.get('access-control-allow-methods')).toContain('POST');
      expect(r.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-api-key');
      const stranger = await call(gw, 'GET', '/projects', { key: ADMIN, headers: { Origin: 'https://attacker.example' } });
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await gw.close();
    }
  });

  test('without CORS no answer carries CORS headers', async () => {
    const gw = await start();
    try {
      const r = await call(gw, 'GET', '/projects', { key: ADMIN, headers: fromApp });
      expect(r.status).toBe(200);
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
      expect((await call(gw, 'OPTIONS', '/projects', { headers: fromApp })).status).toBe(405);
    } finally {
      await gw.close();
    }
  });
});

describe('local server started with CORS', () => {
  test('a real handler answer and a gateway error both carry Access-Control-Allow-Origin', async () => {
    const APP = 'https://app.example.com';
    const server = await startTestServer({ cors: { allowOrigins: [APP] }, instances: 0, adminKey: 'local-cors-admin-key' });
    try {
      const ok = await call(server, 'GET', '/projects', { key: 'local-cors-admin-key', headers: { Origin: APP } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
      const denied = await call(server, 'GET', '/projects', { key: 'nobody', headers: { Origin: APP } });
      expect(denied.status).toBe(403);
      expect(denied.headers.get('access-control-allow-origin')).toBe(APP);
    } finally {
      await server.stop();
    }
  });
});
