// The tests' DynamoDB Local endpoint and client, fresh tables with a unique prefix per describe block, and item counts.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CLIENT_CONFIG } from '../../lib/local/dynamodb-local';
import { dropTables, ensureTables } from '../../lambda/store/local-tables';
import { prefixedTableNames, TableNames } from '../../lambda/store/table-definitions';

/** The DynamoDB Local endpoint that `global-setup.ts` started. */
export function testEndpoint(): string {
  const endpoint = process.env.WHIPLASH_TEST_DDB_ENDPOINT;
  if (!endpoint) throw new Error('WHIPLASH_TEST_DDB_ENDPOINT is not set: run the tests with `npm test`');
  return endpoint;
}

export function testClient(): DynamoDBClient {
  return new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint: testEndpoint() });
}

/** Fresh tables with a unique prefix, so test files never see each other's items. */
export async function createTestTables(client: DynamoDBClient): Promise<TableNames & { drop(): Promise<void> }> {
  const names = prefixedTableNames(`t${randomUUID().slice(0, 8)}-`);
  await ensureTables(client, names);
  return { ...names, drop: () => dropTables(client, names) };
}

/**
 * Fresh tables and a client for the tests of one `describe` block: created in a `beforeAll`
 * registered here (so before the block's own `beforeAll`s), dropped and closed after its tests.
 * Read `client` and `tables` inside hooks and tests, not at definition time.
 */
export function useTestTables(): { readonly client: DynamoDBClient; readonly tables: TableNames } {
  const ctx = {} as { client: DynamoDBClient; tables: TableNames & { drop(): Promise<void> } };
  beforeAll(async () => {
    ctx.client = testClient();
    ctx.tables = await createTestTables(ctx.client);
  });
  afterAll(async () => {
    await ctx.tables?.drop();
    ctx.client?.destroy();
  });
  return ctx;
}

/** Number of items in each table (a full scan: test-sized tables only). */
export async function countItems(client: DynamoDBClient, names: TableNames): Promise<Record<keyof TableNames, number>> {
  const count = async (TableName: string): Promise<number> => {
    let n = 0;
    let ExclusiveStartKey: Record<string, any> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName, Select: 'COUNT', ExclusiveStartKey }));
      n += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return n;
  };
  return { metadata: await count(names.metadata), vectors: await count(names.vectors), buckets: await count(names.buckets) };
}
