// Checks, by scanning the tables, the invariants of one collection's items that every request must
// keep across instances and failures: no orphan bucket or filter index entry or payload, no missing one, an exact count.
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { CollectionInfo } from '../../lambda/core/types';
import type { Item } from '../../lambda/store/batch';
import { metadataEntryKeys } from '../../lambda/store/filter-index';
import { allPayloadPartitions, bucketPartition, bucketSortKey, centroidPartition, entryToken, isFilterPartitionOf, listPartition, listSortKey } from '../../lambda/store/key-format';
import { CentroidSet, centroidSetOf, entryLists } from '../../lambda/store/list-layout';
import { toConfig, toListSet, toMetadata } from '../../lambda/store/records';
import { bytesToCodes } from '../../lambda/store/layout';
import type { TableNames } from '../../lambda/store/table-definitions';

/**
 * The centroid set a bucket-layout-3 collection's counter names, from every item of the metadata
 * table and the collection's config item; undefined before its first batch set one.
 */
function storedCentroidSet(metadata: readonly Item[], config: Item): CentroidSet | undefined {
  const uid = config.uid.S!;
  const counter = metadata.find((i) => i.uid?.S === uid && i.n !== undefined);
  const listSet = counter ? toListSet(counter) : undefined;
  return listSet ? centroidSetOf(toConfig('p', config), metadata.filter((i) => i.pk.S === centroidPartition(uid)), listSet.version, listSet) : undefined;
}

/** Every item of a table, page after page (test tables are small). */
async function scanAll(client: DynamoDBClient, TableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName, ExclusiveStartKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** What the scan found of one collection (by its uid). */
export interface CollectionScan {
  /** Ids of live vector items (no tombstone). */
  readonly ids: string[];
  /**
   * Bucket entries that no live vector item's codes produce, filter index entries of a value
   * that no live vector item holds in its current metadata version, and payload items of no live
   * item's current version (`pk sk`).
   */
  readonly orphans: string[];
  /** Entries that live vector items' codes or metadata values produce but the buckets table lacks. */
  readonly missing: string[];
  /** Vector items still recording stale codes (`o`) or metadata versions (`q`), or being deleted (`t`). */
  readonly unsettled: string[];
  /** Items of either data table whose key carries this uid. */
  readonly items: number;
  /** The collection's filter index entries. */
  readonly filterEntries: { pk: string; sk: string }[];
  /** The collection's payload items (non-filterable metadata). */
  readonly payloads: Item[];
}

/** Scans the vectors and buckets tables for the items of the collection `info` (test-sized tables only). */
export async function scanCollection(client: DynamoDBClient, tables: TableNames, info: Pick<CollectionInfo, 'uid' | 'index'>): Promise<CollectionScan> {
  const { uid } = info;
  const { partitionBits, hashTables } = info.index;
  const vectors = (await scanAll(client, tables.vectors)).filter((i) => i.pk.S!.startsWith(`${uid}#`));
  // bucket layout 2 (the config's `bl`): an entry's sort key carries the token of its item's version `f`
  const metadata = await scanAll(client, tables.metadata);
  const config = metadata.find((i) => i.uid?.S === uid && i.dimension !== undefined);
  const tokened = Number(config?.bl?.N ?? 1) >= 2;
  // bucket layout 3: one entry per vector, in the list its codes name
  const inLists = Number(config?.bl?.N ?? 1) === 3;
  const all = await scanAll(client, tables.buckets);
  const entries = all.filter((i) => i.pk.S!.startsWith(uid));
  const filterEntries = all.filter((i) => isFilterPartitionOf(i.pk.S!, uid));
  const payloadPartitions = new Set(allPayloadPartitions(uid));
  const payloads = all.filter((i) => payloadPartitions.has(i.pk.S!));
  const found = new Set([...entries, ...filterEntries, ...payloads].map((e) => `${e.pk.S} ${e.sk.S}`));
  // bucket layout 3: the centroid set the counter names, for the lists a split may have moved an entry to
  const centroids = inLists && config ? storedCentroidSet(metadata, config) : undefined;
  const expected = new Set<string>();
  const missingInLists: string[] = [];
  const ids: string[] = [];
  const unsettled: string[] = [];
  for (const v of vectors) {
    const id = v.sk.S!;
    if (v.o !== undefined || v.q !== undefined || v.t !== undefined) unsettled.push(id);
    if (v.t !== undefined) continue;
    ids.push(id);
    const codes = bytesToCodes(v.c.B!);
    const token = tokened && v.f?.B ? entryToken(v.f.B) : '';
    if (inLists) {
      // exactly one entry, in one of the lists a split may have moved it to (the one created last; further copies are orphans)
      const keys = entryLists(centroids, codes[0], codes[1]).map((l) => `${listPartition(uid, l)} ${listSortKey(id, token)}`);
      const present = [...keys].reverse().find((k) => found.has(k));
      if (present) expected.add(present);
      else missingInLists.push(keys[0]);
    }
    else for (let t = 0; t < hashTables; t++) expected.add(`${bucketPartition(uid, t, codes[t], partitionBits)} ${bucketSortKey(codes[t], partitionBits, id, token)}`);
    if (v.f?.B) for (const k of metadataEntryKeys(uid, id, { version: v.f.B, metadata: toMetadata(v), payload: v.p !== undefined })) expected.add(`${k.pk.S} ${k.sk.S}`);
  }
  return {
    ids: ids.sort(),
    orphans: [...found].filter((k) => !expected.has(k)),
    missing: [...[...expected].filter((k) => !found.has(k)), ...missingInLists],
    unsettled,
    items: vectors.length + entries.length + filterEntries.length + payloads.length,
    filterEntries: filterEntries.map((e) => ({ pk: e.pk.S!, sk: e.sk.S! })),
    payloads,
  };
}
