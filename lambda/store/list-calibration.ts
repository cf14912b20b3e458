// The calibration of a bucket-layout-3 collection's nprobe on this instance's queries: which query
// reads wide, the ranks its results' lists had, and the share written to the counter item.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CALIBRATION_EVERY, CALIBRATION_QUERIES, calibratedShare } from '../core/list-calibration';
import { conditionHeld } from './batch';
import { CollectionState } from './collection-state';
import { counterKey } from './key-format';
import { keyItem, S } from './records';
import { TableNames } from './table-definitions';

/** What an instance gathered for one collection. */
interface Gathered {
  queries: number;
  readonly ranks: number[][];
}

/** The nprobe calibration of collections in k-means lists, per instance. */
export class ListCalibration {
  private readonly gathered = new Map<string, Gathered>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: TableNames,
  ) {}

  /** Whether this unfiltered query of `state`'s collection reads wide: one in `CALIBRATION_EVERY` on this instance, the first included. */
  wide(state: CollectionState): boolean {
    const g = this.of(state);
    return g !== undefined && g.queries++ % CALIBRATION_EVERY === 0;
  }

  /**
   * Records the ranks of a wide query's results' lists; once `CALIBRATION_QUERIES` are gathered
   * for the collection, writes the share of the lists that reaches the recall target
   * (`calibratedShare`) to its counter, and starts over. Ranks gathered across a split still count:
   * a split changes two lists of many, and the share carries over to the grown set (`nprobeOf`).
   */
  async observe(state: CollectionState, ranks: readonly number[]): Promise<void> {
    const g = this.of(state);
    if (!g || !state.lists) return;
    g.ranks.push([...ranks]);
    if (g.ranks.length < CALIBRATION_QUERIES) return;
    const share = calibratedShare(g.ranks, state.lists.lists.count, state.config.index.recallTarget);
    g.ranks.splice(0); // gather afresh, at the same cadence
    const { projectId, name, uid } = state.config;
    // (a collection dropped meanwhile: nothing is written)
    await conditionHeld(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.metadata,
          Key: keyItem(counterKey(projectId, name)),
          UpdateExpression: 'SET ns = :s',
          ConditionExpression: 'uid = :uid',
          ExpressionAttributeValues: { ':s': { N: String(share) }, ':uid': S(uid) },
        }),
      ),
    );
  }

  /** What this instance gathered for the collection (of a collection in lists). */
  private of(state: CollectionState): Gathered | undefined {
    if (!state.lists) return undefined;
    let g = this.gathered.get(state.config.uid);
    if (!g) this.gathered.set(state.config.uid, (g = { queries: 0, ranks: [] }));
    return g;
  }
}
