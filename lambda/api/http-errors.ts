// Errors as HTTP responses: the error body, HttpError for auth, routing and body size, the 403 and 429
// answers of API Gateway, and which AWS SDK errors are transient (503).
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { ServiceUnavailableError, ValidationError, WhiplashDomainError } from '../core/errors';

/**
 * The one place where errors become HTTP responses.
 *
 * Body: `{"error": {"status", "message", "code", "field"?, "rule"?, "requestId"?}}`. 403 and 429
 * also carry a top-level `message` ("Forbidden", "Too Many Requests", "Limit Exceeded") because
 * that is what API Gateway answers, so clients written against API Gateway keep working.
 * Domain errors map to their own status; anything else is our fault: 500 with a generic message,
 * logged with the request id.
 */

/** Standard headers of every JSON response. */
export const JSON_HEADERS: Readonly<Record<string, string>> = { 'Content-Type': 'application/json' };

/** A client mistake that is not a domain error of the core: auth, routing, body size. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Top-level `message` as API Gateway sends it (403, 429). */
    readonly gatewayMessage?: string,
  ) {
    super(message);
  }
}

/** 403 for a missing or unknown API key, as API Gateway answers it. */
export function forbidden(detail = 'Forbidden: a valid API key is required in the x-api-key header'): HttpError {
  return new HttpError(403, 'Forbidden', detail, 'Forbidden');
}

/** 429 when the usage plan's throttle (rate, burst) is exceeded. */
export function throttled(): HttpError {
  return new HttpError(429, 'TooManyRequests', 'Too Many Requests: the usage plan throttle of this API key was exceeded', 'Too Many Requests');
}

/** 429 when the usage plan's quota is used up. */
export function quotaExceeded(): HttpError {
  return new HttpError(429, 'LimitExceeded', 'Limit Exceeded: the usage plan quota of this API key is used up', 'Limit Exceeded');
}

/** A JSON response. */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** The error body for a status, code and message. */
export function errorBody(
  status: number,
  code: string,
  message: string,
  extra: { field?: string; rule?: string; requestId?: string; gatewayMessage?: string } = {},
): Record<string, unknown> {
  const error: Record<string, unknown> = { status, message, code };
  if (extra.field !== undefined) error.field = extra.field;
  if (extra.rule !== undefined) error.rule = extra.rule;
  if (extra.requestId !== undefined) error.requestId = extra.requestId;
  return extra.gatewayMessage !== undefined ? { message: extra.gatewayMessage, error } : { error };
}

/**
 * Maps any thrown value to the HTTP response. Domain and HTTP errors keep their status and
 * message; anything else becomes a 500 with a generic message, logged (with its stack) under the
 * request id.
 */
export function errorResponse(err: unknown, requestId: string, log?: Logger): APIGatewayProxyResult {
  if (err instanceof HttpError) {
    return jsonResponse(err.status, errorBody(err.status, err.code, err.message, { requestId, gatewayMessage: err.gatewayMessage }));
  }
  if (err instanceof ValidationError) {
    return jsonResponse(400, errorBody(400, err.code, err.message, { field: err.field, rule: err.rule, requestId }));
  }
  if (err instanceof ServiceUnavailableError) {
    log?.warn('DynamoDB unavailable after retries', { error: err.message });
    return jsonResponse(503, errorBody(503, err.code, err.message, { requestId }), { 'Retry-After': String(err.retryAfterSeconds) });
  }
  if (err instanceof WhiplashDomainError) {
    return jsonResponse(err.status, errorBody(err.status, err.code, err.message, { requestId }));
  }
  if (isTransientAwsError(err)) {
    log?.warn('AWS service unavailable after the SDK retries', { error: (err as Error).name, message: (err as Error).message });
    const message = 'Service unavailable: the database throttled or failed after every retry; nothing was acknowledged, retry later';
    return jsonResponse(503, errorBody(503, 'ServiceUnavailable', message, { requestId }), { 'Retry-After': '1' });
  }
  if (err instanceof Error) log?.error('internal error', err);
  else log?.error('internal error', { error: String(err) });
  return jsonResponse(
    500,
    errorBody(500, 'InternalError', `Internal server error; quote request id ${requestId} when reporting it`, { requestId }),
  );
}

/** Error names of AWS services (DynamoDB, API Gateway) that mean "throttled", not "your request is wrong". */
const AWS_THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
]);
/** Node.js socket error codes of a connection that failed or broke. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * True when an AWS SDK call failed for a reason that is not the caller's: throttling, a 5xx
 * answer, or a broken connection or timeout, left after the SDK's own retries. These map to 503
 * with `Retry-After`, never to 500.
 */
export function isTransientAwsError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $fault?: string; $retryable?: unknown };
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return true;
  if (e.$metadata === undefined) return false; // not an AWS SDK error
  const status = e.$metadata.httpStatusCode;
  if (status === undefined) return true; // no HTTP answer at all: network error or timeout
  return status >= 500 || status === 429 || AWS_THROTTLING.has(e.name ?? '') || e.$retryable !== undefined;
}

