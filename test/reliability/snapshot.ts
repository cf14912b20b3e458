// A digest of every item in the three tables, for tests that check a refused request changed nothing.
import { createHash } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../../lambda/store/table-definitions';

/**
 * A digest of everything in the three tables (a full scan; test-sized tables only): two equal
 * digests mean no item was added, removed or changed.
 */
export async function tablesDigest(client: DynamoDBClient, names: TableNames): Promise<string> {
  const hash = createHash('sha256');
  for (const TableName of [names.metadata, names.vectors, names.buckets]) {
    const items: string[] = [];
    let ExclusiveStartKey: Record<string, any> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName, ExclusiveStartKey, ConsistentRead: true }));
      for (const i of page.Items ?? []) items.push(JSON.stringify(i, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    hash.update(`${TableName}\n${items.sort().join('\n')}\n`);
  }
  return hash.digest('hex');
}
