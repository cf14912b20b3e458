// The collection handle of both clients: upserts (batched), get, delete, paging and search over a client's
// item operations.
import type { IdPage, QueryMatch, StoredVector, VectorInput } from '../../lambda/core/types';
import { upsertInChunks } from './batch';
import type { CollectionHandle, ListOptions, SearchRequest, UpsertBatchOptions, UpsertBatchResult } from './types';

/** What a client must provide for one collection; {@link CollectionClient} adds batching and paging. */
export interface ItemOperations {
  upsertOne(item: VectorInput): Promise<void>;
  /** Writes one chunk that is already within the API's limits. */
  upsertChunk(items: readonly VectorInput[]): Promise<void>;
  get(id: string): Promise<StoredVector>;
  delete(id: string): Promise<void>;
  listIds(options: ListOptions): Promise<IdPage>;
  search(request: SearchRequest): Promise<QueryMatch[]>;
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

  delete(id: string): Promise<void> {
    return this.ops.delete(id);
  }

  listIds(options: ListOptions = {}): Promise<IdPage> {
    return this.ops.listIds(options);
  }

  async *pages(options: ListOptions = {}): AsyncIterableIterator<IdPage> {
    let cursor = options.cursor;
    do {
      const page = await this.ops.listIds({ limit: options.limit, cursor });
      yield page;
      cursor = page.cursor;
    } while (cursor);
  }

  async *ids(options: ListOptions = {}): AsyncIterableIterator<string> {
    for await (const page of this.pages(options)) yield* page.ids;
  }

  search(request: SearchRequest): Promise<QueryMatch[]> {
    return this.ops.search(request);
  }
}
