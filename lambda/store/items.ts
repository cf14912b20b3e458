// A collection's items: upsert (vector item plus one bucket entry per hash table, one filter index
// entry per filterable metadata value and a payload of non-filterable metadata), get, delete and
// the paged list of ids.
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, QueryCommand, QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../core/concurrency';
import { NotFoundError, ValidationError } from '../core/errors';
import { DEFAULT_LIST_LIMIT, MAX_IDS_PER_CALL, MAX_LIST_DATA_LIMIT, MAX_LIST_LIMIT, MAX_UPSERT_BATCH } from '../core/limits';
import { checkMetadata, nonFilterableKeys } from '../core/metadata';
import { checkId } from '../core/params';
import { CollectionConfig, IdPage, Metadata, StoredVector, VectorInput } from '../core/types';
import { toFloat32, vectorToBytes } from '../core/vector';
import { batchGetAll, deleteAll, Item } from './batch';
import { CheckedRow, encodeForWrite, entryLayout, StaleCollectionError } from './collection-state';
import { CollectionStore } from './collections';
import { counterKey, VECTOR_SHARDS, vectorKey, vectorPartition } from './key-format';
import { staleKeys, versionWrite } from './item-version';
import { ItemVersions, WRITE_CONCURRENCY } from './item-versions';
import { isListLayout } from './list-layout';
import { splitFullLists, writeSalt } from './list-splits';
import { fullMetadata } from './payloads';
import { keyItem, S, toMetadata, toStoredVector } from './records';
import { TableNames } from './table-definitions';
import { storedVector, VECTOR_ATTRIBUTES } from './vector-bytes';

/** The items of every collection. */
export class ItemStore {
  /**
   * Per collection uid, the splits this instance is making (bucket layout 3): its writes split
   * one after another, as concurrent ones would race for the same new list number and lose switches.
   */
  private readonly splitting = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: TableNames,
    private readonly collections: CollectionStore,
  ) {}

  /**
   * Inserts or replaces up to `MAX_UPSERT_BATCH` vectors. The whole batch is validated before
   * anything is written. When this resolves, every vector is durable and searchable.
   * @throws ValidationError naming the item and the rule (`vectors[3].vector[7] must be a finite
   *   number`), NotFoundError, ServiceUnavailableError
   */
  async upsert(projectId: string, name: string, vectors: readonly VectorInput[]): Promise<{ upserted: number }> {
    let state = await this.collections.load(projectId, name);
    const { config } = state;
    const rows = checkRows(config, vectors);

    if (CollectionStore.needsSettling(state, rows.length)) state = await this.collections.settleFirstWrites(state, rows);
    const settled = state;
    const versions = new ItemVersions(this.client, this.tables, entryLayout(settled));
    const encoded = rows.map((row) => ({ vectorBytes: vectorToBytes(row.vector), ...encodeForWrite(settled, row.vector), metadata: row.metadata }));
    try {
      // 1. Per vector, over the version it has now: the bucket and filter index entries under a
      //    version derived from that one (a retry of the same vector over the same item writes the
      //    same entries), then the vector item, on condition that it still replaces that version,
      //    recording the entries that are now stale (`item-versions.ts`), so a failure after this
      //    step leaves them named. An item that becomes live is committed with the counter: a retry
      //    never counts it again.
      const written = await versions.writeAll(
        rows.map((r) => r.id),
        (i, old) => versionWrite(config, rows[i].id, encoded[i], old?.writeId),
        this.collections.counter(state),
      );
      // 2. The stale entries go, then the record of them.
      await versions.cleanUp(written);
      // items written over live ones were not committed with the counter: check the collection still lives
      if (written.some((w) => !w.created)) await this.collections.checkLive(state);
    } catch (err) {
      // written into a collection that no longer exists: take the items back, acknowledge nothing
      if (err instanceof StaleCollectionError) await this.removeWritten(config, versions.written, rows.map((r) => r.id));
      throw err;
    }
    // 3. In k-means lists: split the lists this write filled (the vectors are in place whatever a split does).
    if (isListLayout(config)) {
      const appended = new Map<number, number>();
      for (const e of encoded) appended.set(e.codes[0], (appended.get(e.codes[0]) ?? 0) + 1);
      // the set of this collection only: once it is dropped (and perhaps made again under its name) a split has nothing to cut
      const reload = async () => {
        try {
          const now = await this.collections.load(projectId, name, true);
          return now.config.uid === config.uid ? now.lists : undefined;
        } catch (err) {
          if (err instanceof NotFoundError) return undefined;
          throw err;
        }
      };
      const before = this.splitting.get(config.uid) ?? Promise.resolve();
      const splits = before.then(() => splitFullLists(this.client, this.tables, config, appended, writeSalt(rows.map((r) => r.id)), reload));
      this.splitting.set(config.uid, splits.catch(() => undefined));
      await splits;
    }
    return { upserted: rows.length };
  }

  /**
   * The stored vectors of `ids` (strongly consistent reads); unknown ids are left out.
   * @param opts.payloads read the non-filterable metadata too (`payloads.ts`); without, `metadata`
   *   holds the filterable keys only, for a caller that needs no metadata @default true
   * @throws ValidationError, NotFoundError
   */
  async get(projectId: string, name: string, ids: readonly string[], opts: { payloads?: boolean } = {}): Promise<StoredVector[]> {
    const state = await this.collections.load(projectId, name);
    const { config } = state;
    const checked = checkIds(ids);
    const found = await batchGetAll(
      this.client,
      [
        { table: this.tables.metadata, key: keyItem(counterKey(projectId, name)) },
        ...checked.map((id) => ({ table: this.tables.vectors, key: keyItem(vectorKey(config.uid, id)) })),
      ],
      { consistentRead: true },
    );
    this.collections.check(state, found[this.tables.metadata]?.[0]);
    const live = (found[this.tables.vectors] ?? []).filter((i) => i.t === undefined);
    const metadata = opts.payloads === false ? new Map<string, Metadata>() : await fullMetadata(this.client, this.tables.buckets, config.uid, live, { consistent: true });
    const byId = new Map(live.map((i) => [i.sk.S!, i]));
    return checked.filter((id) => byId.has(id)).map((id) => ({ ...toStoredVector(byId.get(id)!), metadata: metadata.get(id) ?? toMetadata(byId.get(id)!) }));
  }

  /**
   * Deletes vectors and their bucket entries; unknown ids are ignored.
   * @returns how many this call deleted (for the counter), and the ids that had no item (none, or
   *   only a tombstone being deleted by another request); an id whose earlier delete failed part
   *   way counts as found, as the earlier request acknowledged nothing
   * @throws ValidationError, NotFoundError, ServiceUnavailableError
   */
  async delete(projectId: string, name: string, ids: readonly string[]): Promise<{ deleted: number; notFound: string[] }> {
    const state = await this.collections.load(projectId, name);
    // Each vector item is first marked deleted (a tombstone that names its entries), then its
    // entries go, then the item: whatever fails, a retry or a repair finds what is left to remove.
    const layout = entryLayout(state);
    const versions = new ItemVersions(this.client, this.tables, layout);
    const checked = checkIds(ids);
    const marked = await versions.tombstoneAll(checked, this.collections.counter(state));
    await deleteAll(this.client, this.tables.buckets, checked.flatMap((id, i) => (marked[i] ? staleKeys(layout, id, marked[i].versions, marked[i].filters) : [])));
    await mapLimit(checked, WRITE_CONCURRENCY, async (id, i) => {
      const m = marked[i];
      if (m?.writeId) await versions.remove(id, m.writeId);
    });
    // no tombstone was committed with the counter: check the collection still lives
    if (!marked.some((m) => m?.counted)) await this.collections.checkLive(state);
    const deleted = marked.filter((m) => m !== undefined).length;
    return { deleted, notFound: checked.filter((_, i) => marked[i] === undefined) };
  }

  /**
   * One page of ids, in storage order (by shard, then id).
   * @param opts.limit 1 to `MAX_LIST_LIMIT` @default DEFAULT_LIST_LIMIT
   * @param opts.cursor the `cursor` of the previous page
   * @throws ValidationError (limit, cursor), NotFoundError
   */
  async listIds(projectId: string, name: string, opts: { limit?: number; cursor?: string; prefix?: string } = {}): Promise<IdPage> {
    const page = await this.list(projectId, name, opts);
    return page.cursor ? { ids: page.ids, cursor: page.cursor } : { ids: page.ids };
  }

  /**
   * One page of ids, in storage order (by shard, then id), optionally only those starting with
   * `prefix` (a key condition: only matching items are read), and with their vectors and metadata.
   * @param opts.limit 1 to `MAX_LIST_LIMIT`, or to `MAX_LIST_DATA_LIMIT` with vectors or metadata @default DEFAULT_LIST_LIMIT
   * @throws ValidationError (limit, cursor, prefix), NotFoundError
   */
  async list(projectId: string, name: string, opts: ListPageOptions = {}): Promise<ItemPage> {
    const state = await this.collections.load(projectId, name);
    const withData = opts.includeVector === true || opts.includeMetadata === true;
    const max = withData ? MAX_LIST_DATA_LIMIT : MAX_LIST_LIMIT;
    const limit = opts.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > max) {
      throw new ValidationError('limit', `must be an integer between 1 and ${max}${withData ? ' when vectors or metadata are included' : ''}`);
    }
    // a prefix is a start of an id: "." and ".." are fine as prefixes, only not as whole ids
    const prefix = opts.prefix === undefined || opts.prefix === '' ? undefined : opts.prefix === '.' || opts.prefix === '..' ? opts.prefix : checkId(opts.prefix, 'prefix');
    const counter = await this.client.send(new GetItemCommand({ TableName: this.tables.metadata, Key: keyItem(counterKey(projectId, name)), ConsistentRead: true }));
    this.collections.check(state, counter.Item);
    const projection = ['sk', ...(opts.includeVector ? VECTOR_ATTRIBUTES : []), ...(opts.includeMetadata ? ['m', 'f', 'p'] : [])].join(', ');
    const { items, cursor } = await this.scan(state.config, decodeCursor(opts.cursor), limit, { prefix, projection, live: true });
    const ids = items.map((i) => i.sk.S!);
    if (!withData) return cursor ? { ids, cursor } : { ids };
    const metadata = opts.includeMetadata ? await fullMetadata(this.client, this.tables.buckets, state.config.uid, items) : undefined;
    const vectors = items.map((i) => ({
      id: i.sk.S!,
      ...(opts.includeVector ? { vector: Array.from(storedVector(i)) } : {}),
      ...(metadata ? { metadata: metadata.get(i.sk.S!) ?? toMetadata(i) } : {}),
    }));
    return cursor ? { ids, vectors, cursor } : { ids, vectors };
  }

  /**
   * Reads a collection's vector items in storage order from `from` (a decoded cursor) until `limit`
   * items are read.
   * @param opts.live leave out tombstones (deletes under way); else they are returned with `t`
   * @param opts.consistent strongly consistent reads (a write's scan must see every acknowledged write)
   * @returns the items and the cursor of the rest (absent once every shard is read)
   */
  async scan(
    config: CollectionConfig,
    from: { shard: number; after?: string },
    limit: number,
    opts: { prefix?: string; projection: string; live: boolean; consistent?: boolean },
  ): Promise<{ items: Item[]; cursor?: string }> {
    let { shard, after } = from;
    const items: Item[] = [];
    while (shard < VECTOR_SHARDS && items.length < limit) {
      const pk = vectorPartition(config.uid, shard);
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tables.vectors,
          KeyConditionExpression: opts.prefix !== undefined ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': S(pk), ...(opts.prefix !== undefined ? { ':prefix': S(opts.prefix) } : {}) },
          ...(after === undefined ? {} : { ExclusiveStartKey: { pk: S(pk), sk: S(after) } }),
          ProjectionExpression: opts.projection,
          ...(opts.live ? { FilterExpression: 'attribute_not_exists(t)' } : {}), // tombstones: deletes under way
          ...(opts.consistent ? { ConsistentRead: true } : {}),
          Limit: limit - items.length,
        }),
      );
      items.push(...(page.Items ?? []));
      if (page.LastEvaluatedKey) {
        after = page.LastEvaluatedKey.sk.S!;
      } else {
        shard++;
        after = undefined;
      }
    }
    // a page that ended exactly at a shard's end may yield an empty next page; that is allowed
    return shard >= VECTOR_SHARDS ? { items } : { items, cursor: encodeCursor(shard, after) };
  }

  /** Deletes the entries and vector items a write put, again (they landed in a collection that was dropped meanwhile). */
  private async removeWritten(config: CollectionConfig, entries: readonly Item[], ids: readonly string[]): Promise<void> {
    await deleteAll(this.client, this.tables.buckets, entries);
    await mapLimit(ids, WRITE_CONCURRENCY, (id) => this.client.send(new DeleteItemCommand({ TableName: this.tables.vectors, Key: keyItem(vectorKey(config.uid, id)) })));
  }
}

/** Checks a whole upsert batch: ids (distinct), vectors against the collection, metadata. */
function checkRows(config: CollectionConfig, vectors: readonly VectorInput[]): CheckedRow[] {
  const nonFilterable = nonFilterableKeys(config);
  if (!Array.isArray(vectors) || vectors.length === 0) throw new ValidationError('vectors', 'must be a non-empty list');
  if (vectors.length > MAX_UPSERT_BATCH) throw new ValidationError('vectors', `must have at most ${MAX_UPSERT_BATCH} items (got ${vectors.length})`);
  const seen = new Map<string, number>();
  return vectors.map((v, i) => {
    const f = `vectors[${i}]`;
    if (typeof v !== 'object' || v === null) throw new ValidationError(f, 'must be an object with id and vector');
    const id = checkId(v.id, `${f}.id`);
    if (seen.has(id)) throw new ValidationError(`${f}.id`, `duplicates vectors[${seen.get(id)}].id "${id}"`);
    seen.set(id, i);
    return { id, vector: toFloat32(v.vector, config.dimension, `${f}.vector`, config.metric), metadata: checkMetadata(v.metadata, `${f}.metadata`, nonFilterable) };
  });
}

function checkIds(ids: readonly string[]): string[] {
  if (!Array.isArray(ids)) throw new ValidationError('ids', 'must be a list of ids');
  if (ids.length > MAX_IDS_PER_CALL) throw new ValidationError('ids', `must have at most ${MAX_IDS_PER_CALL} items`);
  return [...new Set(ids.map((id, i) => checkId(id, `ids[${i}]`)))];
}

/** Options of {@link ItemStore.list}. */
export interface ListPageOptions {
  readonly limit?: number;
  readonly cursor?: string;
  /** Only ids that start with this (UTF-8, at most `MAX_ID_BYTES`). */
  readonly prefix?: string;
  readonly includeVector?: boolean;
  readonly includeMetadata?: boolean;
}

/** A page of {@link ItemStore.list}: ids, and the listed items when vectors or metadata were asked for. */
export interface ItemPage extends IdPage {
  readonly vectors?: { id: string; vector?: number[]; metadata?: Metadata }[];
}

function encodeCursor(shard: number, after: string | undefined): string {
  return Buffer.from(JSON.stringify({ s: shard, a: after ?? null }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { shard: number; after?: string } {
  if (cursor === undefined) return { shard: 0 };
  try {
    const { s, a } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s: unknown; a: unknown };
    if (Number.isInteger(s) && (s as number) >= 0 && (s as number) < VECTOR_SHARDS && (a === null || typeof a === 'string')) {
      return { shard: s as number, after: a ?? undefined };
    }
  } catch {
    // fall through
  }
  throw new ValidationError('cursor', 'is not a cursor that a previous page returned');
}
