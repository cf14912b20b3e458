// What every system runner is given: the DynamoDB client, the data set, its ground truth, k and a table prefix.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Dataset } from '../datasets/types';
import type { GroundTruth } from '../ground-truth';

/** What every system runner gets. */
export interface RunContext {
  readonly client: DynamoDBClient;
  /** A new client to the same DynamoDB (e.g. one with a capacity meter of its own). */
  readonly newClient: () => DynamoDBClient;
  readonly dataset: Dataset;
  readonly gt: GroundTruth;
  /** Results per query (top-k). */
  readonly k: number;
  /** Prefix of every table this run creates, so runs never see each other's items. */
  readonly tablePrefix: string;
}
