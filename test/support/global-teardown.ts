// Jest global teardown: stops the DynamoDB Local that global-setup.ts started.
import type { DynamoDBLocalHandle } from '../../lib/local/dynamodb-local';

export default async function globalTeardown(): Promise<void> {
  const ddb = (globalThis as { __whiplashDdb?: DynamoDBLocalHandle }).__whiplashDdb;
  await ddb?.stop();
}
