// The centroid set of a collection in k-means lists (bucket layout 3) in the metadata table: the
// first lists its first batch trains, and the set as an instance reads it, incrementally.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { trainFirstLists } from '../core/list-training';
import { CollectionConfig } from '../core/types';
import { Item, queryAll, writeAtomically } from './batch';
import { CheckedRow } from './collection-state';
import { centroidPartition, centroidsAfter, counterKey } from './key-format';
import { CentroidSet, centroidItems, centroidSetOf, sameShare, withShare } from './list-layout';
import { keyItem, S, toListSet } from './records';
import { TableNames } from './table-definitions';

/**
 * The centroid set a counter item names, at its share: `known` (this instance's copy) when it is that version,
 * else `known` updated with the centroid items written since, else all of them.
 * @returns undefined before the first batch trained the lists
 */
export async function loadCentroidSet(client: DynamoDBClient, tables: TableNames, config: CollectionConfig, counter: Item, known: CentroidSet | undefined): Promise<CentroidSet | undefined> {
  const set = toListSet(counter);
  if (!set) return undefined;
  // the same set, at the share the counter holds now (another instance may have calibrated it)
  if (known?.version === set.version) return sameShare(known, set) ? known : withShare(known, set);
  const base = known && known.version < set.version ? known : undefined;
  const items = await queryAll(client, tables.metadata, centroidPartition(config.uid), undefined, undefined, base ? centroidsAfter(base.version) : undefined);
  return centroidSetOf(config, items, set.version, set, base);
}

/**
 * The first lists of a collection, trained on its first batch (`trainFirstLists`): centroid set 1,
 * written in one transaction with the counter's `lv` (the set's version, which every query reads
 * with the counter) and `ns` (the share of the lists a query reads: the first nprobe over the
 * first lists, `nprobeOf`; no `nq`, as no query calibrated it yet), on condition that no lists
 * were trained yet, so concurrent first writers agree on the first that landed. A failure means
 * another writer trained first, or the collection is gone: the caller reads the collection again
 * either way.
 */
export async function trainCentroidSet(client: DynamoDBClient, tables: TableNames, config: CollectionConfig, rows: readonly CheckedRow[]): Promise<void> {
  const { projectId, name, uid, metric, index, seed } = config;
  const first = trainFirstLists(rows.map((r) => r.vector), metric, index.recallTarget, seed);
  const version = 1;
  await writeAtomically(client, [
    {
      Update: {
        TableName: tables.metadata,
        Key: keyItem(counterKey(projectId, name)),
        UpdateExpression: 'SET lv = :v, ns = :n, lc = :c',
        ConditionExpression: 'uid = :uid AND attribute_not_exists(lv)',
        ExpressionAttributeValues: { ':v': { N: String(version) }, ':n': { N: String(first.nprobe / first.lists.count) }, ':c': { N: String(first.lists.count) }, ':uid': S(uid) },
      },
    },
    ...centroidItems(uid, version, first.lists).map((item) => ({ Put: { TableName: tables.metadata, Item: item } })),
  ]);
}
