// The route table (method, path, operation, function, auth, schemas) and the operation ids typed from it.
/**
 * The route table: the single source of truth for the deployed RestApi (`lib/construct/`), the
 * local gateway (`lib/local/`) and the OpenAPI document.
 *
 * Paths and JSON field names follow the original whiplash API so its clients keep working.
 *
 * Each route's `operationId` is also the name of the operation that serves it, in
 * `handlers/<function>.ts` (e.g. `search`, function `query`: the `search` operation of
 * `handlers/query.ts`). The handlers' operation maps are typed `Record<OperationOf<role>, Operation>`,
 * so the compiler checks that every route of a function has an operation and that no operation
 * exists without a route.
 */
import { MAX_DELETE_BATCH, MAX_FILTER_DELETE_SCAN, MAX_GET_BATCH, MAX_UPSERT_BATCH } from '../core/limits';
import { BODY_SCHEMAS, JsonSchema, QUERY_SCHEMAS } from './json-schemas';

/** The Lambda function that serves a route; split by workload for least privilege. */
export type FunctionRole = 'query' | 'write' | 'admin';

/** Who may call a route: the admin key only, or a key bound to the path's project (or admin). */
export type AuthRole = 'admin' | 'project';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A route as written in the table; {@link RouteDef} narrows its `operationId` to the table's ids. */
interface RouteEntry {
  readonly method: HttpMethod;
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly path: string;
  /** Unique name; also the OpenAPI operationId and the name of the handler's operation. */
  readonly operationId: string;
  readonly function: FunctionRole;
  readonly auth: AuthRole;
  readonly summary: string;
  /** JSON Schema of the request body (`lambda/api/json-schemas.ts`); absent: the route takes no body. */
  readonly requestSchema?: JsonSchema;
  /** JSON Schema of the query string; absent: the route takes no query parameters. */
  readonly querySchema?: JsonSchema;
  /** HTTP status of a successful answer. @default 200 */
  readonly successStatus?: number;
}

const COLLECTION = '/projects/{projectId}/collections/{collectionId}';

const ROUTE_TABLE = [
  { method: 'POST', path: '/projects', operationId: 'createProject', function: 'admin', auth: 'admin', summary: 'Create a project and issue its API key', requestSchema: BODY_SCHEMAS.createProject, successStatus: 201 },
  { method: 'GET', path: '/projects', operationId: 'listProjects', function: 'admin', auth: 'admin', summary: 'List projects' },
  { method: 'GET', path: '/projects/{projectId}', operationId: 'getProject', function: 'admin', auth: 'project', summary: 'Describe a project' },
  { method: 'DELETE', path: '/projects/{projectId}', operationId: 'deleteProject', function: 'admin', auth: 'admin', summary: 'Delete a project, its collections and its keys' },
  { method: 'PUT', path: '/projects/{projectId}/tier', operationId: 'setProjectTier', function: 'admin', auth: 'admin', summary: "Move a project to another usage plan tier (its keys move between the tiers' usage plans)", requestSchema: BODY_SCHEMAS.setProjectTier },
  { method: 'POST', path: '/projects/{projectId}/collections', operationId: 'createCollection', function: 'admin', auth: 'project', summary: 'Create a collection', requestSchema: BODY_SCHEMAS.createCollection },
  { method: 'GET', path: '/projects/{projectId}/collections', operationId: 'listCollections', function: 'query', auth: 'project', summary: 'List collections' },
  { method: 'GET', path: COLLECTION, operationId: 'getCollection', function: 'query', auth: 'project', summary: 'Describe a collection' },
  { method: 'DELETE', path: COLLECTION, operationId: 'deleteCollection', function: 'admin', auth: 'project', summary: 'Delete a collection and its vectors' },
  { method: 'POST', path: `${COLLECTION}/repair`, operationId: 'repairCollection', function: 'admin', auth: 'admin', summary: 'Repair a collection after failed requests: finish their cleanups, remove orphaned bucket entries, recount its vectors' },
  { method: 'POST', path: `${COLLECTION}/items`, operationId: 'upsertItem', function: 'write', auth: 'project', summary: 'Insert or replace one vector', requestSchema: BODY_SCHEMAS.upsertItem },
  { method: 'GET', path: `${COLLECTION}/items`, operationId: 'listItems', function: 'query', auth: 'project', summary: 'List vector ids (optionally those with a prefix, with vectors and metadata), a page at a time', querySchema: QUERY_SCHEMAS.listItems },
  { method: 'POST', path: `${COLLECTION}/items/batch`, operationId: 'upsertBatch', function: 'write', auth: 'project', summary: `Insert or replace up to ${MAX_UPSERT_BATCH} vectors`, requestSchema: BODY_SCHEMAS.upsertBatch },
  { method: 'POST', path: `${COLLECTION}/items/batch-get`, operationId: 'getItems', function: 'query', auth: 'project', summary: `Get up to ${MAX_GET_BATCH} vectors by id; the answer lists the ids not found`, requestSchema: BODY_SCHEMAS.getItems },
  { method: 'POST', path: `${COLLECTION}/items/batch-delete`, operationId: 'deleteItems', function: 'write', auth: 'project', summary: `Delete up to ${MAX_DELETE_BATCH} vectors by id; the answer lists the ids not found`, requestSchema: BODY_SCHEMAS.deleteItems },
  { method: 'POST', path: `${COLLECTION}/items/delete-by-filter`, operationId: 'deleteByFilter', function: 'write', auth: 'project', summary: `Delete the vectors whose metadata matches a filter: up to ${MAX_DELETE_BATCH} of the next ${MAX_FILTER_DELETE_SCAN} examined per call, with a cursor while more remain`, requestSchema: BODY_SCHEMAS.deleteByFilter },
  { method: 'GET', path: `${COLLECTION}/items/{itemId}`, operationId: 'getItem', function: 'query', auth: 'project', summary: 'Get one vector' },
  { method: 'PATCH', path: `${COLLECTION}/items/{itemId}`, operationId: 'updateItem', function: 'write', auth: 'project', summary: 'Replace or merge the metadata of one vector, keeping the vector', requestSchema: BODY_SCHEMAS.updateItem },
  { method: 'DELETE', path: `${COLLECTION}/items/{itemId}`, operationId: 'deleteItem', function: 'write', auth: 'project', summary: 'Delete one vector' },
  { method: 'POST', path: `${COLLECTION}/search`, operationId: 'search', function: 'query', auth: 'project', summary: 'Top-k nearest neighbours of a vector or of a stored vector\'s id, optionally filtered', requestSchema: BODY_SCHEMAS.search },
] as const satisfies readonly RouteEntry[];

/** Name of an operation: the `operationId` of one route of the table. */
export type OperationId = (typeof ROUTE_TABLE)[number]['operationId'];

/** The operations that function `F` serves: the `operationId`s of its routes. */
export type OperationOf<F extends FunctionRole> = Extract<(typeof ROUTE_TABLE)[number], { readonly function: F }>['operationId'];

/** One route of the API. */
export interface RouteDef extends RouteEntry {
  /** Unique name; also the OpenAPI operationId and the name of the operation in `handlers/<function>.ts`. */
  readonly operationId: OperationId;
}

/** Every route of the API. */
export const ROUTES: readonly RouteDef[] = ROUTE_TABLE;

/** The route with this method and API Gateway resource path, if any. */
export function findRoute(method: string, resource: string): RouteDef | undefined {
  return ROUTES.find((r) => r.method === method && r.path === resource);
}

/**
 * Matches a concrete request path (e.g. `/projects/p1/collections`) against the route table.
 * Path parameters are URL-decoded, as API Gateway decodes them.
 * @returns the route and its path parameters; `route` is undefined when the path is known but not
 *   with this method (`pathKnown` tells which).
 */
export function matchPath(
  method: string,
  path: string,
): { route?: RouteDef; params: Record<string, string>; pathKnown: boolean } {
  const segments = path.split('/').filter((s) => s.length > 0);
  let pathKnown = false;
  for (const route of ROUTES) {
    const tpl = route.path.split('/').filter((s) => s.length > 0);
    if (tpl.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < tpl.length && ok; i++) {
      const m = /^\{(\w+)\}$/.exec(tpl[i]);
      if (m) {
        let value: string;
        try {
          value = decodeURIComponent(segments[i]);
        } catch {
          ok = false;
          break;
        }
        params[m[1]] = value;
      } else if (tpl[i] !== segments[i]) ok = false;
    }
    if (!ok) continue;
    pathKnown = true;
    if (route.method === method) return { route, params, pathKnown };
  }
  return { params: {}, pathKnown };
}
