// The per-vector write protocol that keeps bucket entries and vector items consistent under
// concurrent requests and failures: a vector item records the codes whose entries are still to go.
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { ServiceUnavailableError } from '../core/errors';
import { CollectionConfig } from '../core/types';
import { batchGetAll, Item } from './batch';
import { bucketPartition, bucketSortKey, vectorKey } from './key-format';
import { bytesToCodes, codesToBytes } from './layout';
import { keyItem } from './records';

/**
 * A vector item's attributes besides the vector (`layout.vectorItem`):
 * - `w`: the id of the write that made this version (random bytes);
 * - `o`: binary set of codes (`codesToBytes`) of earlier versions whose bucket entries may still
 *   exist; the writer removes it once it has deleted them;
 * - `t`: present while the item is being deleted (a tombstone): readers treat it as absent, and
 *   its bucket entries (`c` and `o`) are deleted before the item.
 * Whatever step of a request fails, the item still names every entry that must go, so the next
 * write or delete of the id (a client's retry) or a repair finishes the cleanup.
 */
export interface ItemVersion {
  readonly codes: Uint32Array;
  readonly pending: Uint32Array[];
  readonly tombstone: boolean;
  readonly writeId: Uint8Array;
}

/** Conditional writes of one id that lose a race are retried this often before answering 503. */
export const RACE_ATTEMPTS = 8;

/** The version an item holds, from its attributes (absent: no item). */
export function versionOf(item: Item | undefined): ItemVersion | undefined {
  if (!item?.c?.B) return undefined;
  return {
    codes: bytesToCodes(item.c.B),
    pending: (item.o?.BS ?? []).map((b) => bytesToCodes(b)),
    tombstone: item.t !== undefined,
    writeId: item.w?.B ?? new Uint8Array(0),
  };
}

/** A fresh write id. */
export const newWriteId = (): Uint8Array => randomBytes(8);

/**
 * The keys of the bucket entries of `id` under each of `codes`, except those that `keep` (the
 * current version's codes) also has: the entries that must go.
 */
export function staleEntryKeys(config: CollectionConfig, id: string, codes: readonly Uint32Array[], keep?: Uint32Array): Item[] {
  const { partitionBits, hashTables } = config.index;
  const seen = new Set<string>();
  const keys: Item[] = [];
  for (const c of codes) {
    for (let t = 0; t < hashTables; t++) {
      if (keep && keep[t] === c[t]) continue;
      const pk = bucketPartition(config.uid, t, c[t], partitionBits);
      const sk = bucketSortKey(c[t], partitionBits, id);
      if (seen.has(pk + '\u0000' + sk)) continue;
      seen.add(pk + '\u0000' + sk);
      keys.push({ pk: { S: pk }, sk: { S: sk } });
    }
  }
  return keys;
}

/** Reads and writes the versions of one collection's vector items. */
export class ItemVersions {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly config: CollectionConfig,
  ) {}

  /** The current version of `id` (strongly consistent; BatchGetItem, the read the write path is granted). */
  async read(id: string): Promise<ItemVersion | undefined> {
    const found = await batchGetAll(this.client, [{ table: this.table, key: keyItem(vectorKey(this.config.uid, id)) }], {
      consistentRead: true,
      projection: { [this.table]: 'c, o, t, w' },
    });
    return versionOf(found[this.table]?.[0]);
  }

  /**
   * Replaces the item of `id` by `item` (a `layout.vectorItem` with its write id), on condition
   * that the version it replaces is the one read; on a lost race, reads again and retries.
   * @param known the version read before, if any (saves the first read)
   * @returns whether a live item was created (none existed, or only a tombstone), and the codes
   *   whose entries are now stale (recorded in the new item's `o` until {@link settle})
   * @throws ServiceUnavailableError when every attempt lost a race
   */
  async replace(id: string, item: Item, codes: Uint32Array, known?: ItemVersion | null): Promise<{ created: boolean; stale: Uint32Array[] }> {
    let old = known === null ? undefined : known;
    let fresh = known !== undefined;
    for (let attempt = 0; attempt < RACE_ATTEMPTS; attempt++) {
      if (!fresh) old = await this.read(id);
      fresh = false;
      const stale = old ? [...old.pending, old.codes].filter((c) => !sameCodes(c, codes)) : [];
      const unique = uniqueBlobs(stale.map(codesToBytes));
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: { ...item, ...(unique.length > 0 ? { o: { BS: unique } } : {}) },
            ...(old
              ? {
                  ConditionExpression: `w = :w AND ${old.tombstone ? 'attribute_exists(t)' : 'attribute_not_exists(t)'}`,
                  ExpressionAttributeValues: { ':w': { B: old.writeId } },
                }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          }),
        );
        return { created: !old || old.tombstone, stale };
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
    throw new ServiceUnavailableError(`vector ${id} kept changing under concurrent writes; retry`);
  }

  /**
   * Replaces the live item of `id` by `item` only if it still holds the version `read` (one
   * attempt, no re-read): for a write whose new item is derived from the one read (a metadata
   * update), which must start over when another write came first.
   * @returns the codes whose entries are now stale (recorded in `o` until {@link settle}), or
   *   undefined when the item changed or went since it was read
   */
  async replaceIfUnchanged(item: Item, codes: Uint32Array, read: ItemVersion): Promise<{ stale: Uint32Array[] } | undefined> {
    const stale = [...read.pending, read.codes].filter((c) => !sameCodes(c, codes));
    const unique = uniqueBlobs(stale.map(codesToBytes));
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...item, ...(unique.length > 0 ? { o: { BS: unique } } : {}) },
          ConditionExpression: 'w = :w AND attribute_not_exists(t)',
          ExpressionAttributeValues: { ':w': { B: read.writeId } },
        }),
      );
      return { stale };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      return undefined;
    }
  }

  /** Clears the record of stale codes once their entries are deleted, unless a newer write replaced the item. */
  async settle(id: string, writeId: Uint8Array): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: keyItem(vectorKey(this.config.uid, id)),
          UpdateExpression: 'REMOVE o',
          ConditionExpression: 'w = :w',
          ExpressionAttributeValues: { ':w': { B: writeId } },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  /**
   * Marks `id` deleted (a tombstone) and returns what its deletion must remove; a tombstone left
   * by a failed delete is taken over (not counted again).
   * @returns undefined when there is no item; else whether this call deleted it (for the count),
   *   every code whose entries must go, and the tombstone's write id for {@link remove}
   */
  async tombstone(id: string): Promise<{ counted: boolean; codes: Uint32Array[]; writeId: Uint8Array } | undefined> {
    const writeId = newWriteId();
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: keyItem(vectorKey(this.config.uid, id)),
          UpdateExpression: 'SET t = :t, w = :w',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(t)',
          ExpressionAttributeValues: { ':t': { BOOL: true }, ':w': { B: writeId } },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const v = versionOf(out.Attributes)!;
      return { counted: true, codes: [v.codes, ...v.pending], writeId };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
    const left = await this.read(id);
    if (!left?.tombstone) return undefined; // no item (or one written since: not ours to delete)
    return { counted: false, codes: [left.codes, ...left.pending], writeId: left.writeId };
  }

  /** Deletes a tombstoned item once its entries are gone, unless it was written again since. */
  async remove(id: string, writeId: Uint8Array): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: keyItem(vectorKey(this.config.uid, id)),
          ConditionExpression: 'w = :w AND attribute_exists(t)',
          ExpressionAttributeValues: { ':w': { B: writeId } },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }
}

function sameCodes(a: Uint32Array, b: Uint32Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function uniqueBlobs(blobs: Uint8Array[]): Uint8Array[] {
  const byKey = new Map(blobs.map((b) => [Buffer.from(b).toString('base64'), b]));
  return [...byKey.values()];
}
