// The collection handle of both clients: upserts (batched), get and delete (one or many), metadata updates,
// deletes by filter, paging and search over a client's item operations.
import { MAX_DELETE_BATCH, MAX_GET_BATCH } from '../../lambda/core/limits';
import type { Filter, IdPage, Metadata, QueryMatch, StoredVector, VectorInput } from '../../lambda/core/types';
import { DEFAULT_CONCURRENCY, upsertInChunks } from './batch';
import { WhiplashBatchError, WhiplashError } from './errors';
import type {
  CollectionHandle,
  DeleteByFilterPage,
  DeleteManyResult,
  GetManyOptions,
  GetManyResult,
  ItemsPage,
  ListItemsOptions,
  ListOptions,
  ManyOptions,
  SearchRequest,
  UpsertBatchOptions,
  UpsertBatchResult,
} from './types';

/** What a client must provide for one collection; {@link CollectionClient} adds batching and paging. */
export interface ItemOperations {
  upsertOne(item: VectorInput): Promise<void>;
  /** Writes one chunk that is already within the API's limits. */
  upsertChunk(items: readonly VectorInput[]): Promise<void>;
  get(id: string): Promise<StoredVector>;
  /** Reads one chunk of at most `MAX_GET_BATCH` distinct ids. */
  getChunk(ids: readonly string[], options: { includeVector: boolean; includeMetadata: boolean }): Promise<GetManyResult>;
  delete(id: string): Promise<void>;
  /** Deletes one chunk of at most `MAX_DELETE_BATCH` distinct ids. */
  deleteChunk(ids: readonly string[]): Promise<DeleteManyResult>;
  updateMetadata(id: string, metadata: Record<string, Metadata[string] | null>, merge: boolean): Promise<StoredVector>;
  deleteByFilterPage(filter: Filter, cursor?: string): Promise<DeleteByFilterPage>;
  listIds(options: ListOptions): Promise<IdPage>;
  listItems(options: ListItemsOptions): Promise<ItemsPage>;
  search(request: SearchRequest): Promise<QueryMatch[]>;
}

/** `ids` without repeats, in first-seen order, cut into chunks of at most `size`. */
function distinctChunks(ids: Iterable<string>, size: number): string[][] {
  const unique = [...new Set(ids)];
  const out: string[][] = [];
  for (let i = 0; i < unique.length; i += size) out.push(unique.slice(i, i + size));
  return out;
}

/**
 * Runs `send` over `chunks`, at most `concurrency` at a time; after the first failure starts no
 * more and waits for those in flight.
 * @returns each chunk's result, or the first error and which chunks were not acknowledged
 */
async function runChunks<R>(
  chunks: readonly string[][],
  concurrency: number,
  send: (chunk: readonly string[]) => Promise<R>,
): Promise<{ results: (R | undefined)[]; error?: unknown; failed: number[] }> {
  const results = new Array<R | undefined>(chunks.length);
  const failed: number[] = [];
  let error: unknown;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (error === undefined && next < chunks.length) {
      const i = next++;
      try {
        results[i] = await send(chunks[i]);
      } catch (err) {
        error ??= err;
        failed.push(i);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, Math.floor(concurrency)), chunks.length) }, worker));
  // chunks never started are not acknowledged either
  for (let i = next; i < chunks.length; i++) failed.push(i);
  return { results, error, failed: failed.sort((a, b) => a - b) };
}

/** A {@link CollectionHandle} over either client's {@link ItemOperations}. */
export class CollectionClient implements CollectionHandle {
  constructor(
    readonly projectId: string,
    readonly name: string,
    private readonly ops: ItemOperations,
  ) {}

  upsert(item: VectorInput): Promise<void> {
    return this.ops.upsertOne(item);
  }

  upsertBatch(items: Iterable<VectorInput> | AsyncIterable<VectorInput>, options?: UpsertBatchOptions): Promise<UpsertBatchResult> {
    return upsertInChunks(items, (chunk) => this.ops.upsertChunk(chunk), options);
  }

  get(id: string): Promise<StoredVector> {
    return this.ops.get(id);
  }

  async getMany(ids: Iterable<string>, options: GetManyOptions = {}): Promise<GetManyResult> {
    const chunks = distinctChunks(ids, MAX_GET_BATCH);
    const flags = { includeVector: options.includeVector ?? true, includeMetadata: options.includeMetadata ?? true };
    let done = 0;
    const { results, error } = await runChunks(chunks, options.concurrency ?? DEFAULT_CONCURRENCY, async (chunk) => {
      const r = await this.ops.getChunk(chunk, flags);
      done += chunk.length;
      options.onProgress?.(done);
      return r;
    });
    if (error !== undefined) throw error;
    return { vectors: results.flatMap((r) => r!.vectors), notFound: results.flatMap((r) => r!.notFound) };
  }

  delete(id: string): Promise<void> {
    return this.ops.delete(id);
  }

  async deleteMany(ids: Iterable<string>, options: ManyOptions = {}): Promise<DeleteManyResult> {
    const chunks = distinctChunks(ids, MAX_DELETE_BATCH);
    let done = 0;
    const { results, error, failed } = await runChunks(chunks, options.concurrency ?? DEFAULT_CONCURRENCY, async (chunk) => {
      const r = await this.ops.deleteChunk(chunk);
      done += chunk.length;
      options.onProgress?.(done);
      return r;
    });
    const acknowledged = results.filter((r): r is DeleteManyResult => r !== undefined);
    if (error !== undefined) {
      const cause = error instanceof WhiplashError ? error : new WhiplashError({ status: 0, code: 'ClientError', message: String(error), cause: error });
      const acked = chunks.filter((_, i) => !failed.includes(i)).reduce((n, c) => n + c.length, 0);
      throw new WhiplashBatchError(cause, failed.flatMap((i) => chunks[i]), acked, true, undefined, 'delete');
    }
    return { deleted: acknowledged.reduce((n, r) => n + r.deleted, 0), notFound: acknowledged.flatMap((r) => r.notFound) };
  }

  updateMetadata(id: string, metadata: Record<string, Metadata[string] | null>, options: { merge?: boolean } = {}): Promise<StoredVector> {
    return this.ops.updateMetadata(id, metadata, options.merge ?? true);
  }

  async deleteByFilter(filter: Filter, options: { cursor?: string; onPage?: (page: DeleteByFilterPage) => void } = {}): Promise<{ deleted: number }> {
    let cursor = options.cursor;
    let deleted = 0;
    do {
      const page = await this.ops.deleteByFilterPage(filter, cursor);
      deleted += page.deleted.length;
      options.onPage?.(page);
      cursor = page.cursor;
    } while (cursor);
    return { deleted };
  }

  listIds(options: ListOptions = {}): Promise<IdPage> {
    return this.ops.listIds(options);
  }

  listItems(options: ListItemsOptions = {}): Promise<ItemsPage> {
    return this.ops.listItems(options);
  }

  async *pages(options: ListOptions = {}): AsyncIterableIterator<IdPage> {
    let cursor = options.cursor;
    do {
      const page = await this.ops.listIds({ limit: options.limit, cursor, prefix: options.prefix });
      yield page;
      cursor = page.cursor;
    } while (cursor);
  }

  async *ids(options: ListOptions = {}): AsyncIterableIterator<string> {
    for await (const page of this.pages(options)) yield* page.ids;
  }

  search(request: SearchRequest): Promise<QueryMatch[]> {
    if ((request.vector === undefined) === (request.id === undefined)) {
      return Promise.reject(new WhiplashError({ status: 400, code: 'ValidationError', message: 'search takes exactly one of vector and id', field: 'vector', rule: 'exactly one of vector and id' }));
    }
    return this.ops.search(request);
  }
}
