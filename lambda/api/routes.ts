/**
 * The route table: the single source of truth for the deployed RestApi (`lib/`), the local
 * gateway (`lib/local/`) and the OpenAPI document.
 *
 * Paths and JSON field names follow the original whiplash API so its clients keep working.
 */

/** The Lambda function that serves a route; split by workload for least privilege. */
export type FunctionRole = 'query' | 'write' | 'admin';

/** Who may call a route: the admin key only, or a key bound to the path's project (or admin). */
export type AuthRole = 'admin' | 'project';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface RouteDef {
  readonly method: HttpMethod;
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly path: string;
  /** Unique name; also the OpenAPI operationId and the handler's dispatch key. */
  readonly operationId: string;
  readonly function: FunctionRole;
  readonly auth: AuthRole;
  readonly summary: string;
}

const COLLECTION = '/projects/{projectId}/collections/{collectionId}';

export const ROUTES: readonly RouteDef[] = [
  { method: 'POST', path: '/projects', operationId: 'createProject', function: 'admin', auth: 'admin', summary: 'Create a project and issue its API key' },
  { method: 'GET', path: '/projects', operationId: 'listProjects', function: 'admin', auth: 'admin', summary: 'List projects' },
  { method: 'GET', path: '/projects/{projectId}', operationId: 'getProject', function: 'admin', auth: 'project', summary: 'Describe a project' },
  { method: 'DELETE', path: '/projects/{projectId}', operationId: 'deleteProject', function: 'admin', auth: 'admin', summary: 'Delete a project, its collections and its keys' },
  { method: 'POST', path: '/projects/{projectId}/collections', operationId: 'createCollection', function: 'admin', auth: 'project', summary: 'Create a collection' },
  { method: 'GET', path: '/projects/{projectId}/collections', operationId: 'listCollections', function: 'query', auth: 'project', summary: 'List collections' },
  { method: 'GET', path: COLLECTION, operationId: 'getCollection', function: 'query', auth: 'project', summary: 'Describe a collection' },
  { method: 'DELETE', path: COLLECTION, operationId: 'deleteCollection', function: 'admin', auth: 'project', summary: 'Delete a collection and its vectors' },
  { method: 'POST', path: `${COLLECTION}/items`, operationId: 'upsertItem', function: 'write', auth: 'project', summary: 'Insert or replace one vector' },
  { method: 'GET', path: `${COLLECTION}/items`, operationId: 'listItems', function: 'query', auth: 'project', summary: 'List vector ids, a page at a time' },
  { method: 'POST', path: `${COLLECTION}/items/batch`, operationId: 'upsertBatch', function: 'write', auth: 'project', summary: 'Insert or replace up to 500 vectors' },
  { method: 'GET', path: `${COLLECTION}/items/{itemId}`, operationId: 'getItem', function: 'query', auth: 'project', summary: 'Get one vector' },
  { method: 'DELETE', path: `${COLLECTION}/items/{itemId}`, operationId: 'deleteItem', function: 'write', auth: 'project', summary: 'Delete one vector' },
  { method: 'POST', path: `${COLLECTION}/search`, operationId: 'search', function: 'query', auth: 'project', summary: 'Top-k nearest neighbours, optionally filtered' },
];
