import type { DynamoDBLocalHandle } from '../../lib/local/dynamodb-local';

export default async function globalTeardown(): Promise<void> {
  const ddb = (globalThis as { __whiplashDdb?: DynamoDBLocalHandle }).__whiplashDdb;
  await ddb?.stop();
}
