// The tables of a benchmark runner's store run in a test: a client to DynamoDB Local, the run
// context `runWhiplash` takes, and the run's tables dropped after the suite.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Dataset } from '../../bench/datasets/types';
import type { GroundTruth } from '../../bench/ground-truth';
import type { RunContext } from '../../bench/systems/context';
import { dropTables } from '../../lambda/store/local-tables';
import { prefixedTableNames, TableNames } from '../../lambda/store/table-definitions';
import { LOCAL_CLIENT_CONFIG } from '../../lib/local/dynamodb-local';
import { testClient, testEndpoint } from './tables';

/**
 * Registers a suite's client and the cleanup of the Whiplash tables its runs create (prefix
 * `tag` and the time, so suites never share tables).
 */
export function useBenchRun(tag: string) {
  const prefix = `${tag}${Date.now().toString(36)}-`;
  let client: DynamoDBClient;
  beforeAll(() => {
    client = testClient();
  });
  afterAll(async () => {
    await dropTables(client, prefixedTableNames(`${prefix}wl-`));
    client.destroy();
  });
  return {
    /** The run context of `dataset` with its ground truth, top 10. */
    context: (dataset: Dataset, gt: GroundTruth): RunContext => ({ client, newClient: () => new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint: testEndpoint() }), dataset, gt, k: 10, tablePrefix: prefix }),
    client: () => client,
    /** The tables `runWhiplash` writes. */
    tables: (): TableNames => prefixedTableNames(`${prefix}wl-`),
  };
}
