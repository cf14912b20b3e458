// Tests that the store's DynamoDB client skips the SDK's logger middleware (its copy of every response for logger.info), and still answers.
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { storeClient } from '../../lambda/api/deps';
import { LOCAL_CLIENT_CONFIG } from '../../lib/local/dynamodb-local';
import { testEndpoint } from '../support/tables';

/** A logger that records what the SDK hands to `info`. */
function recordingLogger() {
  const info: unknown[] = [];
  return { info, logger: { trace() {}, debug() {}, info: (x: unknown) => info.push(x), warn() {}, error() {} } };
}

describe('storeClient', () => {
  it('GIVEN the SDK with a logger WHEN a plain client sends a request THEN the logger gets a copy of the response (the cost storeClient avoids)', async () => {
    const { info, logger } = recordingLogger();
    const client = new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint: testEndpoint(), logger });
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
    } finally {
      client.destroy();
    }
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ commandName: 'ListTablesCommand', output: expect.any(Object) });
  });

  it('GIVEN a store client with the same logger WHEN it sends a request THEN it answers and nothing is copied for the logger', async () => {
    const { info, logger } = recordingLogger();
    const client = storeClient({ ...LOCAL_CLIENT_CONFIG, endpoint: testEndpoint(), logger });
    try {
      const out = await client.send(new ListTablesCommand({ Limit: 1 }));
      expect(out.$metadata.httpStatusCode).toBe(200);
    } finally {
      client.destroy();
    }
    expect(info).toEqual([]);
  });
});
