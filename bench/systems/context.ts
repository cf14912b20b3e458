// What every system runner is given: the DynamoDB client, the data set, its ground truth, k and a table prefix.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Dataset } from '../datasets/types';
import type { GroundTruth } from '../ground-truth';

/** The project and collection names of the real runner (`whiplash.ts`), which the models need: the counter item's key holds them. */
export const BENCH_PROJECT = 'bench';
export const collectionName = (ds: Dataset) => ds.name.replace(/[^A-Za-z0-9._-]/g, '-');

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
