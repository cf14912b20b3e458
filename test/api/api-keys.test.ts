// Tests the API Gateway key issuer's calls (create, attach to the usage plan, delete) against a stand-in API
// Gateway endpoint.
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayKeyIssuer } from '../../lambda/api/api-keys';

/**
 * The API Gateway key issuer with the real AWS SDK client, against a small HTTP endpoint that
 * speaks API Gateway's REST protocol (no AWS here): it checks the calls the issuer makes.
 */
describe('ApiGatewayKeyIssuer', () => {
  const calls: { method: string; path: string; body: any }[] = [];
  let failUsagePlanKey = false;
  let server: Server;
  let client: APIGatewayClient;
  const keys = new Set<string>();

  const readJson = async (req: IncomingMessage): Promise<any> => {
    let text = '';
    for await (const c of req) text += c;
    return text ? JSON.parse(text) : undefined;
  };

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const body = await readJson(req);
      const path = decodeURIComponent((req.url ?? '').split('?')[0]);
      calls.push({ method: req.method!, path, body });
      const json = (status: number, b: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(b));
      };
      if (req.method === 'POST' && path === '/apikeys') {
        const id = `key${keys.size + 1}`;
        keys.add(id);
        return json(201, { id, name: body.name, value: body.value, enabled: body.enabled });
      }
      const plan = /^\/usageplans\/([^/]+)\/keys$/.exec(path);
      if (req.method === 'POST' && plan) {
        if (failUsagePlanKey) return json(400, { message: 'Invalid usage plan' }, { 'x-amzn-errortype': 'BadRequestException' });
        return json(201, { id: body.keyId, type: body.keyType });
      }
      const del = /^\/apikeys\/([^/]+)$/.exec(path);
      if (req.method === 'DELETE' && del) {
        if (!keys.delete(del[1])) return json(404, { message: 'Invalid API Key identifier specified' }, { 'x-amzn-errortype': 'NotFoundException' });
        res.writeHead(202);
        return res.end();
      }
      json(400, { message: 'unexpected call' }, { 'x-amzn-errortype': 'BadRequestException' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new APIGatewayClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('issue creates an enabled key with a random value and attaches it to the usage plan', async () => {
    calls.length = 0;
    const key = await new ApiGatewayKeyIssuer(client, 'plan-1').issue('acme');
    expect(key.id).toBe('key1');
    expect(key.value).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /apikeys', 'POST /usageplans/plan-1/keys']);
    expect(calls[0].body).toMatchObject({ enabled: true, value: key.value, tags: { 'whiplash:project': 'acme' } });
    expect(calls[0].body.name).toMatch(/^whiplash-acme-/);
    expect(calls[1].body).toEqual({ keyId: 'key1', keyType: 'API_KEY' });
  });

  test('two keys never share a value', async () => {
    const issuer = new ApiGatewayKeyIssuer(client, 'plan-1');
    const [a, b] = [await issuer.issue('p'), await issuer.issue('p')];
    expect(a.value).not.toBe(b.value);
  });

  test('when attaching to the usage plan fails, the new key is deleted and the error surfaces', async () => {
    calls.length = 0;
    failUsagePlanKey = true;
    try {
      await expect(new ApiGatewayKeyIssuer(client, 'bad-plan').issue('acme')).rejects.toThrow(/Invalid usage plan/);
    } finally {
      failUsagePlanKey = false;
    }
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /apikeys',
      'POST /usageplans/bad-plan/keys',
      expect.stringMatching(/^DELETE \/apikeys\/key\d+$/),
    ]);
  });

  test('revoke deletes the key, and revoking an unknown key is not an error', async () => {
    const issuer = new ApiGatewayKeyIssuer(client, 'plan-1');
    const key = await issuer.issue('gone');
    await issuer.revoke(key.id);
    expect(keys.has(key.id)).toBe(false);
    await expect(issuer.revoke(key.id)).resolves.toBeUndefined();
  });
});
