// Tests the API Gateway key issuer's calls (create, attach to a tier's usage plan, move between plans, delete) against a
// stand-in API Gateway endpoint, and the tier routes of the admin handler with it.
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiGatewayKeyIssuer, TierPlans } from '../../lambda/api/api-keys';
import { tierPlansFromEnv, USAGE_PLAN_ID_ENV, USAGE_PLANS_ENV } from '../../lambda/api/deps';
import { createAdminHandler } from '../../lambda/api/handlers/admin';
import { STORE_TAG_KEY } from '../../lambda/api/key-tags';
import { logger } from '../../lambda/api/logger';
import { WhiplashStore } from '../../lambda/store/store';
import { API_KEY_MANAGEMENT } from '../../lib/construct/access';
import { useTestTables } from '../support/tables';

/**
 * The API Gateway key issuer with the real AWS SDK client, against a small HTTP endpoint that
 * speaks API Gateway's REST protocol (no AWS here): it checks the calls the issuer makes.
 */
describe('ApiGatewayKeyIssuer', () => {
  const calls: { method: string; path: string; body: any }[] = [];
  let failUsagePlanKey = false;
  /** A plan whose joins fail (400), to test the rollback of a move. */
  let failJoinOf: string | undefined;
  /** As API Gateway: a key may be in only one usage plan of an API stage (all plans here share one stage). */
  let onePlanPerKey = false;
  let server: Server;
  let client: APIGatewayClient;
  const keys = new Set<string>();
  /** Usage plan → the keys in it. */
  const members = new Map<string, Set<string>>();
  const plansOf = (keyId: string): string[] => [...members].filter(([, ks]) => ks.has(keyId)).map(([p]) => p).sort();
  /** The plans the key was in after each call the stand-in served (to check it was never in none). */
  const history: string[][] = [];
  let watched: string | undefined;
  const ONE_TIER: TierPlans = { plans: { default: 'plan-1' }, defaultTier: 'default' };
  const TIERS: TierPlans = { plans: { free: 'plan-free', pro: 'plan-pro' }, defaultTier: 'free' };

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
        if (watched) history.push(plansOf(watched));
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(b));
      };
      const conflict = (message: string) => json(409, { message }, { 'x-amzn-errortype': 'ConflictException' });
      if (req.method === 'POST' && path === '/apikeys') {
        const id = `key${keys.size + 1}`;
        keys.add(id);
        return json(201, { id, name: body.name, value: body.value, enabled: body.enabled });
      }
      const plan = /^\/usageplans\/([^/]+)\/keys$/.exec(path);
      if (req.method === 'POST' && plan) {
        if (failUsagePlanKey || failJoinOf === plan[1]) return json(400, { message: 'Invalid usage plan' }, { 'x-amzn-errortype': 'BadRequestException' });
        const inPlans = plansOf(body.keyId);
        if (inPlans.includes(plan[1])) return conflict('Usage Plan Key already exists');
        if (onePlanPerKey && inPlans.length > 0) return conflict(`API Key ${body.keyId} cannot reference multiple Usage Plans with the same API Stage`);
        if (!members.has(plan[1])) members.set(plan[1], new Set());
        members.get(plan[1])!.add(body.keyId);
        return json(201, { id: body.keyId, type: body.keyType });
      }
      const planKey = /^\/usageplans\/([^/]+)\/keys\/([^/]+)$/.exec(path);
      if (req.method === 'DELETE' && planKey) {
        if (!members.get(planKey[1])?.delete(planKey[2])) return json(404, { message: 'Invalid Usage Plan Key identifier specified' }, { 'x-amzn-errortype': 'NotFoundException' });
        if (watched) history.push(plansOf(watched));
        res.writeHead(202);
        return res.end();
      }
      const del = /^\/apikeys\/([^/]+)$/.exec(path);
      if (req.method === 'DELETE' && del) {
        for (const ks of members.values()) ks.delete(del[1]); // a deleted key leaves its plans
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
    const key = await new ApiGatewayKeyIssuer(client, ONE_TIER, 'api-1').issue('acme', 'default');
    expect(key.id).toBe('key1');
    expect(key.value).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /apikeys', 'POST /usageplans/plan-1/keys']);
    expect(calls[0].body).toMatchObject({ enabled: true, value: key.value, tags: { 'whiplash:project': 'acme', 'whiplash:restApiId': 'api-1' } });
    expect(calls[0].body.name).toMatch(/^whiplash-acme-/);
    expect(calls[1].body).toEqual({ keyId: 'key1', keyType: 'API_KEY' });
  });

  test('two keys never share a value', async () => {
    const issuer = new ApiGatewayKeyIssuer(client, ONE_TIER, 'api-1');
    const [a, b] = [await issuer.issue('p', 'default'), await issuer.issue('p', 'default')];
    expect(a.value).not.toBe(b.value);
  });

  test('when attaching to the usage plan fails, the new key is deleted and the error surfaces', async () => {
    calls.length = 0;
    failUsagePlanKey = true;
    try {
      await expect(new ApiGatewayKeyIssuer(client, { plans: { default: 'bad-plan' }, defaultTier: 'default' }, 'api-1').issue('acme', 'default')).rejects.toThrow(/Invalid usage plan/);
    } finally {
      failUsagePlanKey = false;
    }
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /apikeys',
      'POST /usageplans/bad-plan/keys',
      expect.stringMatching(/^DELETE \/apikeys\/key\d+$/),
    ]);
  });

  /**
   * The admin function's role may create only keys tagged with its REST API's id and delete only
   * keys carrying that tag: a project created through the admin handler gets a key with the tag,
   * the very tag key the construct's IAM conditions name.
   */
  describe('through the admin handler', () => {
    const db = useTestTables();

    test('POST /projects creates a key tagged with the store\'s REST API id and the project', async () => {
      logger.setLogLevel('ERROR');
      calls.length = 0;
      const handler = createAdminHandler({
        store: new WhiplashStore({ client: db.client, tables: db.tables }),
        adminKeyId: 'admin-key-id',
        keyIssuer: new ApiGatewayKeyIssuer(client, ONE_TIER, 'a1b2c3d4e5'),
      });
      const event = {
        resource: '/projects',
        path: '/projects',
        httpMethod: 'POST',
        headers: { 'content-type': 'application/json' },
        multiValueHeaders: {},
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        pathParameters: null,
        stageVariables: null,
        body: JSON.stringify({ name: 'tagged' }),
        isBase64Encoded: false,
        requestContext: { requestId: 'r1', identity: { apiKeyId: 'admin-key-id' } },
      } as unknown as APIGatewayProxyEvent;
      const res = (await handler(event)) as APIGatewayProxyResult;
      expect(res.statusCode).toBe(201);
      const created = calls.find((c) => c.method === 'POST' && c.path === '/apikeys');
      expect(created?.body.tags).toEqual({ [STORE_TAG_KEY]: 'a1b2c3d4e5', 'whiplash:project': 'tagged' });
      // the construct's conditions name this tag key
      const conditioned = JSON.stringify(API_KEY_MANAGEMENT.map((c) => c.condition));
      expect(conditioned).toContain(`aws:RequestTag/${STORE_TAG_KEY}`);
      expect(conditioned).toContain(`aws:ResourceTag/${STORE_TAG_KEY}`);
      expect(JSON.parse(res.body).apiKeyId).toMatch(/^key\d+$/);
    });
  });

  test('revoke deletes the key, and revoking an unknown key is not an error', async () => {
    const issuer = new ApiGatewayKeyIssuer(client, ONE_TIER, 'api-1');
    const key = await issuer.issue('gone', 'default');
    await issuer.revoke(key.id);
    expect(keys.has(key.id)).toBe(false);
    await expect(issuer.revoke(key.id)).resolves.toBeUndefined();
  });

  describe('tiers: a key joins its tier’s plan and moves between plans', () => {
    const issuer = () => new ApiGatewayKeyIssuer(client, TIERS, 'api-1');
    afterEach(() => {
      onePlanPerKey = false;
      failJoinOf = undefined;
      watched = undefined;
    });

    test('issue attaches the key to the plan of the tier asked for; an unknown tier is a ValidationError naming tier', async () => {
      const key = await issuer().issue('acme', 'pro');
      expect(plansOf(key.id)).toEqual(['plan-pro']);
      calls.length = 0;
      await expect(issuer().issue('acme', 'gold')).rejects.toMatchObject({ code: 'ValidationError', field: 'tier' });
      expect(calls).toEqual([]); // nothing created
    });

    test('moveKey joins the new plan, then leaves the old one: the key is never in no plan', async () => {
      const key = await issuer().issue('acme', 'free');
      calls.length = 0;
      history.length = 0;
      watched = key.id;
      await issuer().moveKey(key.id, 'free', 'pro');
      expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /usageplans/plan-pro/keys', `DELETE /usageplans/plan-free/keys/${key.id}`]);
      expect(plansOf(key.id)).toEqual(['plan-pro']);
      for (const plans of history) expect(plans.length).toBeGreaterThan(0);
    });

    test('when API Gateway allows one plan per key and stage, moveKey leaves the old plan first, then joins the new one', async () => {
      const key = await issuer().issue('acme', 'free');
      onePlanPerKey = true;
      calls.length = 0;
      await issuer().moveKey(key.id, 'free', 'pro');
      expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
        'POST /usageplans/plan-pro/keys',
        `DELETE /usageplans/plan-free/keys/${key.id}`,
        'POST /usageplans/plan-pro/keys',
      ]);
      expect(plansOf(key.id)).toEqual(['plan-pro']);
    });

    test('when joining the new plan fails, the key rejoins its old plan and the error surfaces', async () => {
      const key = await issuer().issue('acme', 'free');
      onePlanPerKey = true;
      failJoinOf = 'plan-pro';
      await expect(issuer().moveKey(key.id, 'free', 'pro')).rejects.toThrow(/Invalid usage plan/);
      expect(plansOf(key.id)).toEqual(['plan-free']);
    });

    test('a retried move (the key already in the new plan, or already out of the old one) is not an error', async () => {
      const key = await issuer().issue('acme', 'free');
      await issuer().moveKey(key.id, 'free', 'pro');
      await expect(issuer().moveKey(key.id, 'free', 'pro')).resolves.toBeUndefined();
      onePlanPerKey = true;
      await expect(issuer().moveKey(key.id, 'free', 'pro')).resolves.toBeUndefined();
      expect(plansOf(key.id)).toEqual(['plan-pro']);
    });

    test('the tiers come from WHIPLASH_USAGE_PLANS; the default tier is the one on WHIPLASH_USAGE_PLAN_ID', () => {
      expect(tierPlansFromEnv({ [USAGE_PLAN_ID_ENV]: 'p2', [USAGE_PLANS_ENV]: '{"free":"p1","pro":"p2"}' })).toEqual({ plans: { free: 'p1', pro: 'p2' }, defaultTier: 'pro' });
      expect(tierPlansFromEnv({ [USAGE_PLAN_ID_ENV]: 'p1' })).toEqual({ plans: { default: 'p1' }, defaultTier: 'default' });
      expect(() => tierPlansFromEnv({ [USAGE_PLAN_ID_ENV]: 'p9', [USAGE_PLANS_ENV]: '{"free":"p1"}' })).toThrow(/WHIPLASH_USAGE_PLANS/);
      expect(() => tierPlansFromEnv({ [USAGE_PLAN_ID_ENV]: 'p1', [USAGE_PLANS_ENV]: '["p1"]' })).toThrow(/WHIPLASH_USAGE_PLANS/);
    });

    describe('through the admin handler', () => {
      const db = useTestTables();
      const ADMIN = 'admin-key-id';
      const event = (method: string, resource: string, params: Record<string, string>, apiKeyId: string, body?: unknown): APIGatewayProxyEvent =>
        ({
          resource,
          path: resource.replace(/\{(\w+)\}/g, (_, k: string) => params[k]),
          httpMethod: method,
          headers: { 'content-type': 'application/json' },
          multiValueHeaders: {},
          queryStringParameters: null,
          multiValueQueryStringParameters: null,
          pathParameters: Object.keys(params).length ? params : null,
          stageVariables: null,
          body: body === undefined ? null : JSON.stringify(body),
          isBase64Encoded: false,
          requestContext: { requestId: 'r1', identity: { apiKeyId } },
        }) as unknown as APIGatewayProxyEvent;
      const adminHandler = () =>
        createAdminHandler({ store: new WhiplashStore({ client: db.client, tables: db.tables }), adminKeyId: ADMIN, keyIssuer: issuer() });
      const send = async (h: ReturnType<typeof adminHandler>, e: APIGatewayProxyEvent) => {
        const r = (await h(e)) as APIGatewayProxyResult;
        return { status: r.statusCode, body: JSON.parse(r.body) };
      };

      test('a project is created on a tier (default: the default tier), shows it, and PUT .../tier moves its key to the new plan', async () => {
        logger.setLogLevel('ERROR');
        const h = adminHandler();
        const plain = await send(h, event('POST', '/projects', {}, ADMIN, { name: 'plain' }));
        expect(plain.status).toBe(201);
        expect(plain.body.tier).toBe('free');
        expect(plansOf(plain.body.apiKeyId)).toEqual(['plan-free']);

        const created = await send(h, event('POST', '/projects', {}, ADMIN, { name: 'tiered', tier: 'pro' }));
        expect(created.status).toBe(201);
        expect(created.body.tier).toBe('pro');
        const keyId = created.body.apiKeyId;
        expect(plansOf(keyId)).toEqual(['plan-pro']);
        expect((await send(h, event('GET', '/projects/{projectId}', { projectId: 'tiered' }, keyId))).body.tier).toBe('pro');

        const moved = await send(h, event('PUT', '/projects/{projectId}/tier', { projectId: 'tiered' }, ADMIN, { tier: 'free' }));
        expect(moved.status).toBe(200);
        expect(moved.body).toMatchObject({ projectId: 'tiered', tier: 'free' });
        expect(plansOf(keyId)).toEqual(['plan-free']);
        expect((await send(h, event('GET', '/projects/{projectId}', { projectId: 'tiered' }, ADMIN))).body.tier).toBe('free');
        const listed = (await send(h, event('GET', '/projects', {}, ADMIN))).body as { projectId: string; tier: string }[];
        expect(listed.find((p) => p.projectId === 'tiered')?.tier).toBe('free');
      });

      test('an unknown tier is 400 naming tier, and changes nothing (no project, no key, no move)', async () => {
        const h = adminHandler();
        calls.length = 0;
        const bad = await send(h, event('POST', '/projects', {}, ADMIN, { name: 'golden', tier: 'gold' }));
        expect(bad.status).toBe(400);
        expect(bad.body.error).toMatchObject({ field: 'tier' });
        expect(bad.body.error.message).toMatch(/free, pro/);
        expect(calls).toEqual([]);
        expect((await send(h, event('GET', '/projects/{projectId}', { projectId: 'golden' }, ADMIN))).status).toBe(404);

        const created = await send(h, event('POST', '/projects', {}, ADMIN, { name: 'staying', tier: 'pro' }));
        calls.length = 0;
        const move = await send(h, event('PUT', '/projects/{projectId}/tier', { projectId: 'staying' }, ADMIN, { tier: 'gold' }));
        expect(move.status).toBe(400);
        expect(move.body.error).toMatchObject({ field: 'tier' });
        expect(calls).toEqual([]);
        expect(plansOf(created.body.apiKeyId)).toEqual(['plan-pro']);
        for (const body of [{}, { tier: 5 }, { tier: 'pro', extra: 1 }, { tier: '../x' }]) {
          expect((await send(h, event('PUT', '/projects/{projectId}/tier', { projectId: 'staying' }, ADMIN, body))).status).toBe(400);
        }
        expect((await send(h, event('PUT', '/projects/{projectId}/tier', { projectId: 'nobody' }, ADMIN, { tier: 'pro' }))).status).toBe(404);
      });

      test('a project key cannot move its own project (admin only): 403, nothing moves', async () => {
        const h = adminHandler();
        const created = await send(h, event('POST', '/projects', {}, ADMIN, { name: 'climber', tier: 'free' }));
        const keyId = created.body.apiKeyId;
        calls.length = 0;
        const own = await send(h, event('PUT', '/projects/{projectId}/tier', { projectId: 'climber' }, keyId, { tier: 'pro' }));
        expect(own.status).toBe(403);
        expect(calls).toEqual([]);
        expect(plansOf(keyId)).toEqual(['plan-free']);
        expect((await send(h, event('GET', '/projects/{projectId}', { projectId: 'climber' }, ADMIN))).body.tier).toBe('free');
      });
    });
  });
});
