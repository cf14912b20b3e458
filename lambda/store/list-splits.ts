// Splits of full k-means lists (bucket layout 3): after a write, count the lists it appended to,
// and cut one that holds more than the list size in two: copy, switch the centroid set, delete.
import { DynamoDBClient, QueryCommand, QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { countsList, cutList } from '../core/list-splits';
import { CollectionConfig } from '../core/types';
import { batchGetAll, deleteAll, Item, putAll, queryAll, writeAtomically } from './batch';
import { counterKey, entryToken, fnv1a, idFromListSortKey, listPartition, listSortKey, MAX_LISTS, vectorKey } from './key-format';
import { centroidItem, CentroidSet, listSizeOf } from './list-layout';
import { keyItem, S } from './records';
import { TableNames } from './table-definitions';
import { storedVector } from './vector-bytes';

/** What a split did, for the caller's cache and the tests. */
export interface SplitOutcome {
  /** The list cut, and the list it created. */
  readonly list: number;
  readonly created: number;
  /** Entries moved to the new list, and left in the list cut. */
  readonly moved: number;
  readonly kept: number;
  /** The centroid set version it switched to. */
  readonly version: number;
}

/**
 * Splits one write may make: a first batch far larger than the list size leaves lists that need
 * several cuts, which the following writes go on with.
 */
export const MAX_SPLITS_PER_WRITE = 16;

/**
 * After a write that appended `appended[list]` entries to lists of a collection of `config`:
 * counts the lists `countsList` picks (a `Select: COUNT` Query each, billed for the list's entries)
 * and splits each that holds more than the collection's list size, one after another, each against
 * the centroid set as it is then (`reload`, strongly consistent); a side still over the size is cut
 * again, up to `MAX_SPLITS_PER_WRITE` splits.
 * @param salt a number drawn from the write (`writeSalt`): which lists are counted
 * @returns the splits that switched
 */
export async function splitFullLists(
  client: DynamoDBClient,
  tables: TableNames,
  config: CollectionConfig,
  appended: ReadonlyMap<number, number>,
  salt: number,
  reload: () => Promise<CentroidSet | undefined>,
): Promise<SplitOutcome[]> {
  const size = listSizeOf(config);
  const done: SplitOutcome[] = [];
  const queue = [...appended].filter(([list, count]) => countsList(list, count, size, salt)).map(([list]) => list);
  if (queue.length === 0) return done;
  let set = await reload();
  while (set && queue.length > 0 && done.length < MAX_SPLITS_PER_WRITE) {
    const list = queue.shift()!;
    if ((await countEntries(client, tables.buckets, listPartition(config.uid, list))) <= size) continue;
    const outcome = await splitList(client, tables, config, set, list, reload);
    // switched or not, the next split works on the set as it is now
    set = await reload();
    if (!outcome) continue;
    done.push(outcome);
    if (outcome.kept > size) queue.push(outcome.list);
    if (outcome.moved > size) queue.push(outcome.created);
  }
  return done;
}

/** Entries of one list partition, counted by DynamoDB (a Query with `Select: COUNT`, following pages). */
async function countEntries(client: DynamoDBClient, table: string, pk: string): Promise<number> {
  let count = 0;
  let start: Item | undefined;
  do {
    const page: QueryCommandOutput = await client.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': S(pk) }, Select: 'COUNT', ExclusiveStartKey: start }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/**
 * Cuts list `list` of centroid set `set` in two (`cutList` over its members' vectors) so that no
 * acknowledged vector is ever out of every list a query of either set reads:
 * 1. its members are the entries that the current version of a live item wrote (read with its
 *    vector item); an entry of a stale version, or of a write still in flight, stays where it is;
 * 2. the smaller side's entries are copied to a new list, numbered after the set's last;
 * 3. one transaction switches the set: the counter's set version, on condition that it is still
 *    `set`'s (no other split switched meanwhile), with the two lists' centroid items of the new
 *    version (the new one naming the list it was cut from, `entryLists`);
 * 4. the copied entries leave the cut list. A query that read it with the old set finds the newer
 *    version on the counter in its round trip 2 and reads again (`SearchRunner`).
 * A split that loses the switch takes its copies back, unless another split cut the same list (its
 * copies then have the same keys): those left are duplicates of entries still in place (a query's
 * candidates are distinct ids), which the repair removes. A switch lost to the collection's drop
 * takes them back too, so that none outlives the purge.
 * @param current the collection's centroid set as it is now (read after a lost switch); undefined once the collection is dropped
 * @returns undefined when the list cannot be cut, has no room for another list, or lost the switch
 */
async function splitList(
  client: DynamoDBClient,
  tables: TableNames,
  config: CollectionConfig,
  set: CentroidSet,
  list: number,
  current: () => Promise<CentroidSet | undefined>,
): Promise<SplitOutcome | undefined> {
  const { uid, projectId, name, metric, seed } = config;
  const created = set.lists.count;
  if (created >= MAX_LISTS) return undefined;
  const entries = await queryAll(client, tables.buckets, listPartition(uid, list));
  const ids = [...new Set(entries.map((e) => idFromListSortKey(e.sk.S!)))];
  const found = await batchGetAll(client, ids.map((id) => ({ table: tables.vectors, key: keyItem(vectorKey(uid, id)) })), { consistentRead: true });
  const items = new Map((found[tables.vectors] ?? []).map((i) => [i.sk.S!, i]));
  const members = entries.flatMap((entry) => {
    const id = idFromListSortKey(entry.sk.S!);
    const item = items.get(id);
    return item && item.t === undefined && item.f?.B && listSortKey(id, entryToken(item.f.B)) === entry.sk.S ? [{ entry, vector: storedVector(item) }] : [];
  });
  const cut = cutList(members.map((m) => m.vector), metric, (seed ^ Math.imul(set.version, 0x85ebca6b) ^ list) >>> 0);
  if (!cut) return undefined;
  const moving = members.filter((_, i) => cut.moves[i]).map((m) => m.entry);
  const version = set.version + 1;
  const copies: Item[] = moving.map((e) => ({ ...e, pk: S(listPartition(uid, created)) }));
  await putAll(client, tables.buckets, copies);
  const failed = await writeAtomically(client, [
    {
      Update: {
        TableName: tables.metadata,
        Key: keyItem(counterKey(projectId, name)),
        UpdateExpression: 'SET lv = :v, lc = :c',
        ConditionExpression: 'uid = :uid AND lv = :old',
        ExpressionAttributeValues: { ':v': { N: String(version) }, ':c': { N: String(created + 1) }, ':old': { N: String(set.version) }, ':uid': S(uid) },
      },
    },
    { Put: { TableName: tables.metadata, Item: centroidItem(uid, version, list, cut.kept) } },
    { Put: { TableName: tables.metadata, Item: centroidItem(uid, version, created, cut.moved, list) } },
  ]);
  if (failed) {
    const now = await current();
    // unless a split of this collection's set made the same list from the same list (same keys), the copies are no one's
    if (!(now && now.lists.count > created && now.parent[created] === list)) await deleteAll(client, tables.buckets, copies.map(({ pk, sk }) => ({ pk, sk })));
    return undefined;
  }
  await deleteAll(client, tables.buckets, moving.map(({ pk, sk }) => ({ pk, sk })));
  return { list, created, moved: moving.length, kept: entries.length - moving.length, version };
}

/** A number drawn from a write's ids, which picks the lists it counts (`countsList`): a retry of the same write picks the same. */
export const writeSalt = (ids: readonly string[]): number => fnv1a(ids[0] ?? '');
