// The REST API built from the route table: methods, request validation, models, gateway error responses, logging.
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FunctionRole, ROUTES, RouteDef } from '../../lambda/api/routes';


/** Inputs of {@link buildRestApi}. */
export interface RestApiOptions {
  /** Name of the API: the `ApiName` dimension of its metrics, so it should be unique in the account and region. */
  readonly restApiName: string;
  readonly stageName: string;
  readonly endpointType: apigw.EndpointType;
  readonly cors?: apigw.CorsOptions;
  readonly cloudWatchRole: boolean;
  readonly accessLogGroup: logs.ILogGroup;
  /** One integration per function. */
  readonly integrations: Readonly<Record<FunctionRole, apigw.Integration>>;
}

/**
 * JSON Schema keywords API Gateway's draft-4 validator understands. A route's schema (draft
 * 2020-12, validated exactly by the handler with ajv) is relaxed to these: the gateway rejects
 * what is certainly bad early, and the handler gives the precise error for the rest.
 */
const DRAFT4_KEYWORDS = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'patternProperties', 'items',
  'minItems', 'maxItems', 'uniqueItems', 'minLength', 'maxLength', 'pattern', 'enum',
  'minimum', 'maximum', 'multipleOf', 'minProperties', 'maxProperties', 'anyOf', 'oneOf', 'allOf',
  'not', 'description', 'title', 'format', 'definitions', '$ref',
]);
const CHILD_MAPS = new Set(['properties', 'patternProperties', 'definitions']);

/**
 * Converts a JSON Schema (draft 2020-12 / draft-07) into the draft-4 subset API Gateway models
 * accept: `const` becomes a one-value `enum`, numeric `exclusiveMinimum`/`exclusiveMaximum` become
 * draft-4 booleans, `$defs` become `definitions`; keywords draft 4 lacks are dropped (which only
 * loosens the gateway's check; the handler still applies the full schema).
 */
export function toGatewaySchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toGatewaySchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const src = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(src)) {
    if (key === '$defs') {
      out.definitions = mapChildren(value);
    } else if (key === 'const') {
      out.enum = [value];
    } else if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value === 'number') {
      const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
      if (src[bound] === undefined) {
        out[bound] = value;
        out[key] = true;
      }
    } else if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace('#/$defs/', '#/definitions/');
    } else if (key === 'items' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      continue; // boolean and tuple forms (with draft 2020-12 `prefixItems`): left to the handler
    } else if (CHILD_MAPS.has(key)) {
      out[key] = mapChildren(value);
    } else if (DRAFT4_KEYWORDS.has(key)) {
      out[key] = typeof value === 'object' ? toGatewaySchema(value) : value;
    }
  }
  return out;
}

function mapChildren(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries((value ?? {}) as Record<string, unknown>)) out[name] = toGatewaySchema(child);
  return out;
}

const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const pathParams = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
const queryParams = (route: RouteDef): string[] => Object.keys((route.querySchema?.properties ?? {}) as Record<string, unknown>);

/**
 * API Gateway's own error responses, in the handlers' error shape (`lambda/api/http-errors.ts`):
 * `{"message": <API Gateway's message>, "error": {"status", "code", "message", "requestId"}}`; the
 * top-level `message` is what API Gateway answers by default, so its clients keep working. Gateway
 * response templates allow only simple variable substitution (no VTL): `$context.error.messageString`
 * is already a quoted JSON string; a body that fails validation also gets the validator's
 * description (naming the field and the rule) in `details`.
 */
const GATEWAY_ERRORS: readonly GatewayError[] = [
  { type: apigw.ResponseType.BAD_REQUEST_BODY, status: 400, code: 'ValidationError', details: true },
  { type: apigw.ResponseType.BAD_REQUEST_PARAMETERS, status: 400, code: 'ValidationError', details: true },
  { type: apigw.ResponseType.INVALID_API_KEY, status: 403, code: 'Forbidden' },
  { type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, status: 404, code: 'RouteNotFound' },
  { type: apigw.ResponseType.REQUEST_TOO_LARGE, status: 413, code: 'PayloadTooLarge' },
  { type: apigw.ResponseType.THROTTLED, status: 429, code: 'TooManyRequests' },
  { type: apigw.ResponseType.QUOTA_EXCEEDED, status: 429, code: 'LimitExceeded' },
  // Anything else keeps API Gateway's status; the code is its response type.
  { type: apigw.ResponseType.DEFAULT_4XX },
  { type: apigw.ResponseType.DEFAULT_5XX },
];

interface GatewayError {
  readonly type: apigw.ResponseType;
  /** @default - API Gateway's status for the response type */
  readonly status?: number;
  /** @default - the response type, e.g. `ACCESS_DENIED` */
  readonly code?: string;
  /** Add `details`: the request validator's description of what failed. */
  readonly details?: boolean;
}

/** The JSON body template of one gateway response. */
export function gatewayErrorTemplate(e: Omit<GatewayError, 'type'>): string {
  const status = e.status !== undefined ? `"status":${e.status},` : '';
  const code = e.code ?? '$context.error.responseType';
  const details = e.details ? ',"details":"$context.error.validationErrorString"' : '';
  return `{"message":$context.error.messageString,"error":{${status}"code":"${code}","message":$context.error.messageString${details},"requestId":"$context.requestId"}}`;
}

/**
 * The CORS headers of API Gateway's own error responses, as gateway response parameters (a quoted
 * static value, or a request header). With one allowed origin (or `*`) that origin; with several,
 * the request's `Origin` header, because a gateway response cannot compare it with the list (these
 * bodies hold only API Gateway's error message and the request id). The handlers' answers carry
 * the exact headers (`lambda/api/cors.ts`).
 * Source: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseParameters.html
 */
export function gatewayCorsHeaders(cors: apigw.CorsOptions | undefined): Record<string, string> {
  if (!cors) return {};
  const origins = cors.allowOrigins;
  const out: Record<string, string> = {};
  if (origins.includes('*')) out['Access-Control-Allow-Origin'] = "'*'";
  else {
    out['Access-Control-Allow-Origin'] = origins.length === 1 ? `'${origins[0]}'` : 'method.request.header.Origin';
    out.Vary = "'Origin'";
  }
  if (cors.allowCredentials) out['Access-Control-Allow-Credentials'] = "'true'";
  if (cors.exposeHeaders?.length) out['Access-Control-Expose-Headers'] = `'${cors.exposeHeaders.join(',')}'`;
  return out;
}

function addGatewayResponses(api: apigw.RestApi, cors: apigw.CorsOptions | undefined): void {
  const headers = gatewayCorsHeaders(cors);
  for (const e of GATEWAY_ERRORS) {
    api.addGatewayResponse(e.type.responseType, {
      type: e.type,
      ...(e.status !== undefined ? { statusCode: String(e.status) } : {}),
      ...(Object.keys(headers).length > 0 ? { responseHeaders: headers } : {}),
      templates: { 'application/json': gatewayErrorTemplate(e) },
    });
  }
}

/** The REST API and the methods it has, by `operationId`. */
export interface BuiltRestApi {
  readonly api: apigw.RestApi;
  readonly methods: Readonly<Record<string, apigw.Method>>;
}

/**
 * Builds the RestApi from the route table (`ROUTES`): one resource per path, one method per route,
 * each requiring an API key, with request validation (required path parameters; the body against
 * the route's `requestSchema` when it has one), access logging and execution logging at ERROR.
 * With `cors`: a preflight on every resource, and the CORS headers on every gateway error response.
 */
export function buildRestApi(scope: Construct, id: string, opts: RestApiOptions): BuiltRestApi {
  const api = new apigw.RestApi(scope, id, {
    restApiName: opts.restApiName,
    description: 'Whiplash vector store API',
    endpointConfiguration: { types: [opts.endpointType] },
    apiKeySourceType: apigw.ApiKeySourceType.HEADER,
    cloudWatchRole: opts.cloudWatchRole,
    defaultCorsPreflightOptions: opts.cors && {
      ...opts.cors,
      allowHeaders: [...new Set([...(opts.cors.allowHeaders ?? apigw.Cors.DEFAULT_HEADERS), 'Content-Type', 'x-api-key'])],
    },
    deployOptions: {
      stageName: opts.stageName,
      loggingLevel: apigw.MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      metricsEnabled: false,
      accessLogDestination: new apigw.LogGroupLogDestination(opts.accessLogGroup),
      accessLogFormat: apigw.AccessLogFormat.custom(
        JSON.stringify({
          requestId: apigw.AccessLogField.contextRequestId(),
          ip: apigw.AccessLogField.contextIdentitySourceIp(),
          requestTime: apigw.AccessLogField.contextRequestTime(),
          httpMethod: apigw.AccessLogField.contextHttpMethod(),
          resourcePath: apigw.AccessLogField.contextResourcePath(),
          status: apigw.AccessLogField.contextStatus(),
          responseLength: apigw.AccessLogField.contextResponseLength(),
          apiKeyId: apigw.AccessLogField.contextIdentityApiKeyId(),
          latency: apigw.AccessLogField.contextResponseLatency(),
          integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
          errorMessage: apigw.AccessLogField.contextErrorMessage(),
          validationError: apigw.AccessLogField.contextErrorValidationErrorString(),
        }),
      ),
    },
  });

  const validator = api.addRequestValidator('RequestValidator', {
    requestValidatorName: 'body-and-parameters',
    validateRequestBody: true,
    validateRequestParameters: true,
  });

  const methods: Record<string, apigw.Method> = {};
  for (const route of ROUTES as readonly RouteDef[]) {
    const resource = api.root.resourceForPath(route.path);
    const model = route.requestSchema
      ? api.addModel(`${pascal(route.operationId)}Model`, {
          contentType: 'application/json',
          modelName: `${pascal(route.operationId)}Request`,
          description: `Request body of ${route.operationId}`,
          schema: toGatewaySchema(route.requestSchema) as apigw.JsonSchema,
        })
      : undefined;
    methods[route.operationId] = resource.addMethod(route.method, opts.integrations[route.function], {
      operationName: route.operationId,
      apiKeyRequired: true,
      requestValidator: validator,
      requestParameters: {
        ...Object.fromEntries(pathParams(route.path).map((p) => [`method.request.path.${p}`, true])),
        ...Object.fromEntries(queryParams(route).map((q) => [`method.request.querystring.${q}`, false])),
      },
      ...(model ? { requestModels: { 'application/json': model } } : {}),
    });
  }
  addGatewayResponses(api, opts.cors);
  return { api, methods };
}
