// Edits of stored items beyond upsert and delete by id: a metadata-only update that keeps the vector,
// and a delete by metadata filter, bounded per call, both through the per-vector write protocol.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { NotFoundError, ServiceUnavailableError, ValidationError } from '../core/errors';
import { compileFilter } from '../core/filter';
import { MAX_DELETE_BATCH, MAX_FILTER_DELETE_SCAN } from '../core/limits';
import { checkMetadata, nonFilterableKeys } from '../core/metadata';
import { checkId } from '../core/params';
import { Filter, Metadata, StoredVector } from '../core/types';
import { bytesToVector } from '../core/vector';
import { backOff, batchGetAll, DEFAULT_RETRY, deleteAll } from './batch';
import { encodeForWrite, entryLayout, StaleCollectionError } from './collection-state';
import { CollectionStore } from './collections';
import { counterKey, vectorKey } from './key-format';
import { versionOf, VersionWrite, versionWrite } from './item-version';
import { ItemVersions, RACE_ATTEMPTS } from './item-versions';
import { isListLayout } from './list-layout';
import { decodeCursor, ItemStore } from './items';
import { fullMetadata } from './payloads';
import { keyItem, toMetadata } from './records';
import { TableNames } from './table-definitions';
import { storedVectorBytes } from './vector-bytes';

/** A metadata update: the new metadata, or the keys to change (`null` removes a key). */
export interface MetadataUpdate {
  readonly metadata: Record<string, unknown>;
  /** Merge into the stored metadata (`null` values remove keys) instead of replacing it. @default true */
  readonly merge?: boolean;
}

/** What one call of a delete by filter did. */
export interface FilterDeletePage {
  /** The ids this call deleted, in storage order. */
  readonly deleted: string[];
  /** Present while the collection has vector items this call did not examine: pass it to the next call. */
  readonly cursor?: string;
}

/** Metadata-only updates and deletes by filter of one store's items. */
export class ItemEdits {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: TableNames,
    private readonly collections: CollectionStore,
    private readonly items: ItemStore,
  ) {}

  /**
   * Replaces or merges the metadata of one vector and keeps its vector. Its bucket entries are
   * written again with the new metadata (filters read it there), and the filter index entries of
   * the new metadata (`filter-index.ts`), then the vector item replaces the
   * version read, on condition that no other write came between; otherwise the update starts over
   * from the item as it is now. Stale entries (of an earlier version) are removed as an upsert
   * removes them (`item-versions.ts`).
   * @returns the vector as stored now
   * @throws ValidationError (id, metadata), NotFoundError (collection or item),
   *   ServiceUnavailableError when every attempt lost a race with other writes of the id
   */
  async updateMetadata(projectId: string, name: string, id: string, update: MetadataUpdate): Promise<StoredVector> {
    const checkedId = checkId(id, 'id');
    const merge = update.merge ?? true;
    let state = await this.collections.load(projectId, name);
    const { config } = state;
    const nonFilterable = nonFilterableKeys(config);
    const patch = checkPatch(update.metadata, merge, nonFilterable);
    const key = keyItem(vectorKey(config.uid, checkedId));
    const versions = new ItemVersions(this.client, this.tables, entryLayout(state));
    // the writes of attempts that lost their race: their entries are recorded as stale in the next
    const abandoned: VersionWrite[] = [];
    for (let attempt = 0; attempt < RACE_ATTEMPTS; attempt++) {
      if (attempt > 0) await backOff(attempt - 1, DEFAULT_RETRY);
      const found = await batchGetAll(this.client, [{ table: this.tables.vectors, key }], { consistentRead: true });
      const item = found[this.tables.vectors]?.[0];
      const read = versionOf(config, item);
      if (!item || !read || read.tombstone) throw new NotFoundError(`item ${checkedId} not found in collection ${name}`);
      // an item exists, so the collection's first write set its hash frame (and lists); a cold cache may not know them yet
      if (!state.hasher?.centre || (isListLayout(config) && !state.lists)) state = await this.collections.load(projectId, name, true);
      let metadata = patch as Metadata;
      if (merge) {
        const stored = (await fullMetadata(this.client, this.tables.buckets, config.uid, [item], { consistent: true })).get(checkedId);
        // its payload is gone: another write replaced the version read, so start over from the item as it is now
        if (stored === undefined) continue;
        metadata = applyPatch(stored, patch, nonFilterable);
      }
      const vectorBytes = storedVectorBytes(item)!;
      const vector = bytesToVector(vectorBytes);
      const write = versionWrite(config, checkedId, { vectorBytes, ...encodeForWrite(state, vector), metadata }, read.writeId);
      // 1. the entries with the new metadata, under the version derived from the item read (in
      //    bucket layout 1 the bucket entries keep the item's keys and are overwritten), then the
      //    item, only over the version read; a lost race starts over from the item as it is now,
      //    and the next attempt's item names this attempt's entries as stale
      const replaced = await versions.replaceIfUnchanged(write, read, abandoned);
      if (!replaced) {
        abandoned.push(write);
        continue;
      }
      // 2. entries of earlier versions the item still named, then the record of them
      await versions.cleanUp([{ write, ...replaced }]);
      try {
        await this.collections.checkLive(state);
      } catch (err) {
        // the collection was dropped meanwhile: its purge may have run already, so take the entries back
        if (err instanceof StaleCollectionError) await deleteAll(this.client, this.tables.buckets, versions.written);
        throw err;
      }
      return { id: checkedId, vector: Array.from(vector), metadata };
    }
    throw new ServiceUnavailableError(`vector ${checkedId} kept changing under concurrent writes; retry`);
  }

  /**
   * Deletes the vectors whose metadata matches `filter` (`lambda/core/filter.ts`), bounded per
   * call: examines at most `MAX_FILTER_DELETE_SCAN` vector items in storage order from `cursor`,
   * deletes the matching ones (at most `MAX_DELETE_BATCH`, through the same protocol as a delete
   * by id) and answers a cursor while items are left to examine. Calling again with the cursor
   * until none comes back deletes every vector that matched throughout; a vector written or
   * changed behind the cursor meanwhile is not examined again.
   * @throws ValidationError (filter, cursor), NotFoundError, ServiceUnavailableError
   */
  async deleteByFilter(projectId: string, name: string, filter: Filter, cursor?: string): Promise<FilterDeletePage> {
    const state = await this.collections.load(projectId, name);
    const predicate = compileFilter(filter, 'filter', nonFilterableKeys(state.config));
    if (Object.keys(filter).length === 0) throw new ValidationError('filter', 'must name at least one condition (to delete every vector, delete the collection)');
    const from = decodeCursor(cursor);
    // the counter proves that the collection this instance knows still lives before its items are read
    const counter = await this.client.send(new GetItemCommand({ TableName: this.tables.metadata, Key: keyItem(counterKey(projectId, name)), ConsistentRead: true }));
    this.collections.check(state, counter.Item);
    const matched: string[] = [];
    let next: { shard: number; after?: string } = from;
    let rest: string | undefined;
    let examined = 0;
    // read a page at a time so that the matches stop at MAX_DELETE_BATCH exactly where they stop
    do {
      const budget = Math.min(MAX_FILTER_DELETE_SCAN - examined, MAX_DELETE_BATCH - matched.length);
      const page = await this.items.scan(state.config, next, budget, { projection: 'sk, m', live: true, consistent: true });
      examined += page.items.length;
      for (const i of page.items) if (predicate(toMetadata(i))) matched.push(i.sk.S!);
      rest = page.cursor;
      if (rest !== undefined) next = decodeCursor(rest);
    } while (rest !== undefined && examined < MAX_FILTER_DELETE_SCAN && matched.length < MAX_DELETE_BATCH);
    // the delete confirms the collection with its counter: a cached collection dropped meanwhile is noticed
    if (matched.length > 0) await this.items.delete(projectId, name, matched);
    return rest !== undefined ? { deleted: matched, cursor: rest } : { deleted: matched };
  }
}

/** Checks a metadata update: replacing metadata is checked as metadata; merged keys may also be `null` (remove). */
function checkPatch(value: unknown, merge: boolean, nonFilterable: ReadonlySet<string>): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError('metadata', 'must be an object');
  if (!merge) return checkMetadata(value, 'metadata', nonFilterable);
  const set = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
  // keys are checked (names, types) here, the merged result's count and size after the merge
  for (const [k, v] of Object.entries(set)) checkMetadata({ [k]: v }, 'metadata', nonFilterable);
  return value as Record<string, unknown>;
}

/** `stored` with `patch` merged in (`null` removes a key), checked as a whole. */
function applyPatch(stored: Metadata, patch: Record<string, unknown>, nonFilterable: ReadonlySet<string>): Metadata {
  const out: Record<string, unknown> = { ...stored };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return checkMetadata(out, 'metadata', nonFilterable);
}
