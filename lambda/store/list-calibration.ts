// The calibration of a bucket-layout-3 collection's nprobe on this instance's queries: which query
// reads wide, the ranks its results' lists had, and the share written to the counter item.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CALIBRATION_EVERY, CALIBRATION_WINDOW, calibratedShare, CalibrationQuery, FIRST_CALIBRATION_EVERY, queriesBeforeSetting, RECALIBRATION_EVERY } from '../core/list-calibration';
import { conditionHeld } from './batch';
import { CollectionState } from './collection-state';
import { counterKey } from './key-format';
import { keyItem, S } from './records';
import { TableNames } from './table-definitions';

/** What an instance gathered for one collection. */
interface Gathered {
  queries: number;
  /** The latest `CALIBRATION_WINDOW` calibration queries, oldest first. */
  readonly window: CalibrationQuery[];
  /** Calibration queries since the last setting. */
  fresh: number;
}

/** The nprobe calibration of collections in k-means lists, per instance. */
export class ListCalibration {
  private readonly gathered = new Map<string, Gathered>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: TableNames,
  ) {}

  /**
   * Whether this unfiltered query of `state`'s collection reads wide: on this instance the last of
   * every `FIRST_CALIBRATION_EVERY` while no calibration set the collection's share, then of every
   * `CALIBRATION_EVERY` until its window is full, then of every `RECALIBRATION_EVERY` (so a new
   * instance's first query, on a cold start, is not the wide one).
   */
  wide(state: CollectionState): boolean {
    const g = this.of(state);
    if (!g) return false;
    const every = state.lists!.calibratedOn === undefined ? FIRST_CALIBRATION_EVERY : g.window.length < CALIBRATION_WINDOW ? CALIBRATION_EVERY : RECALIBRATION_EVERY;
    return ++g.queries % every === 0;
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
    const g = this.of(state);
    if (!g || !state.lists) return;
    g.window.push({ width, ranks: [...ranks] });
    if (g.window.length > CALIBRATION_WINDOW) g.window.shift();
    if (++g.fresh < queriesBeforeSetting(state.lists.calibratedOn !== undefined)) return;
    g.fresh = 0;
    const share = calibratedShare(g.window, state.lists.lists.count, state.config.index.recallTarget);
    const { projectId, name, uid } = state.config;
    // (a collection dropped meanwhile: nothing is written)
    await conditionHeld(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.metadata,
          Key: keyItem(counterKey(projectId, name)),
          UpdateExpression: 'SET ns = :s, nq = :q',
          ConditionExpression: 'uid = :uid',
          ExpressionAttributeValues: { ':s': { N: String(share) }, ':q': { N: String(g.window.length) }, ':uid': S(uid) },
        }),
      ),
    );
  }

  /** What this instance gathered for the collection (of a collection in lists). */
  private of(state: CollectionState): Gathered | undefined {
    if (!state.lists) return undefined;
    let g = this.gathered.get(state.config.uid);
    if (!g) this.gathered.set(state.config.uid, (g = { queries: 0, window: [], fresh: 0 }));
    return g;
  }
}
