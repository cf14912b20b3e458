// The OpenAPI 3.1 document of the REST API, generated from the route table and the JSON schemas.
import { ROUTES } from './routes';
import { ERROR_SCHEMA, RESPONSE_SCHEMAS } from './response-schemas';
import { MAX_BODY_BYTES } from '../core/limits';

/** Describes each path parameter. */
const PARAMETER_DOCS: Record<string, string> = {
  projectId: 'Project id',
  collectionId: 'Collection name',
  itemId: 'Vector id',
};

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Bad input: `error.field` names the field, `error.rule` the rule it breaks',
  '403': 'Missing or unknown API key, or a key of another project (`{"message": "Forbidden"}`)',
  '404': 'Unknown project, collection or item',
  '409': 'A project or collection of that name exists',
  '413': `Body larger than ${MAX_BODY_BYTES} bytes (API Gateway's payload limit)`,
  '429': 'Throttled ("Too Many Requests") or quota used up ("Limit Exceeded") by the usage plan',
  '500': 'Our fault; the body carries the request id',
};

/**
 * The OpenAPI 3.1 document of the REST API, generated from the route table and the JSON schemas.
 * @param serverUrl base URL to list under `servers` (e.g. the local gateway's URL)
 */
export function openApiDocument(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      description: PARAMETER_DOCS[m[1]] ?? m[1],
      schema: { type: 'string' },
    }));
    const query = r.querySchema
      ? Object.entries((r.querySchema.properties ?? {}) as Record<string, Record<string, unknown>>).map(([name, schema]) => ({
          name,
          in: 'query',
          required: false,
          description: schema.description,
          schema,
        }))
      : [];
    const responses: Record<string, unknown> = {
      [String(r.successStatus ?? 200)]: {
        description: 'Success',
        content: { 'application/json': { schema: RESPONSE_SCHEMAS[r.operationId] ?? { type: 'object' } } },
      },
    };
    for (const [status, description] of Object.entries(ERROR_STATUSES)) {
      if (status === '409' && !r.operationId.startsWith('create')) continue;
      if (status === '413' && !r.requestSchema) continue;
      if (status === '400' && !r.requestSchema && !r.querySchema && r.method !== 'GET' && r.method !== 'DELETE') continue;
      responses[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    paths[r.path] ??= {};
    paths[r.path][r.method.toLowerCase()] = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.path.includes('/items') || r.path.endsWith('/search') ? 'vectors' : r.path.includes('/collections') ? 'collections' : 'projects'],
      description: r.auth === 'admin' ? 'Needs the admin API key.' : "Needs the project's API key (or the admin key).",
      parameters: [...params, ...query],
      ...(r.requestSchema ? { requestBody: { required: true, content: { 'application/json': { schema: r.requestSchema } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Whiplash vector store',
      version: '0.1.0',
      description:
        'A serverless vector store on DynamoDB with a random-hyperplane LSH index. Send the API key in the `x-api-key` header. ' +
        'Errors are `{"error": {"status", "message", "code"}}`.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ apiKey: [] }],
    tags: [
      { name: 'projects', description: 'Tenants and their API keys' },
      { name: 'collections', description: 'Collections of vectors of one dimension and metric' },
      { name: 'vectors', description: 'Insert, read, delete and search vectors' },
    ],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
      schemas: { Error: ERROR_SCHEMA },
    },
  };
}
