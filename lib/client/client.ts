// The HTTP client of the Whiplash REST API: projects, collections, and each collection's items and search.
import { DEFAULT_TOP_K } from '../../lambda/core/limits';
import type { CollectionInfo, IdPage, Project, QueryMatch, StoredVector, VectorInput } from '../../lambda/core/types';
import { CollectionClient, ItemOperations } from './collection';
import { WhiplashError } from './errors';
import { HttpTransport, HttpTransportOptions } from './http';
import type {
  CollectionHandle,
  CollectionsApi,
  CreateCollectionRequest,
  DeleteByFilterPage,
  DeleteManyResult,
  GetManyResult,
  ItemsPage,
  ListItemsOptions,
  ListOptions,
  RepairReport,
  SearchRequest,
} from './types';

/** Options of {@link WhiplashClient}: API URL, key, timeout and retries (see {@link HttpTransportOptions}). */
export type WhiplashClientOptions = HttpTransportOptions;

/** A new project and the value of its API key, which the API returns only once. */
export interface CreatedProject {
  readonly project: Project;
  /** Value of the project's API key: send it as `x-api-key`. Store it; it is not shown again. */
  readonly apiKey: string;
  /** Id of the API key (not secret): what API Gateway and the key bindings know it by. */
  readonly apiKeyId?: string;
}

/**
 * One URL path segment. "." and ".." are refused: every URL parser resolves them (also as %2e),
 * so `.../items/..` would address the collection instead of an item.
 */
function seg(value: string): string {
  if (value === '.' || value === '..') {
    throw new WhiplashError({ status: 400, code: 'ValidationError', message: `id must not be "${value}" (a URL path segment that HTTP clients resolve)`, field: 'id', rule: 'must not be "." or ".."' });
  }
  return encodeURIComponent(value);
}

function toWire(item: VectorInput): { id: string; vector: number[]; metadata?: VectorInput['metadata'] } {
  const out: { id: string; vector: number[]; metadata?: VectorInput['metadata'] } = { id: item.id, vector: Array.from(item.vector) };
  if (item.metadata !== undefined) out.metadata = item.metadata;
  return out;
}

/** A list answer is either a JSON array or an object holding one under `key`. */
function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  const v = (body as Record<string, unknown> | undefined)?.[key];
  return Array.isArray(v) ? (v as T[]) : [];
}

interface WireMatch {
  id: string;
  dist?: number;
  distance?: number;
  score: number;
  vector?: number[];
  metadata?: QueryMatch['metadata'];
}

/**
 * Client of the Whiplash REST API over HTTP (global `fetch`).
 *
 * Every request carries the `x-api-key` header and a time limit. Reads, searches and upserts
 * (idempotent) are retried on 429, 5xx, timeouts and network errors with exponential backoff and
 * full jitter, honouring `Retry-After`; creates and deletes are never retried. Failures are
 * {@link WhiplashError}s with `status`, `code`, `message` and `requestId`.
 *
 * ```ts
 * const client = new WhiplashClient({ apiUrl: 'http://127.0.0.1:3000', apiKey: process.env.WHIPLASH_API_KEY });
 * const docs = client.collection('my-project', 'docs');
 * await docs.upsertBatch(vectors, { concurrency: 4 });
 * const top = await docs.search({ vector: query, topK: 5, includeMetadata: true });
 * ```
 */
export class WhiplashClient implements CollectionsApi {
  private readonly http: HttpTransport;

  constructor(options: WhiplashClientOptions) {
    this.http = new HttpTransport(options);
  }

  // ---- projects (admin key, except getProject)

  /**
   * Creates a project and its API key (admin key). Not retried.
   * @param input.projectId `^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$` (`PROJECT_ID_PATTERN`) @default the name, when the name is a valid id
   * @param input.tier the usage plan tier of its key (a name the store's `usagePlans` declare) @default the store's default tier
   * @throws WhiplashError `Conflict` (409) when the id exists; `ValidationError` (400) naming `tier`
   *   when no such tier exists; `Forbidden` (403) without the admin key
   */
  async createProject(input: { name: string; projectId?: string; tier?: string }): Promise<CreatedProject> {
    const body = await this.http.request<Project & { apiKey: string; apiKeyId?: string }>({ method: 'POST', path: '/projects', body: input, idempotent: false });
    const { apiKey, apiKeyId, ...project } = body;
    return { project, apiKey, apiKeyId };
  }

  /** Every project (admin key). @throws WhiplashError `Forbidden` (403) with a project key */
  async listProjects(): Promise<Project[]> {
    return listOf<Project>(await this.http.request({ method: 'GET', path: '/projects', idempotent: true }), 'projects');
  }

  /** One project (admin key, or that project's key). @throws WhiplashError `NotFound` (404) */
  async getProject(projectId: string): Promise<Project> {
    return this.http.request<Project>({ method: 'GET', path: `/projects/${seg(projectId)}`, idempotent: true });
  }

  /**
   * Moves a project to another usage plan tier (admin key): its keys move to that tier's usage
   * plan, and the project records the tier. Idempotent: a failed move may be sent again.
   * @throws WhiplashError `ValidationError` (400) naming `tier` when no such tier exists;
   *   `NotFound` (404); `Forbidden` (403) without the admin key
   */
  async setProjectTier(projectId: string, tier: string): Promise<Project> {
    return this.http.request<Project>({ method: 'PUT', path: `/projects/${seg(projectId)}/tier`, body: { tier }, idempotent: true });
  }

  /** Deletes a project, its collections and its keys (admin key). Not retried. @throws WhiplashError `NotFound` (404) */
  async deleteProject(projectId: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `/projects/${seg(projectId)}`, idempotent: false });
  }

  // ---- collections

  /**
   * Creates a collection. Not retried.
   * @throws WhiplashError `ValidationError` (400) naming the field (dimension 1 to 4096, name pattern, index bounds, list size: see `lambda/core/limits.ts`; `indexMethod` 'ivf' with metric 'dot'; `listSize` without 'ivf'); `Conflict` (409) when the name exists
   */
  async createCollection(projectId: string, input: CreateCollectionRequest): Promise<CollectionInfo> {
    return this.http.request<CollectionInfo>({ method: 'POST', path: `/projects/${seg(projectId)}/collections`, body: input, idempotent: false });
  }

  /** A collection's configuration and approximate `vectorCount`. @throws WhiplashError `NotFound` (404) */
  async getCollection(projectId: string, name: string): Promise<CollectionInfo> {
    return this.http.request<CollectionInfo>({ method: 'GET', path: this.collPath(projectId, name), idempotent: true });
  }

  /** Every collection of a project. */
  async listCollections(projectId: string): Promise<CollectionInfo[]> {
    return listOf<CollectionInfo>(await this.http.request({ method: 'GET', path: `/projects/${seg(projectId)}/collections`, idempotent: true }), 'collections');
  }

  /** Deletes a collection; its items are purged in the background. Not retried. @throws WhiplashError `NotFound` (404) */
  async deleteCollection(projectId: string, name: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: this.collPath(projectId, name), idempotent: false });
  }

  /**
   * Repairs a collection after failed requests: finishes their cleanups, removes orphaned bucket
   * entries and recounts its vectors. Needs the admin key; pause writes to the collection meanwhile.
   * @throws WhiplashError `NotFound` (404), `Forbidden` (403) without the admin key
   */
  async repairCollection(projectId: string, name: string): Promise<RepairReport> {
    return this.http.request<RepairReport>({ method: 'POST', path: `${this.collPath(projectId, name)}/repair`, idempotent: true });
  }

  /** Items and search of one collection. Makes no request by itself. */
  collection(projectId: string, name: string): CollectionHandle {
    const base = this.collPath(projectId, name);
    const http = this.http;
    const ops: ItemOperations = {
      async upsertOne(item) {
        await http.request({ method: 'POST', path: `${base}/items`, body: toWire(item), idempotent: true });
      },
      async upsertChunk(items) {
        await http.request({ method: 'POST', path: `${base}/items/batch`, body: { vectors: items.map(toWire) }, idempotent: true });
      },
      async get(id) {
        const v = await http.request<StoredVector>({ method: 'GET', path: `${base}/items/${seg(id)}`, idempotent: true });
        return { id: v.id, vector: v.vector, metadata: v.metadata ?? {} };
      },
      async getChunk(ids, o) {
        const body = await http.request<GetManyResult>({
          method: 'POST',
          path: `${base}/items/batch-get`,
          body: { ids, include_vector: o.includeVector, include_metadata: o.includeMetadata },
          idempotent: true,
        });
        return { vectors: body.vectors, notFound: body.notFound };
      },
      async delete(id) {
        await http.request({ method: 'DELETE', path: `${base}/items/${seg(id)}`, idempotent: false });
      },
      async deleteChunk(ids) {
        const body = await http.request<DeleteManyResult>({ method: 'POST', path: `${base}/items/batch-delete`, body: { ids }, idempotent: false });
        return { deleted: body.deleted, notFound: body.notFound };
      },
      async updateMetadata(id, metadata, merge) {
        const v = await http.request<StoredVector>({ method: 'PATCH', path: `${base}/items/${seg(id)}`, body: { metadata, merge }, idempotent: false });
        return { id: v.id, vector: v.vector, metadata: v.metadata ?? {} };
      },
      async deleteByFilterPage(filter, cursor) {
        return http.request<DeleteByFilterPage>({ method: 'POST', path: `${base}/items/delete-by-filter`, body: cursor === undefined ? { filter } : { filter, cursor }, idempotent: false });
      },
      async listIds(options: ListOptions) {
        const body = await http.request<IdPage>({ method: 'GET', path: `${base}/items`, query: { limit: options.limit, cursor: options.cursor, prefix: options.prefix }, idempotent: true });
        return body.cursor ? { ids: body.ids, cursor: body.cursor } : { ids: body.ids };
      },
      async listItems(options: ListItemsOptions) {
        const body = await http.request<ItemsPage>({
          method: 'GET',
          path: `${base}/items`,
          query: {
            limit: options.limit,
            cursor: options.cursor,
            prefix: options.prefix,
            include_vector: options.includeVector ? 'true' : undefined,
            include_metadata: options.includeMetadata ? 'true' : undefined,
          },
          idempotent: true,
        });
        const vectors = body.vectors ?? body.ids.map((id) => ({ id }));
        return body.cursor ? { ids: body.ids, vectors, cursor: body.cursor } : { ids: body.ids, vectors };
      },
      async search(req: SearchRequest) {
        // Both flags are always sent: the API's own default for include_vector is true (as the original's).
        const wire: Record<string, unknown> = {
          ...(req.id !== undefined ? { id: req.id } : { query: Array.from(req.vector!) }),
          limit: req.topK ?? DEFAULT_TOP_K,
          include_vector: req.includeVector ?? false,
          include_metadata: req.includeMetadata ?? false,
        };
        if (req.filter !== undefined) wire.filter = req.filter;
        const body = await http.request<unknown>({ method: 'POST', path: `${base}/search`, body: wire, idempotent: true });
        return listOf<WireMatch>(body, 'matches').map((m) => {
          const out: { -readonly [K in keyof QueryMatch]: QueryMatch[K] } = { id: m.id, distance: m.dist ?? m.distance ?? NaN, score: m.score };
          if (m.vector !== undefined) out.vector = m.vector;
          if (m.metadata !== undefined) out.metadata = m.metadata;
          return out;
        });
      },
    };
    return new CollectionClient(projectId, name, ops);
  }

  private collPath(projectId: string, name: string): string {
    return `/projects/${seg(projectId)}/collections/${seg(name)}`;
  }
}
