// The calibration of a bucket-layout-3 collection's nprobe: which of this instance's queries read
// wide, and the collection's window of calibration queries, pooled from every instance in an item
// of its own, from which each join sets the share on the counter item.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CalibrationQuery, CalibrationSampler, joinedSetting } from '../core/list-calibration';
import { CapacityMeter, writeAtomically } from './batch';
import { CollectionState } from './collection-state';
import { calibrationWindowKey, counterKey } from './key-format';
import type { ListShare } from './list-layout';
import { decodeCalibrationWindow, encodeCalibrationWindow, keyItem, S } from './records';
import { TableNames } from './table-definitions';

/** A join under way: this instance's gathered calibration queries, and the collection's window as round trip 1 read it (version 0: no join wrote it yet). */
export interface PendingJoin {
  readonly fresh: readonly CalibrationQuery[];
  readonly version: number;
  readonly held: readonly CalibrationQuery[];
}

/**
 * The nprobe calibration of collections in k-means lists: this instance's samplers, and the joins
 * of what they gathered into each collection's window. A join rides on a query's two round trips
 * (the window read beside the list reads, the write beside the finalists' read), so a query never
 * waits for a third.
 */
export class ListCalibration {
  private readonly samplers = new Map<string, CalibrationSampler>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: TableNames,
  ) {}

  /** Whether this unfiltered query of `state`'s collection reads wide on this instance (`CalibrationSampler.wide`, from the window's size on the counter). */
  wide(state: CollectionState): boolean {
    return this.of(state)?.wide(state.lists!.calibratedOn) ?? false;
  }

  /** Gathers a wide query (`width` lists read) and the ranks of its results' lists, for a later join. */
  observe(state: CollectionState, width: number, ranks: readonly number[]): void {
    this.of(state)?.add({ width, ranks: [...ranks] });
  }

  /**
   * Round trip 1 of a join: in k-means lists, once this instance has gathered
   * `queriesBeforeSetting` calibration queries of the collection, takes them and reads its window (strongly consistent, its read
   * units on `meter`). Never fails: a failed read gives them back for a later query. A window whose
   * bytes do not decode (cut, or written by another encoding) is read as empty, so that the join
   * starts it again rather than every join refusing it.
   */
  async prepareJoin(state: CollectionState, meter: CapacityMeter): Promise<PendingJoin | undefined> {
    const sampler = this.of(state);
    if (!sampler || !sampler.due(state.lists!.calibratedOn)) return undefined;
    const fresh = sampler.take();
    try {
      return { fresh, ...(await readCalibrationWindow(this.client, this.tables, state.config.uid, meter)) };
    } catch {
      sampler.restore(fresh);
      return undefined;
    }
  }

  /**
   * Round trip 2 of a join: the latest `CALIBRATION_WINDOW` of the window read and the gathered
   * queries become the window, and the share of the lists that reaches the recall target on them
   * the counter's (`joinedSetting`), with the queries it rests on (`nq`): one
   * transaction, on condition that no other join wrote the window since round trip 1 read it (its
   * version) and that the collection lives. Never fails: when another join came first, or a call
   * fails (throttled, say), the gathered queries go back to the sampler for a later query's join
   * (from a dropped collection they are never used). Ranks gathered across a split still count: a
   * split changes two lists of many, and the share carries over to the grown set (`nprobeOf`).
   * @returns the share and the queries it rests on, when the join landed
   */
  async join(state: CollectionState, pending: PendingJoin): Promise<ListShare | undefined> {
    const { projectId, name, uid, index } = state.config;
    const { window, share } = joinedSetting(pending.held, pending.fresh, state.lists!.lists.count, index.recallTarget);
    try {
      const failed = await writeAtomically(this.client, [
        {
          Put: {
            TableName: this.tables.metadata,
            Item: { ...keyItem(calibrationWindowKey(uid)), v: { N: String(pending.version + 1) }, w: { B: encodeCalibrationWindow(window) } },
            ...(pending.version === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': { N: String(pending.version) } } }),
          },
        },
        {
          Update: {
            TableName: this.tables.metadata,
            Key: keyItem(counterKey(projectId, name)),
            UpdateExpression: 'SET ns = :s, nq = :q',
            ConditionExpression: 'uid = :uid',
            ExpressionAttributeValues: { ':s': { N: String(share) }, ':q': { N: String(window.length) }, ':uid': S(uid) },
          },
        },
      ]);
      if (!failed) return { share, calibratedOn: window.length };
    } catch {
      // throttled or refused: as when another join came first
    }
    this.giveBack(state, pending);
    return undefined;
  }

  /** Gives a join's gathered queries back to the sampler, for a later query's join: its query failed, or another join came first. */
  giveBack(state: CollectionState, pending: PendingJoin): void {
    this.of(state)?.restore(pending.fresh);
  }

  /** This instance's sampler of the collection (of a collection in lists). */
  private of(state: CollectionState): CalibrationSampler | undefined {
    if (!state.lists) return undefined;
    let sampler = this.samplers.get(state.config.uid);
    if (!sampler) this.samplers.set(state.config.uid, (sampler = new CalibrationSampler(state.config.seed)));
    return sampler;
  }
}

/**
 * The calibration window of the collection `uid`, as a join reads it (strongly consistent, its read
 * units on `meter`): the version of its item (0: no join wrote it yet) and its queries, oldest
 * first. Bytes that do not decode (cut, or written by another encoding) read as an empty window.
 * @throws what the GetItem call throws
 */
export async function readCalibrationWindow(client: DynamoDBClient, tables: TableNames, uid: string, meter?: CapacityMeter): Promise<Pick<PendingJoin, 'version' | 'held'>> {
  const out = await client.send(new GetItemCommand({ TableName: tables.metadata, Key: keyItem(calibrationWindowKey(uid)), ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
  meter?.add(out.ConsumedCapacity);
  if (!out.Item?.w?.B) return { version: 0, held: [] };
  let held: readonly CalibrationQuery[];
  try {
    held = decodeCalibrationWindow(out.Item.w.B);
  } catch {
    held = [];
  }
  return { version: Number(out.Item.v.N), held };
}
