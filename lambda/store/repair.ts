// The repair of one collection: finishes the cleanups that failed requests left (stale codes and
// metadata versions, tombstones), indexes items written before the filter index, removes bucket
// and filter index entries no live vector item produces, restores the bucket entries a live item
// lacks, and recounts the vectors.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { FILTER_INDEX_VERSION } from '../core/filter-index';
import { CollectionConfig } from '../core/types';
import { Hasher } from '../core/hasher';
import { packSketch } from '../core/sketch-format';
import { bytesToVector } from '../core/vector';
import { batchGetAll, conditionHeld, deleteAll, Item, putAll, queryAll } from './batch';
import { EntryLayout, entryPartitions, versionEntries, versionEntryKeys } from './layout';
import { isListLayout } from './list-layout';
import { filterEntryKeys, FilterVersion, filterVersionOf, metadataEntryKeys } from './filter-index';
import { allFilterPartitions, allPayloadPartitions, collectionKey, VECTOR_SHARDS, vectorKey, vectorPartition } from './key-format';
import { keyItem, toMetadata } from './records';
import { everyEntry, staleKeys, versionOf } from './item-version';
import { ItemVersions } from './item-versions';
import { TableNames } from './table-definitions';
import { storedVectorBytes } from './vector-bytes';

/** What a repair found and fixed. */
export interface RepairReport {
  /** Live vectors counted; the collection's `vectorCount` is set to it. */
  readonly vectorCount: number;
  /** Vector items that still named stale entries (a replace that failed part way), now settled. */
  readonly settled: number;
  /** Deletes that failed part way (tombstones), now finished. */
  readonly finishedDeletes: number;
  /** Bucket entries, filter index entries and payload items that no live vector item produces (left by failures before this protocol, or by writes that never landed), removed. */
  readonly orphansRemoved: number;
  /** Vector items written before the filter index, now indexed (their entries written). */
  readonly filterIndexed: number;
  /** Bucket entries a live vector item produces that were missing (deleted by a concurrent write's cleanup), written again. */
  readonly entriesRestored: number;
}

/**
 * Repairs one collection: reads every vector item and every bucket and filter index entry of it (two full passes:
 * read units grow with the collection), so it is an administrator's tool for a store damaged by
 * failures, not a routine step. Reads and searches may go on meanwhile; writes to the collection
 * should pause (an upsert writes its entries before its item, and a repair in between would take
 * them for orphans). It also indexes the items of a collection written before the filter index,
 * and then lets its queries use the index (`CollectionConfig.filterIndex`).
 * @returns what was fixed; the caller sets the counter to `vectorCount`
 */
export async function repairCollection(client: DynamoDBClient, tables: TableNames, config: CollectionConfig & EntryLayout, hasher?: Hasher): Promise<RepairReport> {
  const versions = new ItemVersions(client, tables, config);
  const live = new Set<string>();
  /**
   * The bucket entries live items produce: per entry the keys it may have (one per hash table; in
   * k-means lists one entry per item, in any list a split may have moved it to) and its item's id.
   */
  const expected: { keys: string[]; id: string }[] = [];
  let vectorCount = 0;
  let settled = 0;
  let finishedDeletes = 0;
  let filterIndexed = 0;
  for (let shard = 0; shard < VECTOR_SHARDS; shard++) {
    for (const item of await queryAll(client, tables.vectors, vectorPartition(config.uid, shard), undefined, 'sk, c, o, t, w, f, m, p, q')) {
      const id = item.sk.S!;
      const v = versionOf(config, item);
      if (!v) continue;
      const current = v.filter;
      if (v.tombstone) {
        const { versions: all, filters } = everyEntry(v);
        await deleteAll(client, tables.buckets, staleKeys(config, id, all, filters));
        await versions.remove(id, v.writeId);
        finishedDeletes++;
        continue;
      }
      vectorCount++;
      const keys = versionEntryKeys(config, v.entries, id).map(({ pk, sk }) => `${pk.S} ${sk.S}`);
      for (const key of keys) live.add(key);
      for (const group of isListLayout(config) ? [keys] : keys.map((k) => [k])) expected.push({ keys: group, id });
      const indexed = current ?? (await indexItem(client, tables, config.uid, item));
      if (!current && indexed) filterIndexed++;
      for (const k of indexed ? metadataEntryKeys(config.uid, id, indexed) : []) live.add(`${k.pk.S} ${k.sk.S}`);
      if (v.pending.length > 0 || v.pendingFilters.length > 0) {
        await deleteAll(client, tables.buckets, staleKeys(config, id, v.pending, v.pendingFilters, { bucket: v.entries, filter: current?.version }));
        await versions.settle(id, v.writeId);
        settled++;
      }
    }
  }
  const present = new Map<string, Item>();
  for (const pk of [...entryPartitions(config, config.centroids?.lists.count), ...allFilterPartitions(config.uid), ...allPayloadPartitions(config.uid)]) {
    for (const e of await queryAll(client, tables.buckets, pk, undefined, 'pk, sk')) present.set(`${e.pk.S} ${e.sk.S}`, e);
  }
  // in k-means lists an entry found in several lists (a split that switched, then failed before its
  // delete) is kept in the one created last, where the split moved it
  for (const { keys } of isListLayout(config) ? expected : []) {
    const found = keys.filter((k) => present.has(k));
    for (const k of found.slice(0, -1)) live.delete(k);
  }
  const orphans = [...present].filter(([k]) => !live.has(k)).map(([, e]) => e);
  await deleteAll(client, tables.buckets, orphans);
  const orphansRemoved = orphans.length;
  // an entry found under none of its keys is written again where its item's version wrote it
  const missing = expected.filter((e) => !e.keys.some((k) => present.has(k)));
  const entriesRestored = hasher && missing.length > 0 ? await restoreEntries(client, tables, config, hasher, new Set(missing.map((e) => e.keys[0])), new Set(missing.map((e) => e.id))) : 0;
  // every live item is indexed now: queries may use the filter index
  if (config.filterIndex !== FILTER_INDEX_VERSION) {
    // (dropped meanwhile when the condition fails: the caller's recount finds out)
    await conditionHeld(
      client.send(
        new UpdateItemCommand({
          TableName: tables.metadata,
          Key: keyItem(collectionKey(config.projectId, config.name)),
          UpdateExpression: 'SET fi = :v',
          ConditionExpression: 'uid = :uid',
          ExpressionAttributeValues: { ':v': { N: String(FILTER_INDEX_VERSION) }, ':uid': { S: config.uid } },
        }),
      ),
    );
  }
  return { vectorCount, settled, finishedDeletes, orphansRemoved, filterIndexed, entriesRestored };
}

/**
 * Writes again the `missing` bucket entries (as `pk sk`) of the live items `ids`, from the item's
 * own vector, codes and metadata, as its upsert wrote them. An item replaced or deleted meanwhile
 * may leave the rewritten entries as orphans (harmless: re-ranking reads the item), which the
 * next repair removes.
 * @returns the entries written
 */
async function restoreEntries(client: DynamoDBClient, tables: TableNames, config: CollectionConfig, hasher: Hasher, missing: ReadonlySet<string>, ids: ReadonlySet<string>): Promise<number> {
  const found = await batchGetAll(client, [...ids].map((id) => ({ table: tables.vectors, key: keyItem(vectorKey(config.uid, id)) })), { consistentRead: true });
  const puts = (found[tables.vectors] ?? []).flatMap((item) => {
    const v = versionOf(config, item);
    const vectorBytes = storedVectorBytes(item);
    if (!v || v.tombstone || !vectorBytes) return [];
    const sketch = packSketch(hasher.encode(bytesToVector(vectorBytes)));
    return versionEntries(config, v.entries, item.sk.S!, sketch, item.m?.S).filter((e) => missing.has(`${e.pk.S} ${e.sk.S}`));
  });
  await putAll(client, tables.buckets, puts);
  return puts.length;
}

/**
 * Indexes a live vector item written before the filter index: writes the entries of its metadata
 * under the version it derives from the item, then records that version in the item unless a
 * write replaced it meanwhile (whose own entries are then in place; these become orphans that
 * the pass over the index removes).
 * @returns the version now recorded, or undefined when the item changed
 */
async function indexItem(client: DynamoDBClient, tables: TableNames, uid: string, item: Item): Promise<FilterVersion | undefined> {
  const id = item.sk.S!;
  const version = filterVersionOf(item.m?.S, item.w?.B);
  const indexed = { version, metadata: toMetadata(item) };
  await putAll(client, tables.buckets, filterEntryKeys(uid, id, indexed));
  const landed = await conditionHeld(
    client.send(
      new UpdateItemCommand({
        TableName: tables.vectors,
        Key: keyItem(vectorKey(uid, id)),
        UpdateExpression: 'SET f = :f',
        ConditionExpression: 'w = :w AND attribute_not_exists(t) AND attribute_not_exists(f)',
        ExpressionAttributeValues: { ':f': { B: version }, ':w': item.w?.B ? { B: item.w.B } : { NULL: true } },
      }),
    ),
  );
  return landed ? indexed : undefined;
}
