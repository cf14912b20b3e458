// The lists a collection in k-means lists holds in a store's tables, read with the store's own
// loader and key format, for the lists cost model (`ListsModel`) to price queries on.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CalibrationQuery } from '../../lambda/core/list-calibration';
import { queryAll } from '../../lambda/store/batch';
import { CollectionStore } from '../../lambda/store/collections';
import { idFromListSortKey, listPartition } from '../../lambda/store/key-format';
import { readCalibrationWindow } from '../../lambda/store/list-calibration';
import { calibratedOn } from '../../lambda/store/list-layout';
import type { TableNames } from '../../lambda/store/table-definitions';
import type { ListsLayout } from '../model/lists-model';

/**
 * The centroid set the collection's counter names (read strongly consistent, as a query after a
 * split does) and the base row of each entry of each of its lists, for a collection whose ids are
 * base rows (`String(row)`, as the benchmark ingests). Undefined for a collection in hash tables,
 * or in lists before its first batch trained them.
 */
export async function readStoreLists(client: DynamoDBClient, tables: TableNames, projectId: string, name: string): Promise<ListsLayout | undefined> {
  const state = await new CollectionStore(client, tables).load(projectId, name, true);
  const set = state.lists;
  if (!set) return undefined;
  const members = [];
  for (let l = 0; l < set.lists.count; l++) {
    const entries = await queryAll(client, tables.buckets, listPartition(state.config.uid, l), undefined, ['sk']);
    members.push(entries.map((e) => Number(idFromListSortKey(e.sk.S!))));
  }
  return { lists: set.lists, members, version: set.version, share: set.share, ...calibratedOn(set) };
}

/**
 * The calibration window of a collection in k-means lists, read as the store's next join would read
 * it (`readCalibrationWindow`, oldest first): the calibration queries the counter's latest share was
 * set on. Empty before the first join, or for a collection in hash tables.
 */
export async function readStoreWindow(client: DynamoDBClient, tables: TableNames, projectId: string, name: string): Promise<readonly CalibrationQuery[]> {
  const state = await new CollectionStore(client, tables).load(projectId, name, true);
  return (await readCalibrationWindow(client, tables, state.config.uid)).held;
}
