// Tests that the store's DynamoDB client leaves out the SDK's logger middleware (its copy of every response for
// logger.info) unless a logger is asked for, and answers either way.
import { DynamoDBClient, DynamoDBClientConfig, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LOGGER_MIDDLEWARE, storeClient } from '../../lambda/store/store-client';
import { LOCAL_CLIENT_CONFIG } from '../../lib/local/dynamodb-local';
import { testEndpoint } from '../support/tables';

/** A logger that records what the SDK hands to `info`. */
function recordingLogger() {
  const info: unknown[] = [];
  return { info, logger: { trace() {}, debug() {}, info: (x: unknown) => info.push(x), warn() {}, error() {} } };
}

const hasLoggerMiddleware = (client: DynamoDBClient) => client.middlewareStack.identify().some((m) => m.startsWith(`${LOGGER_MIDDLEWARE} `));

async function listOne(client: DynamoDBClient): Promise<number | undefined> {
  try {
    return (await client.send(new ListTablesCommand({ Limit: 1 }))).$metadata.httpStatusCode;
  } finally {
    client.destroy();
  }
}

describe('storeClient', () => {
  const config = (): DynamoDBClientConfig => ({ ...LOCAL_CLIENT_CONFIG, endpoint: testEndpoint() });

  it('GIVEN the SDK as it comes WHEN a client is built THEN it has the logger middleware (the name storeClient removes)', () => {
    const client = new DynamoDBClient(config());
    expect(hasLoggerMiddleware(client)).toBe(true);
    client.destroy();
  });

  it('GIVEN no logger WHEN a store client is built THEN it has no logger middleware and still answers', async () => {
    const client = storeClient(config());
    expect(hasLoggerMiddleware(client)).toBe(false);
    expect(await listOne(client)).toBe(200);
  });

  it('GIVEN a logger WHEN a store client sends a request THEN the logger gets the SDK record as usual', async () => {
    const { info, logger } = recordingLogger();
    expect(await listOne(storeClient({ ...config(), logger }))).toBe(200);
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ commandName: 'ListTablesCommand', output: expect.any(Object) });
  });
});
