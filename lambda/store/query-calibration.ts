// The planner's calibration by a collection's own queries, as the store runs it: each instance's observed
// queries written to the collection's counter item now and then, and the plans made from what it holds.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isObserving } from '../core/calibration';
import { CalibratedPlans, ObservationBuffer } from '../core/observations';
import { PlanAtSize, PlanTable } from '../core/planner';
import { PROFILE_NEIGHBOURS } from '../core/profile';
import type { SearchedShape } from '../core/table-hits';
import type { Item } from './batch';
import type { CollectionState } from './collection-state';
import { counterKey } from './key-format';
import { expectedHitsAttribute, keyItem, OBSERVED_HITS_ATTRIBUTE, OBSERVED_QUERIES_ATTRIBUTE, observedAngleAttribute, S } from './records';
import { TableNames } from './table-definitions';

/** One instance's observed queries not yet on the counter items, and its calibrated plans. */
export class QueryCalibration {
  private readonly buffer = new ObservationBuffer();
  private readonly calibrated = new CalibratedPlans();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: TableNames,
  ) {}

  /** The plans a query of the collection follows: calibrated by its observed queries once they are enough, the stored plans before. */
  plansOf(state: Pick<CollectionState, 'config' | 'plans' | 'basis' | 'observed'>): PlanTable | PlanAtSize | undefined {
    const { basis, observed, config } = state;
    if (!state.plans || !basis) return state.plans;
    const { hashTables, partitionBits, recallTarget, bucketSize, probes } = config.index;
    return this.calibrated.plansOf(config.uid, basis, observed, { hashTables, partitionBits, recallTarget, bucketSize, probes }) ?? state.plans;
  }

  /**
   * Takes one unfiltered query's results, when the collection has a basis to plan from and still
   * observes: the angles of its first `PROFILE_NEIGHBOURS`, and the hash tables that held each.
   * @param shape the depth and probes the query read
   * @param nearest the results' vectors, nearest first, with the hash tables whose reads held each (`CandidateSet.arrivalsOf`)
   */
  observe(state: CollectionState, query: Float32Array, shape: Omit<SearchedShape, 'hashTables'>, nearest: readonly { vector: Float32Array; arrivals: number }[]): void {
    const { basis, hasher, observed, config } = state;
    if (!basis || !hasher || !isObserving(observed) || nearest.length < PROFILE_NEIGHBOURS) return;
    const first = nearest.slice(0, PROFILE_NEIGHBOURS);
    const angles = hasher.anglesFrom(query, first.map((n) => n.vector));
    this.buffer.observe(config.uid, basis, observed, state.count, { ...shape, hashTables: config.index.hashTables }, angles, first.map((n) => n.arrivals));
  }

  /**
   * Adds this instance's gathered queries to the collection's counter item once there are enough
   * (`ObservationBuffer.take`), on condition that it is still the collection this instance knows.
   * Never fails: a dropped collection or a refused write loses the observations, nothing else.
   */
  async flush(state: CollectionState): Promise<void> {
    const { uid, projectId, name } = state.config;
    const mine = this.buffer.take(uid);
    if (!mine) return;
    const names: Record<string, string> = { '#q': OBSERVED_QUERIES_ATTRIBUTE, '#ht': OBSERVED_HITS_ATTRIBUTE };
    const values: Item = { ':q': { N: String(mine.queries) }, ':ht': { N: String(mine.hits.observed) }, ':uid': S(uid) };
    const adds = ['#q :q', '#ht :ht'];
    for (const [b, c] of mine.counts) {
      names[`#a${b}`] = observedAngleAttribute(b);
      values[`:a${b}`] = { N: String(c) };
      adds.push(`#a${b} :a${b}`);
    }
    mine.hits.expected.forEach((x, j) => {
      names[`#he${j}`] = expectedHitsAttribute(j);
      // fixed-point: a DynamoDB number takes no exponent form, and 1e-6 of a hit is plenty
      values[`:he${j}`] = { N: x.toFixed(6) };
      adds.push(`#he${j} :he${j}`);
    });
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.metadata,
          Key: keyItem(counterKey(projectId, name)),
          UpdateExpression: `ADD ${adds.join(', ')}`,
          ConditionExpression: 'uid = :uid',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch {
      // the collection was dropped or re-created (ConditionalCheckFailedException: its counter is
      // gone or another's), or the write was throttled: the observations are lost, the query is not
    }
  }
}
