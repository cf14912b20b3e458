// Lambda's limits as local mode enforces them (6 MB payloads, API Gateway's 29 s integration timeout),
// the errors an invocation ends in, and the answers API Gateway (REST, Lambda proxy) gives for each.
import type { APIGatewayProxyResult } from 'aws-lambda';
import { errorBody, jsonResponse } from '../../lambda/api/http-errors';
import { MAX_LAMBDA_PAYLOAD_BYTES } from '../../lambda/core/limits';

/**
 * API Gateway's integration timeout for a REST API, in milliseconds: 29 s by default.
 * Source: https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
export const INTEGRATION_TIMEOUT_MS = 29_000;

/** The invocation took longer than the integration timeout (the instance is then replaced). */
export class InvocationTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the invocation took longer than ${timeoutMs} ms`);
    this.name = 'InvocationTimeoutError';
  }
}

/** The instance failed while handling the invocation (it crashed or threw), as a Lambda function error. */
export class InvocationFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvocationFailedError';
  }
}

/** Size of a value as the JSON Lambda would carry, in UTF-8 bytes. */
export function payloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * A proxy event over {@link MAX_LAMBDA_PAYLOAD_BYTES}: Lambda refuses the invocation
 * (RequestEntityTooLargeException, "Request must be smaller than 6291456 bytes for the Invoke
 * operation") and the function never runs. API Gateway (REST) answers 413
 * `{"message":"Request Too Long"}`, as AWS's own emulator of it does (AWS Lambda Test Tool v2,
 * https://github.com/aws/aws-lambda-dotnet, `Tools/LambdaTestTool-v2`, `InvokeResponseExtensions.ToHttpApiRequestTooLargeResponse`,
 * checked by its `LargePayloadTests`). Note: the Lambda developer guide says generally that API
 * Gateway answers 500 when the Lambda API rejects an invocation
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html); for a payload
 * over the limit we follow the observed 413. The body carries the API's error object as well,
 * as the construct's REQUEST_TOO_LARGE gateway response does (`lib/construct/rest-api.ts`).
 */
export function requestTooLong(requestId: string, bytes: number): APIGatewayProxyResult {
  const message = `The request event is ${bytes} bytes, larger than Lambda's ${MAX_LAMBDA_PAYLOAD_BYTES}-byte invocation payload limit`;
  return jsonResponse(413, errorBody(413, 'PayloadTooLarge', message, { requestId, gatewayMessage: 'Request Too Long' }));
}

/**
 * The function ran but failed: its response was over {@link MAX_LAMBDA_PAYLOAD_BYTES} (Lambda:
 * "Response payload size exceeded maximum allowed payload size"), it threw, or its instance
 * crashed. API Gateway answers 502 `{"message": "Internal server error"}`: "If the function runs
 * but returns an error, or returns a response in the wrong format, API Gateway returns a 502"
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html).
 */
export function internalServerError(requestId: string, detail: string): APIGatewayProxyResult {
  return jsonResponse(502, errorBody(502, 'InternalServerError', detail, { requestId, gatewayMessage: 'Internal server error' }));
}

/**
 * The integration took longer than API Gateway's timeout: 504 `{"message": "Endpoint request timed
 * out"}` (gateway response INTEGRATION_TIMEOUT, default status 504:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html;
 * https://repost.aws/knowledge-center/api-gateway-504-errors).
 */
export function endpointTimedOut(requestId: string, timeoutMs: number): APIGatewayProxyResult {
  const message = `The function did not answer within the ${timeoutMs} ms integration timeout`;
  return jsonResponse(504, errorBody(504, 'INTEGRATION_TIMEOUT', message, { requestId, gatewayMessage: 'Endpoint request timed out' }));
}
