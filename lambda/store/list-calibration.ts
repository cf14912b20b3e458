// The calibration of a bucket-layout-3 collection's nprobe on this instance's queries: which query
// reads wide, the ranks its results' lists had, and the share written to the counter item.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { calibratedShare, CalibrationWindow } from '../core/list-calibration';
import { conditionHeld } from './batch';
import { CollectionState } from './collection-state';
import { counterKey } from './key-format';
import { keyItem, S } from './records';
import { TableNames } from './table-definitions';

/** The nprobe calibration of collections in k-means lists, per instance. */
export class ListCalibration {
  private readonly windows = new Map<string, CalibrationWindow>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: TableNames,
  ) {}

  /** Whether this unfiltered query of `state`'s collection reads wide on this instance (`CalibrationWindow.wide`). */
  wide(state: CollectionState): boolean {
    return this.of(state)?.wide(state.lists!.calibratedOn !== undefined) ?? false;
  }

  /**
   * Records a wide query (`width` lists read) and the ranks of its results' lists; each time
   * `queriesBeforeSetting` more are gathered for the collection (fewer while no calibration set its
   * share), writes the share of the lists that reaches the recall target on the latest
   * `CALIBRATION_WINDOW` (`calibratedShare`) to its counter, with the queries it rests on (`nq`).
   * Ranks gathered across a split still count: a split changes two lists of many, and the share
   * carries over to the grown set (`nprobeOf`).
   */
  async observe(state: CollectionState, width: number, ranks: readonly number[]): Promise<void> {
    const window = this.of(state);
    if (!window || !state.lists || !window.add({ width, ranks: [...ranks] }, state.lists.calibratedOn !== undefined)) return;
    const share = calibratedShare(window.queries, state.lists.lists.count, state.config.index.recallTarget);
    const { projectId, name, uid } = state.config;
    // (a collection dropped meanwhile: nothing is written)
    await conditionHeld(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.metadata,
          Key: keyItem(counterKey(projectId, name)),
          UpdateExpression: 'SET ns = :s, nq = :q',
          ConditionExpression: 'uid = :uid',
          ExpressionAttributeValues: { ':s': { N: String(share) }, ':q': { N: String(window.queries.length) }, ':uid': S(uid) },
        }),
      ),
    );
  }

  /** This instance's calibration window of the collection (of a collection in lists). */
  private of(state: CollectionState): CalibrationWindow | undefined {
    if (!state.lists) return undefined;
    let window = this.windows.get(state.config.uid);
    if (!window) this.windows.set(state.config.uid, (window = new CalibrationWindow()));
    return window;
  }
}
