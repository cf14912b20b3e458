// Builds the API Gateway REST proxy events the benchmark sends the bundled handlers, and the role that serves each route.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ADMIN_KEY_ID_ENV, REST_API_ID_ENV, USAGE_PLAN_ID_ENV, USAGE_PLANS_ENV } from '../../lambda/api/deps';
import { findRoute, type FunctionRole } from '../../lambda/api/routes';
import { TABLE_ENV, TableNames } from '../../lambda/store/table-definitions';
import { proxyIdentity } from '../../lib/local/gateway';

/** The admin key id the benchmark's handlers are given (`WHIPLASH_ADMIN_KEY_ID`); events carry it, so every request is the admin's. */
export const BENCH_ADMIN_KEY_ID = 'bench-admin-key-id';

/**
 * The environment the benchmark gives every bundled handler: what the construct sets on its
 * functions (`lib/construct/vector-store.ts`; the admin function's usage plans and REST API id
 * included, placeholders here), plus DynamoDB Local's endpoint and a region.
 */
export function benchEnvironment(tables: TableNames, endpoint: string): Record<string, string> {
  return {
    [TABLE_ENV.metadata]: tables.metadata,
    [TABLE_ENV.vectors]: tables.vectors,
    [TABLE_ENV.buckets]: tables.buckets,
    [ADMIN_KEY_ID_ENV]: BENCH_ADMIN_KEY_ID,
    [USAGE_PLAN_ID_ENV]: 'bench-usage-plan',
    [USAGE_PLANS_ENV]: JSON.stringify({ default: 'bench-usage-plan' }),
    [REST_API_ID_ENV]: 'bench-rest-api',
    POWERTOOLS_SERVICE_NAME: 'whiplash',
    POWERTOOLS_METRICS_NAMESPACE: 'Whiplash',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: 'us-east-1',
  };
}

/** One request to a handler: the route (method and path template as in `lambda/api/routes.ts`), its path parameters and body. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path template, e.g. `/projects/{projectId}`. */
  readonly resource: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/**
 * The API Gateway REST proxy event (payload v1) that API Gateway sends the function for `spec`, with
 * the caller identified by `apiKeyId` (`requestContext.identity.apiKeyId`), as the deployed API and the
 * local gateway build it.
 * @throws Error when the route is not in the route table.
 */
export function proxyEvent(spec: RequestSpec, requestId: string, apiKeyId = BENCH_ADMIN_KEY_ID): APIGatewayProxyEvent {
  const route = findRoute(spec.method, spec.resource);
  if (!route) throw new Error(`no route ${spec.method} ${spec.resource}`);
  const params = spec.params ?? {};
  const path = spec.resource.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`path parameter ${name} of ${spec.resource} is missing`);
    return encodeURIComponent(v);
  });
  const body = spec.body === undefined ? null : JSON.stringify(spec.body);
  return {
    resource: spec.resource,
    path,
    httpMethod: spec.method,
    headers: body ? { 'content-type': 'application/json' } : {},
    multiValueHeaders: body ? { 'content-type': ['application/json'] } : {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: Object.keys(params).length > 0 ? { ...params } : null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: spec.method,
      path: `/prod${path}`,
      stage: 'prod',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: route.operationId,
      resourcePath: spec.resource,
      identity: proxyIdentity({ apiKey: null, apiKeyId, sourceIp: '127.0.0.1', userAgent: 'whiplash-bench' }),
    },
  };
}

/** The role a request's route is served by (`query`, `write` or `admin`). @throws Error for an unknown route. */
export function roleOf(spec: RequestSpec): FunctionRole {
  const route = findRoute(spec.method, spec.resource);
  if (!route) throw new Error(`no route ${spec.method} ${spec.resource}`);
  return route.function;
}
