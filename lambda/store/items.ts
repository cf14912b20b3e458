// A collection's items: upsert (vector item plus one bucket entry per hash table), get, delete and
// the paged list of ids.
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, QueryCommandOutput, WriteRequest } from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../core/concurrency';
import { ValidationError } from '../core/errors';
import { DEFAULT_LIST_LIMIT, MAX_IDS_PER_CALL, MAX_LIST_LIMIT, MAX_UPSERT_BATCH } from '../core/limits';
import { checkMetadata } from '../core/metadata';
import { checkId } from '../core/params';
import { packSketch } from '../core/sketch-format';
import { CollectionConfig, IdPage, StoredVector, VectorInput } from '../core/types';
import { toFloat32 } from '../core/vector';
import { batchGetAll, batchWriteAll, Item } from './batch';
import { CheckedRow, CollectionStore, StaleCollectionError } from './collections';
import { bucketPartition, bucketSortKey, counterKey, VECTOR_SHARDS, vectorKey, vectorPartition } from './key-format';
import { bucketEntryItem, bytesToCodes, vectorItem } from './layout';
import { keyItem, metadataJson, S, toStoredVector } from './records';
import { TableNames } from './table-definitions';

type Write = { table: string; request: WriteRequest };

/** Single-item writes of one request in flight at once. */
const ITEM_WRITE_CONCURRENCY = 32;

/** The items of every collection. */
export class ItemStore {
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
    const hasher = state.hasher!;
    const { hashTables } = config.index;

    // 1. The new bucket entries (idempotent: a retry of the same vector writes the same items).
    const encoded = rows.map((row) => ({ row, enc: hasher.encode(row.vector), meta: metadataJson(row.metadata) }));
    const entries: Write[] = [];
    for (const { row, enc, meta } of encoded) {
      const sketch = packSketch(enc);
      for (let t = 0; t < hashTables; t++) {
        const Item = bucketEntryItem(config.uid, config.index.partitionBits, t, enc.codes[t], row.id, sketch, meta);
        entries.push({ table: this.tables.buckets, request: { PutRequest: { Item } } });
      }
    }
    const items: Write[] = encoded.map(({ row, enc, meta }) => ({ table: this.tables.vectors, request: { PutRequest: { Item: vectorItem(config.uid, row.id, row.vector, enc.codes, meta) } } }));
    await batchWriteAll(this.client, entries);
    // 2. The vector items, each returning the item it replaced: its codes name exactly the entries
    //    that are now stale, even when other requests write the same id at the same time.
    const replaced = await this.putItems(items);
    // 3. The stale entries go. A reader in between sees a duplicate entry at worst, and re-ranking
    //    uses the vector item, so never a stale vector.
    const deletes: Write[] = [];
    encoded.forEach(({ row, enc }, i) => {
      const old = replaced[i];
      for (let t = 0; old && t < hashTables; t++) {
        const was = bucketKey(config, t, old[t], row.id);
        const now = bucketKey(config, t, enc.codes[t], row.id);
        if (was.pk.S !== now.pk.S || was.sk.S !== now.sk.S) deletes.push({ table: this.tables.buckets, request: { DeleteRequest: { Key: was } } });
      }
    });
    await batchWriteAll(this.client, deletes);
    const created = replaced.filter((old) => old === undefined).length;
    try {
      await this.collections.confirm(state, created);
    } catch (err) {
      // written into a collection that no longer exists: take the items back, acknowledge nothing
      if (err instanceof StaleCollectionError) await this.removeWritten([...entries, ...items]);
      throw err;
    }
    return { upserted: rows.length };
  }

  /**
   * The stored vectors of `ids` (strongly consistent reads); unknown ids are left out.
   * @throws ValidationError, NotFoundError
   */
  async get(projectId: string, name: string, ids: readonly string[]): Promise<StoredVector[]> {
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
    const byId = new Map((found[this.tables.vectors] ?? []).map((i) => [i.sk.S!, i]));
    return checked.filter((id) => byId.has(id)).map((id) => toStoredVector(byId.get(id)!));
  }

  /**
   * Deletes vectors and their bucket entries; unknown ids are ignored.
   * @returns how many existed
   * @throws ValidationError, NotFoundError, ServiceUnavailableError
   */
  async delete(projectId: string, name: string, ids: readonly string[]): Promise<{ deleted: number }> {
    const state = await this.collections.load(projectId, name);
    const { config } = state;
    // Each vector item is deleted on its own and returns its codes: exactly its bucket entries go
    // after it, and exactly the items that existed are counted, whatever runs at the same time.
    const checked = checkIds(ids);
    const removed = await mapLimit(checked, ITEM_WRITE_CONCURRENCY, async (id) => {
      const out = await this.client.send(new DeleteItemCommand({ TableName: this.tables.vectors, Key: keyItem(vectorKey(config.uid, id)), ReturnValues: 'ALL_OLD' }));
      return out.Attributes?.c?.B ? bytesToCodes(out.Attributes.c.B) : undefined;
    });
    const deletes: Write[] = [];
    removed.forEach((codes, i) => {
      for (let t = 0; codes && t < config.index.hashTables; t++) {
        deletes.push({ table: this.tables.buckets, request: { DeleteRequest: { Key: bucketKey(config, t, codes[t], checked[i]) } } });
      }
    });
    await batchWriteAll(this.client, deletes);
    const deleted = removed.filter((c) => c !== undefined).length;
    await this.collections.confirm(state, -deleted);
    return { deleted };
  }

  /**
   * One page of ids, in storage order (by shard, then id).
   * @param opts.limit 1 to `MAX_LIST_LIMIT` @default DEFAULT_LIST_LIMIT
   * @param opts.cursor the `cursor` of the previous page
   * @throws ValidationError (limit, cursor), NotFoundError
   */
  async listIds(projectId: string, name: string, opts: { limit?: number; cursor?: string } = {}): Promise<IdPage> {
    const state = await this.collections.load(projectId, name);
    const { config } = state;
    const limit = opts.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) throw new ValidationError('limit', `must be an integer between 1 and ${MAX_LIST_LIMIT}`);
    let { shard, after } = decodeCursor(opts.cursor);
    const counter = await this.client.send(new GetItemCommand({ TableName: this.tables.metadata, Key: keyItem(counterKey(projectId, name)), ConsistentRead: true }));
    this.collections.check(state, counter.Item);
    const ids: string[] = [];
    while (shard < VECTOR_SHARDS && ids.length < limit) {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tables.vectors,
          KeyConditionExpression: after === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :after',
          ExpressionAttributeValues: { ':pk': S(vectorPartition(config.uid, shard)), ...(after === undefined ? {} : { ':after': S(after) }) },
          ProjectionExpression: 'sk',
          Limit: limit - ids.length,
        }),
      );
      for (const i of page.Items ?? []) ids.push(i.sk.S!);
      if (page.LastEvaluatedKey) {
        after = page.LastEvaluatedKey.sk.S!;
      } else {
        shard++;
        after = undefined;
      }
    }
    if (shard >= VECTOR_SHARDS) return { ids };
    // a page that ended exactly at a shard's end may yield an empty next page; that is allowed
    return { ids, cursor: encodeCursor(shard, after) };
  }

  /** Deletes the items of `puts` again (after they landed in a collection that was dropped meanwhile). */
  private async removeWritten(puts: readonly Write[]): Promise<void> {
    const keys = puts.map(({ table, request }) => {
      const { pk, sk } = request.PutRequest!.Item!;
      return { table, request: { DeleteRequest: { Key: { pk, sk } } } };
    });
    await batchWriteAll(this.client, keys);
  }

  /**
   * Puts vector items one PutItem each (BatchWriteItem cannot return what it replaced).
   * @returns per item, the hash codes of the item it replaced, or undefined where it created one
   */
  private async putItems(items: readonly Write[]): Promise<(Uint32Array | undefined)[]> {
    return mapLimit(items, ITEM_WRITE_CONCURRENCY, async ({ table, request }) => {
      const out = await this.client.send(new PutItemCommand({ TableName: table, Item: request.PutRequest!.Item!, ReturnValues: 'ALL_OLD' }));
      return out.Attributes?.c?.B ? bytesToCodes(out.Attributes.c.B) : undefined;
    });
  }
}

/** Checks a whole upsert batch: ids (distinct), vectors against the collection, metadata. */
function checkRows(config: CollectionConfig, vectors: readonly VectorInput[]): CheckedRow[] {
  if (!Array.isArray(vectors) || vectors.length === 0) throw new ValidationError('vectors', 'must be a non-empty list');
  if (vectors.length > MAX_UPSERT_BATCH) throw new ValidationError('vectors', `must have at most ${MAX_UPSERT_BATCH} items (got ${vectors.length})`);
  const seen = new Map<string, number>();
  return vectors.map((v, i) => {
    const f = `vectors[${i}]`;
    if (typeof v !== 'object' || v === null) throw new ValidationError(f, 'must be an object with id and vector');
    const id = checkId(v.id, `${f}.id`);
    if (seen.has(id)) throw new ValidationError(`${f}.id`, `duplicates vectors[${seen.get(id)}].id "${id}"`);
    seen.set(id, i);
    return { id, vector: toFloat32(v.vector, config.dimension, `${f}.vector`, config.metric), metadata: checkMetadata(v.metadata, `${f}.metadata`) };
  });
}

function checkIds(ids: readonly string[]): string[] {
  if (!Array.isArray(ids)) throw new ValidationError('ids', 'must be a list of ids');
  if (ids.length > MAX_IDS_PER_CALL) throw new ValidationError('ids', `must have at most ${MAX_IDS_PER_CALL} items`);
  return [...new Set(ids.map((id, i) => checkId(id, `ids[${i}]`)))];
}

function bucketKey(config: CollectionConfig, table: number, code: number, id: string): Item {
  const { partitionBits } = config.index;
  return { pk: S(bucketPartition(config.uid, table, code, partitionBits)), sk: S(bucketSortKey(code, partitionBits, id)) };
}

function encodeCursor(shard: number, after: string | undefined): string {
  return Buffer.from(JSON.stringify({ s: shard, a: after ?? null }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined): { shard: number; after?: string } {
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
