// The API's request pipeline: route, identify and authorize the caller, validate, call the operation, map errors.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { headerValue, withCors } from './cors';
import type { ApiDeps } from './deps';
import { errorResponse, forbidden, HttpError, jsonResponse } from './http-errors';
import { requestLogger } from './logger';
import { findRoute, FunctionRole, OperationId, OperationOf, ROUTES, RouteDef } from './routes';
import { validateBody, validateQuery } from './validate';
import { ValidationError } from '../core/errors';
import { COLLECTION_NAME_PATTERN, MAX_BODY_BYTES, PROJECT_ID_PATTERN } from '../core/limits';

/** Who is calling: the admin key, or a key bound to one project. */
export type Caller = { readonly admin: true } | { readonly admin: false; readonly projectId: string; readonly apiKeyId: string };

/** A parsed, authorized and validated request, as an operation sees it. */
export interface ApiRequest {
  readonly route: RouteDef;
  /** Path parameters, URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The body, validated against `route.requestSchema` (undefined when the route takes none). */
  readonly body: any;
  /** The query string, validated and coerced against `route.querySchema`. */
  readonly query: Readonly<Record<string, any>>;
  readonly caller: Caller;
  readonly deps: ApiDeps;
  readonly requestId: string;
  readonly log: Logger;
}

/** What an operation answers: a JSON body, with the route's success status unless given. */
export interface ApiReply {
  readonly status?: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/** Serves one route: its name is the route's `operationId` (see `routes.ts`). */
export type Operation = (req: ApiRequest) => Promise<ApiReply>;

/** The operations of one function, by `operationId`: exactly one for each of its routes. */
export type Operations<F extends FunctionRole> = Readonly<Record<OperationOf<F>, Operation>>;

export type ApiHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

function requestIdOf(event: APIGatewayProxyEvent, context?: Context): string {
  return event.requestContext?.requestId ?? context?.awsRequestId ?? randomUUID();
}

/** Resolves the caller from the API key id that API Gateway (or the local gateway) put in the event. */
async function identify(event: APIGatewayProxyEvent, deps: ApiDeps): Promise<Caller> {
  const apiKeyId = event.requestContext?.identity?.apiKeyId;
  if (!apiKeyId) throw forbidden();
  if (apiKeyId === deps.adminKeyId) return { admin: true };
  const binding = await deps.store.findApiKey(apiKeyId);
  if (!binding) throw forbidden();
  return { admin: false, projectId: binding.projectId, apiKeyId };
}

/** Tenancy: a project key reaches only its own project; admin-only routes need the admin key. */
function authorize(route: RouteDef, caller: Caller, params: Record<string, string>): void {
  if (caller.admin) return;
  if (route.auth === 'admin') throw new HttpError(403, 'Forbidden', 'Forbidden: this operation needs the admin API key', 'Forbidden');
  if (params.projectId !== caller.projectId) {
    throw new HttpError(403, 'Forbidden', 'Forbidden: this API key belongs to another project', 'Forbidden');
  }
}

const PATH_PATTERNS: Readonly<Record<string, RegExp>> = {
  projectId: new RegExp(PROJECT_ID_PATTERN),
  collectionId: new RegExp(COLLECTION_NAME_PATTERN),
};

/**
 * Project ids and collection names in the path must match the patterns they were created with:
 * anything else names nothing, and must not reach DynamoDB (a key over its size limit is a
 * DynamoDB ValidationException, which would be a 500).
 */
function checkPathParams(params: Record<string, string>): void {
  for (const [name, pattern] of Object.entries(PATH_PATTERNS)) {
    if (params[name] !== undefined && !pattern.test(params[name])) throw new ValidationError(name, `must match ${pattern.source}`);
  }
}

function parseBody(event: APIGatewayProxyEvent): unknown {
  if (event.body === null || event.body === undefined || event.body === '') {
    throw new ValidationError('body', 'is required: send a JSON object');
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new HttpError(413, 'PayloadTooLarge', `The request body is larger than ${MAX_BODY_BYTES} bytes (the API Gateway payload limit)`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('body', 'must be valid JSON');
  }
}

/**
 * Builds the Lambda handler of one function role: it serves the routes whose `function` is that
 * role, dispatching on the event's `resource` and `httpMethod`. Steps: find the route, identify
 * and authorize the caller, parse and validate (ajv), call the operation, and map any error to
 * HTTP in one place (`http-errors.ts`); every answer gets the CORS headers of `deps.cors` (`cors.ts`).
 *
 * @param deps the dependencies, or a factory called on the first request (cold start)
 * @throws Error at construction when a route of this role has no operation (a programming error)
 */
export function createApiHandler<F extends FunctionRole>(role: F, operations: Operations<F>, deps: ApiDeps | (() => ApiDeps)): ApiHandler {
  // Routes are checked against `role` at run time, so any operation id may be looked up here.
  const byId: Partial<Record<OperationId, Operation>> = operations;
  for (const r of ROUTES) {
    if (r.function === role && !byId[r.operationId]) throw new Error(`the ${role} handler has no operation ${r.operationId}`);
  }
  const getDeps = typeof deps === 'function' ? deps : () => deps;
  return async (event, context) => {
    const requestId = requestIdOf(event, context);
    const log = requestLogger(requestId);
    const route = findRoute(event.httpMethod, event.resource);
    let d: ApiDeps | undefined;
    // Every answer, error or not, carries the CORS headers when the store has a CORS policy.
    const answer = (res: APIGatewayProxyResult): APIGatewayProxyResult => withCors(res, d?.cors, headerValue(event.headers, 'origin'));
    try {
      d = getDeps();
      if (!route || route.function !== role) {
        throw new HttpError(404, 'RouteNotFound', `No route ${event.httpMethod} ${event.resource} in the ${role} function`);
      }
      const params = (event.pathParameters ?? {}) as Record<string, string>;
      const caller = await identify(event, d);
      authorize(route, caller, params);
      checkPathParams(params);
      let body: unknown;
      if (route.requestSchema) {
        body = parseBody(event);
        validateBody(route.requestSchema, body);
      }
      let query: Record<string, unknown> = {};
      if (route.querySchema) query = validateQuery(route.querySchema, event.queryStringParameters as Record<string, string> | null);
      const reply = await byId[route.operationId]!({ route, params, body, query, caller, deps: d, requestId, log });
      const status = reply.status ?? route.successStatus ?? 200;
      log.info('request', { operationId: route.operationId, status, projectId: params.projectId });
      return answer(jsonResponse(status, reply.body, reply.headers));
    } catch (err) {
      const res = errorResponse(err, requestId, log);
      log.info('request', { operationId: route?.operationId, status: res.statusCode, projectId: event.pathParameters?.projectId });
      return answer(res);
    }
  };
}
