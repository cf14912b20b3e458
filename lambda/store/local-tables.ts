// Creates and drops the three tables on a DynamoDB endpoint, for local mode, tests and benchmarks.
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { TABLE_DEFINITIONS, TableNames, TableRole } from './table-definitions';

/**
 * Creates the three tables from `TABLE_DEFINITIONS` (on-demand billing) unless they exist.
 * For local mode, tests and benchmarks; on AWS the construct owns the tables.
 */
export async function ensureTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    (Object.keys(TABLE_DEFINITIONS) as TableRole[]).map(async (role) => {
      const def = TABLE_DEFINITIONS[role];
      try {
        await client.send(
          new CreateTableCommand({
            TableName: names[role],
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [
              { AttributeName: def.partitionKey.name, AttributeType: def.partitionKey.type },
              { AttributeName: def.sortKey.name, AttributeType: def.sortKey.type },
            ],
            KeySchema: [
              { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
              { AttributeName: def.sortKey.name, KeyType: 'RANGE' },
            ],
          }),
        );
      } catch (err) {
        if (!(err instanceof ResourceInUseException)) throw err;
      }
      await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: names[role] });
    }),
  );
}

/** Deletes the three tables if they exist. */
export async function dropTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    Object.values(names).map(async (TableName) => {
      try {
        await client.send(new DeleteTableCommand({ TableName }));
      } catch (err) {
        if (!(err instanceof ResourceNotFoundException)) throw err;
      }
    }),
  );
}
