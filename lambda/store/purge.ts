// The purge: deletes the items of dropped collections from the vectors and buckets tables (bucket
// and filter index entries, payloads) and, in lists, their centroid and calibration window items, a
// bounded number per call, and then the collection's drop record.
import { DeleteItemCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { deleteAll, queryAll } from './batch';
import { allFilterPartitions, allListPartitions, allPartitions, allPayloadPartitions, calibrationWindowPartition, centroidPartition, DROPPED, droppedKey, MAX_LISTS } from './key-format';
import { keyItem, S } from './records';
import { TableNames } from './table-definitions';

/**
 * Deletes the items of dropped collections, at most about `maxItems` per call.
 * @param opts.maxItems @default 10000
 * @returns how many items were deleted and whether any dropped collection has items left
 */
export async function purgeDropped(client: DynamoDBClient, tables: TableNames, opts: { maxItems?: number } = {}): Promise<{ purged: number; remaining: boolean }> {
  let budget = opts.maxItems ?? 10000;
  let purged = 0;
  for (const record of await queryAll(client, tables.metadata, DROPPED)) {
    const uid = record.sk.S!;
    const parts = allPartitions(uid, Number(record.hashTables.N), Number(record.partitionBits.N));
    // a collection in k-means lists (bucket layout 3): its list partitions, and the one after them, where a split
    // under way at the drop copied entries (`list-splits.ts`; one that stopped before it could take them back
    // leaves them there); its centroid items and its calibration window
    const lists = record.lists?.N === undefined ? undefined : Math.min(Number(record.lists.N) + 1, MAX_LISTS);
    for (const [table, pks] of [
      [tables.vectors, parts.vectors],
      [tables.buckets, [...(lists === undefined ? parts.buckets : allListPartitions(uid, lists)), ...allFilterPartitions(uid), ...allPayloadPartitions(uid)]],
      [tables.metadata, lists === undefined ? [] : [centroidPartition(uid), calibrationWindowPartition(uid)]],
    ] as const) {
      for (const pk of pks) {
        for (;;) {
          if (budget <= 0) return { purged, remaining: true };
          const page = await client.send(
            new QueryCommand({
              TableName: table,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': S(pk) },
              ProjectionExpression: 'pk, sk',
              Limit: Math.min(budget, 1000),
            }),
          );
          const keys = page.Items ?? [];
          if (keys.length === 0) break;
          await deleteAll(client, table, keys);
          purged += keys.length;
          budget -= keys.length;
        }
      }
    }
    await client.send(new DeleteItemCommand({ TableName: tables.metadata, Key: keyItem(droppedKey(uid)) }));
  }
  return { purged, remaining: false };
}
