// The local API gateway: routes HTTP requests to the handlers as API Gateway does (API keys, usage plans, body limit,
// Lambda's payload limits and timeout, docs).
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { corsHeaders, CorsPolicy } from '../../lambda/api/cors';
import type { ApiHandler } from '../../lambda/api/dispatch';
import { errorBody, errorResponse, forbidden, HttpError, quotaExceeded, throttled } from '../../lambda/api/http-errors';
import { requestLogger } from '../../lambda/api/logger';
import { openApiDocument } from '../../lambda/api/openapi';
import { FunctionRole, matchPath, ROUTES, RouteDef } from '../../lambda/api/routes';
import { MAX_BODY_BYTES, MAX_LAMBDA_PAYLOAD_BYTES } from '../../lambda/core/limits';
import { docsAsset } from './docs';
import {
  endpointTimedOut,
  internalServerError,
  InvocationFailedError,
  InvocationTimeoutError,
  payloadBytes,
  requestTooLong,
} from './lambda-limits';
import { localKeyId } from './local-keys';
import { UsagePlanEnforcer } from './usage-plan';

/** What the local gateway routes to and checks keys against. */
export interface GatewayOptions {
  /**
   * The three Lambda functions, by role: the same handler code that runs on AWS, called in this
   * process or through an instance pool (`instance-pool.ts`), which rejects with
   * `InvocationTimeoutError` / `InvocationFailedError` (answered 504 / 502).
   */
  readonly handlers: Readonly<Record<FunctionRole, ApiHandler>>;
  /** Id of the admin key (`localKeyId(adminKey)`). */
  readonly adminKeyId: string;
  /** Whether a key id is bound to a project (the store's `findApiKey`). */
  readonly isKnownKey: (apiKeyId: string) => Promise<boolean>;
  readonly usagePlan: UsagePlanEnforcer;
  /** Base URL to list in the OpenAPI document. */
  readonly url: () => string;
  /** Receives one line per request (method, path, status, milliseconds, request id); never keys or bodies. */
  readonly log?: (line: string) => void;
  /**
   * Which web origins may read the answers, as the construct's `cors` prop: preflights (`OPTIONS`)
   * are answered and every answer, the gateway's own errors included, carries the CORS headers.
   * @default - no CORS: `OPTIONS` is 405 and answers carry no CORS headers
   */
  readonly cors?: CorsPolicy;
}

/**
 * Request headers a preflight allows: API Gateway's defaults (`Cors.DEFAULT_HEADERS` of the CDK)
 * with `x-api-key`, as the construct configures its preflight.
 */
export const PREFLIGHT_ALLOW_HEADERS = ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Amz-Security-Token', 'X-Amz-User-Agent'];

/** Reads the body; past `MAX_BODY_BYTES` it keeps draining the socket but stops buffering. */
async function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk as Buffer);
  }
  return { body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge };
}

/** Builds the API Gateway REST proxy event (v1 payload) for a matched request. */
export function buildProxyEvent(args: {
  route: RouteDef;
  req: IncomingMessage;
  url: URL;
  params: Record<string, string>;
  body: Buffer;
  requestId: string;
  apiKey?: string;
  apiKeyId?: string;
}): APIGatewayProxyEvent {
  const { route, req, url, params, body, requestId } = args;
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const qs: Record<string, string> = {};
  const mqs: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    qs[k] = v; // API Gateway keeps the last value
    (mqs[k] ??= []).push(v);
  }
  const hasQuery = Object.keys(qs).length > 0;
  const hasParams = Object.keys(params).length > 0;
  const now = Date.now();
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? qs : null,
    multiValueQueryStringParameters: hasQuery ? mqs : null,
    pathParameters: hasParams ? params : null,
    stageVariables: null,
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: route.method,
      path: `/local${url.pathname}`,
      stage: 'local',
      requestId,
      requestTimeEpoch: now,
      resourceId: route.operationId,
      resourcePath: route.path,
      identity: proxyIdentity({
        apiKey: args.apiKey ?? null,
        apiKeyId: args.apiKeyId ?? null,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? null,
      }),
    },
  };
}

/**
 * `requestContext.identity` of a REST proxy event: the caller's API key, its id and address; the
 * IAM and Cognito fields are null, as API Gateway sends them for an API that only uses API keys.
 */
export function proxyIdentity(caller: {
  apiKey: string | null;
  apiKeyId: string | null;
  sourceIp: string;
  userAgent: string | null;
}): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: caller.apiKey,
    apiKeyId: caller.apiKeyId,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: caller.sourceIp,
    user: null,
    userAgent: caller.userAgent,
    userArn: null,
  };
}

function sendRaw(res: ServerResponse, result: APIGatewayProxyResult, requestId: string, cors: Record<string, string> = {}): void {
  const headers: Record<string, string | number | boolean> = { 'x-amzn-RequestId': requestId, ...(result.headers ?? {}), ...cors };
  res.writeHead(result.statusCode, headers as Record<string, string>);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

/**
 * Invokes a function as API Gateway's Lambda proxy integration does, within Lambda's limits: an
 * event over the 6 MB invocation payload limit never reaches the function (413 "Request Too
 * Long"); an invocation past the time limit (`InvocationTimeoutError`) is a 504 "Endpoint request
 * timed out"; a function that fails (`InvocationFailedError`) or answers more than 6 MB is a 502
 * "Internal server error". See `lambda-limits.ts` for the sources.
 */
export async function invokeWithinLimits(handler: ApiHandler, event: APIGatewayProxyEvent, requestId: string): Promise<APIGatewayProxyResult> {
  const eventBytes = payloadBytes(event);
  if (eventBytes > MAX_LAMBDA_PAYLOAD_BYTES) return requestTooLong(requestId, eventBytes);
  let result: APIGatewayProxyResult;
  try {
    result = await handler(event, undefined);
  } catch (err) {
    if (err instanceof InvocationTimeoutError) return endpointTimedOut(requestId, err.timeoutMs);
    if (err instanceof InvocationFailedError) return internalServerError(requestId, `The function failed: ${err.message}`);
    throw err;
  }
  const resultBytes = payloadBytes(result);
  if (resultBytes > MAX_LAMBDA_PAYLOAD_BYTES) {
    return internalServerError(requestId, `The function's response is ${resultBytes} bytes, over Lambda's ${MAX_LAMBDA_PAYLOAD_BYTES}-byte invocation payload limit`);
  }
  return result;
}

/**
 * The local API gateway's request listener. Like API Gateway in front of the Lambda functions, it
 * matches the route table, rejects bodies over 10 MB (413), checks the `x-api-key` header (403
 * `{"message":"Forbidden"}` when missing or unknown), enforces the usage plan (429 "Too Many
 * Requests" / "Limit Exceeded"), then builds the proxy event and calls the route's handler
 * within Lambda's limits ({@link invokeWithinLimits}). It also serves `/openapi.json` and the docs at `/docs`.
 */
export function createGatewayListener(opts: GatewayOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<number> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const cors = corsHeaders(opts.cors, origin);
    const send = (r: ServerResponse, result: APIGatewayProxyResult, id: string): void => sendRaw(r, result, id, cors);
    if (opts.cors && method === 'OPTIONS') {
      const methods = ROUTES.filter((r) => matchPath(r.method, url.pathname).route === r).map((r) => r.method);
      if (methods.length > 0) {
        req.resume();
        const headers = { ...cors, 'Access-Control-Allow-Methods': [...new Set([...methods, 'OPTIONS'])].join(','), 'Access-Control-Allow-Headers': PREFLIGHT_ALLOW_HEADERS.join(',') };
        res.writeHead(204, { 'x-amzn-RequestId': requestId, ...headers });
        res.end();
        return 204;
      }
    }
    if (method === 'GET' && url.pathname === '/openapi.json') {
      send(res, { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(openApiDocument(opts.url())) }, requestId);
      return 200;
    }
    if (method === 'GET' && url.pathname.startsWith('/docs')) {
      const asset = await docsAsset(url.pathname);
      if (asset) {
        res.writeHead(200, { 'Content-Type': asset.contentType, 'Cache-Control': 'no-cache' });
        res.end(asset.body);
        return 200;
      }
    }
    if (method === 'GET' && url.pathname === '/') {
      const body = { name: 'whiplash', openapi: '/openapi.json', docs: '/docs' };
      send(res, { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }, requestId);
      return 200;
    }
    const { route, params, pathKnown } = matchPath(method, url.pathname);
    const { body, tooLarge } = await readBody(req);
    try {
      if (!route) {
        throw pathKnown
          ? new HttpError(405, 'MethodNotAllowed', `${method} is not allowed on ${url.pathname}`)
          : new HttpError(404, 'RouteNotFound', `No route ${method} ${url.pathname}; see /openapi.json`);
      }
      if (tooLarge) throw new HttpError(413, 'PayloadTooLarge', `The request body is larger than ${MAX_BODY_BYTES} bytes (the API Gateway payload limit)`);
      const header = req.headers['x-api-key'];
      const apiKey = Array.isArray(header) ? header[0] : header;
      if (!apiKey) throw forbidden();
      const apiKeyId = localKeyId(apiKey);
      if (apiKeyId !== opts.adminKeyId && !(await opts.isKnownKey(apiKeyId))) throw forbidden();
      const verdict = opts.usagePlan.admit(apiKeyId);
      if (verdict === 'throttled') throw throttled();
      if (verdict === 'quota') throw quotaExceeded();
      const event = buildProxyEvent({ route, req, url, params, body, requestId, apiKey, apiKeyId });
      const result = await invokeWithinLimits(opts.handlers[route.function], event, requestId);
      send(res, result, requestId);
      return result.statusCode;
    } catch (err) {
      const result = errorResponse(err, requestId, requestLogger(requestId));
      send(res, result, requestId);
      return result.statusCode;
    }
  };
  return (req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    handle(req, res, requestId)
      .then((status) => opts.log?.(`${req.method} ${(req.url ?? '/').split('?')[0]} ${status} ${Date.now() - started}ms request ${requestId}`))
      .catch((err) => {
        opts.log?.(`${req.method} ${(req.url ?? '/').split('?')[0]} failed: ${String(err)}`);
        if (!res.headersSent) {
          const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
          res.writeHead(500, { 'Content-Type': 'application/json', ...corsHeaders(opts.cors, origin) });
          res.end(JSON.stringify(errorBody(500, 'InternalError', `Internal server error (request ${requestId})`, { requestId })));
        } else res.destroy();
      });
  };
}
