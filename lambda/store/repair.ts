// The repair of one collection: finishes the cleanups that failed requests left (stale codes,
// tombstones), removes bucket entries no live vector item produces, and recounts the vectors.
import { DynamoDBClient, QueryCommand, QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { CollectionConfig } from '../core/types';
import { batchWriteAll, Item } from './batch';
import { allPartitions, bucketPartition, bucketSortKey, VECTOR_SHARDS, vectorPartition } from './key-format';
import { ItemVersions, staleEntryKeys, versionOf } from './item-versions';
import { TableNames } from './table-definitions';

/** What a repair found and fixed. */
export interface RepairReport {
  /** Live vectors counted; the collection's `vectorCount` is set to it. */
  readonly vectorCount: number;
  /** Vector items that still named stale entries (a replace that failed part way), now settled. */
  readonly settled: number;
  /** Deletes that failed part way (tombstones), now finished. */
  readonly finishedDeletes: number;
  /** Bucket entries that no live vector item produces (left by failures before this protocol), removed. */
  readonly orphansRemoved: number;
}

/** Every item of one partition, following pages (eventually consistent: the repair runs again if it raced). */
async function partition(client: DynamoDBClient, table: string, pk: string, projection: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page: QueryCommandOutput = await client.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } }, ProjectionExpression: projection, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Repairs one collection: reads every vector item and every bucket entry of it (two full passes:
 * read units grow with the collection), so it is an administrator's tool for a store damaged by
 * failures, not a routine step. Reads and searches may go on meanwhile; writes to the collection
 * should pause (an upsert writes its entries before its item, and a repair in between would take
 * them for orphans).
 * @returns what was fixed; the caller sets the counter to `vectorCount`
 */
export async function repairCollection(client: DynamoDBClient, tables: TableNames, config: CollectionConfig): Promise<RepairReport> {
  const versions = new ItemVersions(client, tables.vectors, config);
  const { partitionBits, hashTables } = config.index;
  const live = new Set<string>();
  let vectorCount = 0;
  let settled = 0;
  let finishedDeletes = 0;
  for (let shard = 0; shard < VECTOR_SHARDS; shard++) {
    for (const item of await partition(client, tables.vectors, vectorPartition(config.uid, shard), 'sk, c, o, t, w')) {
      const id = item.sk.S!;
      const v = versionOf(item);
      if (!v) continue;
      if (v.tombstone) {
        const keys = staleEntryKeys(config, id, [v.codes, ...v.pending]);
        await batchWriteAll(client, keys.map((Key) => ({ table: tables.buckets, request: { DeleteRequest: { Key } } })));
        await versions.remove(id, v.writeId);
        finishedDeletes++;
        continue;
      }
      vectorCount++;
      for (let t = 0; t < hashTables; t++) live.add(`${bucketPartition(config.uid, t, v.codes[t], partitionBits)} ${bucketSortKey(v.codes[t], partitionBits, id)}`);
      if (v.pending.length > 0) {
        const keys = staleEntryKeys(config, id, v.pending, v.codes);
        await batchWriteAll(client, keys.map((Key) => ({ table: tables.buckets, request: { DeleteRequest: { Key } } })));
        await versions.settle(id, v.writeId);
        settled++;
      }
    }
  }
  let orphansRemoved = 0;
  for (const pk of allPartitions(config.uid, hashTables, partitionBits).buckets) {
    const orphans = (await partition(client, tables.buckets, pk, 'pk, sk')).filter((e) => !live.has(`${e.pk.S} ${e.sk.S}`));
    await batchWriteAll(client, orphans.map((Key) => ({ table: tables.buckets, request: { DeleteRequest: { Key } } })));
    orphansRemoved += orphans.length;
  }
  return { vectorCount, settled, finishedDeletes, orphansRemoved };
}
