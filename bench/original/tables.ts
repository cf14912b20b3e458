// Creates and drops the original layout's vector and bucket tables.
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, ResourceInUseException, ResourceNotFoundException, waitUntilTableExists } from '@aws-sdk/client-dynamodb';

/** The original's two per-collection tables, both keyed by a string partition key `id` alone. */
export interface OriginalTables {
  /** `{id, vector: B (float32 bytes)}` */
  readonly vectors: string;
  /** `{id: base36 bucket key, ids: SS}` */
  readonly buckets: string;
}

/** Table names with a common prefix; `seed` gives each hyperplane seed its own bucket table. */
export function originalTableNames(prefix: string, seed?: number): OriginalTables {
  return { vectors: `${prefix}orig_vectors`, buckets: `${prefix}orig_buckets${seed === undefined ? '' : `_s${seed}`}` };
}

/** Creates both tables (on demand, `id` hash key only, as the original's `create_table`) unless they exist. */
export async function ensureOriginalTables(client: DynamoDBClient, t: OriginalTables): Promise<void> {
  await Promise.all(
    [t.vectors, t.buckets].map(async (TableName) => {
      try {
        await client.send(
          new CreateTableCommand({
            TableName,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          }),
        );
      } catch (err) {
        if (!(err instanceof ResourceInUseException)) throw err;
      }
      await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName });
    }),
  );
}

export async function dropOriginalTables(client: DynamoDBClient, t: OriginalTables): Promise<void> {
  await Promise.all(
    [t.vectors, t.buckets].map(async (TableName) => {
      try {
        await client.send(new DeleteTableCommand({ TableName }));
      } catch (err) {
        if (!(err instanceof ResourceNotFoundException)) throw err;
      }
    }),
  );
}
