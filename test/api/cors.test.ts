// Tests that with a CORS policy every handler answer (success and error) carries Access-Control-Allow-Origin, read from the environment at cold start.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CORS_ENV, corsFromEnv, corsHeaders } from '../../lambda/api/cors';
import { ApiDeps, depsFromEnv } from '../../lambda/api/deps';
import { createAdminHandler } from '../../lambda/api/handlers/admin';
import { createQueryHandler } from '../../lambda/api/handlers/query';
import { logger } from '../../lambda/api/logger';
import { WhiplashStore } from '../../lambda/store/store';
import { LocalKeyIssuer } from '../../lib/local/local-keys';
import { testEndpoint, useTestTables } from '../support/tables';

const APP = 'https://app.example.com';
const ADMIN = 'admin-key-id';

function event(method: string, resource: string, params: Record<string, string>, apiKeyId: string | null, origin?: string): APIGatewayProxyEvent {
  let path = resource;
  for (const [k, v] of Object.entries(params)) path = path.replace(`{${k}}`, encodeURIComponent(v));
  return {
    resource,
    path,
    httpMethod: method,
    headers: origin ? { origin } : {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: Object.keys(params).length ? params : null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'cors-request', identity: { apiKeyId } } as never,
  };
}

describe('CORS headers on handler answers', () => {
  const db = useTestTables();
  let deps: ApiDeps;

  beforeAll(() => {
    logger.setLogLevel('ERROR');
    deps = {
      store: new WhiplashStore({ client: db.client, tables: db.tables }),
      adminKeyId: ADMIN,
      keyIssuer: new LocalKeyIssuer(),
      cors: { allowOrigins: [APP] },
    };
  });

  test('a success, a 403, a 404 and a validation error all carry Access-Control-Allow-Origin', async () => {
    const admin = createAdminHandler(deps);
    const query = createQueryHandler(deps);
    const answers = [
      await admin(event('GET', '/projects', {}, ADMIN, APP) as never),
      await admin(event('GET', '/projects', {}, null, APP) as never),
      await admin(event('GET', '/projects/{projectId}', { projectId: 'nobody' }, ADMIN, APP) as never),
      await query(event('GET', '/projects/{projectId}/collections/{collectionId}', { projectId: 'bad id!', collectionId: 'c' }, ADMIN, APP)),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 403, 404, 400]);
    for (const a of answers) {
      expect(a.headers).toMatchObject({ 'Access-Control-Allow-Origin': APP, Vary: 'Origin', 'Content-Type': 'application/json' });
    }
  });

  test('without a policy no answer carries CORS headers', async () => {
    const res = await createAdminHandler({ ...deps, cors: undefined })(event('GET', '/projects', {}, ADMIN, APP) as never);
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.headers ?? {}).filter((h) => h.toLowerCase().startsWith('access-control-'))).toEqual([]);
  });

  test('the policy comes from WHIPLASH_CORS, read when the dependencies are built (cold start)', () => {
    const env = {
      WHIPLASH_METADATA_TABLE: 'm',
      WHIPLASH_VECTORS_TABLE: 'v',
      WHIPLASH_BUCKETS_TABLE: 'b',
      WHIPLASH_ADMIN_KEY_ID: ADMIN,
      DYNAMODB_ENDPOINT: testEndpoint(),
      [CORS_ENV]: JSON.stringify({ allowOrigins: [APP, 'https://b.example'], allowCredentials: true }),
    };
    const built = depsFromEnv(env);
    expect(built.cors).toEqual({ allowOrigins: [APP, 'https://b.example'], allowCredentials: true, exposeHeaders: undefined });
    expect(depsFromEnv({ ...env, [CORS_ENV]: '' }).cors).toBeUndefined();
    expect(() => corsFromEnv({ [CORS_ENV]: '["x"]' })).toThrow(/WHIPLASH_CORS must be JSON/);
  });

  test('the allowed origin is echoed, `*` stays `*`, an unlisted origin of several gets none', () => {
    const two = { allowOrigins: [APP, 'https://b.example'] };
    expect(corsHeaders(two, 'https://b.example')['Access-Control-Allow-Origin']).toBe('https://b.example');
    expect(corsHeaders(two, 'https://attacker.example')['Access-Control-Allow-Origin']).toBeUndefined();
    expect(corsHeaders({ allowOrigins: ['*'] }, 'https://x.example')).toEqual({ 'Access-Control-Allow-Origin': '*' });
    expect(corsHeaders({ allowOrigins: [APP], allowCredentials: true, exposeHeaders: ['Retry-After'] }, undefined)).toEqual({
      'Access-Control-Allow-Origin': APP,
      Vary: 'Origin',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'Retry-After',
    });
  });
});
