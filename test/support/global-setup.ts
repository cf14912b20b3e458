// Jest global setup: starts the in-memory DynamoDB Local that every test file uses.
import { startDynamoDBLocal } from '../../lib/local/dynamodb-local';

/**
 * Starts one in-memory DynamoDB Local for the whole test run, on a free port.
 * Test files isolate themselves with their own table names (see `test/support/tables.ts`).
 */
export default async function globalSetup(): Promise<void> {
  const ddb = await startDynamoDBLocal({ engine: 'java' });
  process.env.WHIPLASH_TEST_DDB_ENDPOINT = ddb.endpoint;
  (globalThis as { __whiplashDdb?: typeof ddb }).__whiplashDdb = ddb;
}
