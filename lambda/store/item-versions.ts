// The per-vector write protocol that keeps bucket entries, filter index entries and vector items
// consistent under concurrent requests and failures: a vector item records the codes and metadata
// versions whose entries are still to go.
import { DeleteItemCommand, DynamoDBClient, Put, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { mapLimit } from '../core/concurrency';
import { ServiceUnavailableError } from '../core/errors';
import { CollectionConfig } from '../core/types';
import { batchGetAll, conditionHeld, Item } from './batch';
import { CountedWrite, VectorCounter, writeCounted } from './counted-writes';
import { currentFilterVersion, decodePending, encodePending, FilterVersion } from './filter-index';
import { bucketPartition, bucketSortKey, filterVersion, vectorKey } from './key-format';
import { bytesToCodes, codesToBytes } from './layout';
import { keyItem } from './records';

/**
 * A vector item's attributes besides the vector (`layout.vectorItem`):
 * - `w`: the id of the write that made this version (random bytes);
 * - `o`: binary set of codes (`codesToBytes`) of earlier versions whose bucket entries may still
 *   exist; the writer removes it once it has deleted them;
 * - `f`: the version of its metadata's filter index entries (`filter-index.ts`);
 * - `q`: string set of earlier metadata versions whose filter index entries may still exist, removed
 *   with `o`;
 * - `t`: present while the item is being deleted (a tombstone): readers treat it as absent, and
 *   its bucket entries (`c` and `o`) and filter index entries (`f` and `q`) are deleted before the item.
 * Whatever step of a request fails, the item still names every entry that must go, so the next
 * write or delete of the id (a client's retry) or a repair finishes the cleanup. A write that makes
 * an item live and a tombstone are committed with the collection's counter (`counted-writes.ts`).
 */
export interface ItemVersion {
  readonly codes: Uint32Array;
  readonly pending: Uint32Array[];
  readonly tombstone: boolean;
  readonly writeId: Uint8Array;
  /** The metadata version the item's filter index entries carry (absent: written before the filter index). */
  readonly filter?: FilterVersion;
  /** Earlier metadata versions whose filter index entries may still exist. */
  readonly pendingFilters: FilterVersion[];
}

/** Conditional writes of one id that lose a race are retried this often before answering 503. */
export const RACE_ATTEMPTS = 8;

/** Single-item writes of one request in flight at once. */
export const WRITE_CONCURRENCY = 32;

/** The version an item holds, from its attributes (absent: no item). */
export function versionOf(item: Item | undefined): ItemVersion | undefined {
  if (!item?.c?.B) return undefined;
  return {
    codes: bytesToCodes(item.c.B),
    pending: (item.o?.BS ?? []).map((b) => bytesToCodes(b)),
    tombstone: item.t !== undefined,
    writeId: item.w?.B ?? new Uint8Array(0),
    ...(item.f?.B ? { filter: currentFilterVersion(item) } : {}),
    pendingFilters: decodePending(item.q?.SS),
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
    return (await this.readAll([id])).get(id);
  }

  /** The current versions of those of `ids` that have an item (strongly consistent, batched). */
  async readAll(ids: readonly string[]): Promise<Map<string, ItemVersion>> {
    const found = await batchGetAll(
      this.client,
      ids.map((id) => ({ table: this.table, key: keyItem(vectorKey(this.config.uid, id)) })),
      { consistentRead: true, projection: { [this.table]: 'sk, c, o, t, w, f, m, q' } },
    );
    return new Map((found[this.table] ?? []).map((i) => [i.sk.S!, versionOf(i)!]));
  }

  /**
   * Writes each item over the version of its id read in `known` (absent: none), on condition that
   * it is still that version: over a live item a plain conditional Put; where no live item was
   * (none, or a tombstone) the write makes one live and is committed with the counter
   * (`writeCounted`). Items that lost a race are read again and written again.
   * @param items `layout.vectorItem`s with their write ids, and their codes
   * @returns per item: whether it became live (counted), and the codes and metadata versions whose
   *   entries are now stale (recorded in the new item's `o` and `q` until {@link settle})
   * @throws ServiceUnavailableError when an item lost every race; the counter's stale error
   */
  async writeAll(
    items: readonly { id: string; item: Item; codes: Uint32Array }[],
    known: Map<string, ItemVersion>,
    counter: VectorCounter,
  ): Promise<{ created: boolean; stale: Uint32Array[]; staleFilters: FilterVersion[] }[]> {
    const out = new Array<{ created: boolean; stale: Uint32Array[]; staleFilters: FilterVersion[] }>(items.length);
    let todo = items.map((_, i) => i);
    for (let attempt = 0; attempt < RACE_ATTEMPTS && todo.length > 0; attempt++) {
      const plans = todo.map((i) => ({ i, old: known.get(items[i].id), ...this.over(items[i].item, items[i].codes, known.get(items[i].id)) }));
      const lost: number[] = [];
      const replaces = plans.filter((p) => p.old && !p.old.tombstone);
      await mapLimit(replaces, WRITE_CONCURRENCY, async (p) => {
        if (await conditionHeld(this.client.send(new PutItemCommand(p.put)))) out[p.i] = { created: false, stale: p.stale, staleFilters: p.staleFilters };
        else lost.push(p.i);
      });
      const creates = plans.filter((p) => !p.old || p.old.tombstone);
      const landed = await writeCounted(this.client, creates.map((p) => ({ write: { Put: p.put }, delta: 1 })), counter);
      creates.forEach((p, j) => (landed[j] ? (out[p.i] = { created: true, stale: p.stale, staleFilters: p.staleFilters }) : lost.push(p.i)));
      todo = lost;
      if (todo.length > 0) known = await this.readAll(todo.map((i) => items[i].id));
    }
    if (todo.length > 0) throw new ServiceUnavailableError(`vector ${items[todo[0]].id} kept changing under concurrent writes; retry`);
    return out;
  }

  /** The conditional Put of `item` over the version `old` (absent: no item), and the codes and metadata versions it makes stale. */
  private over(item: Item, codes: Uint32Array, old: ItemVersion | undefined): { put: Put; stale: Uint32Array[]; staleFilters: FilterVersion[] } {
    const stale = old ? [...old.pending, old.codes].filter((c) => !sameCodes(c, codes)) : [];
    const unique = uniqueBlobs(stale.map(codesToBytes));
    const staleFilters = old ? staleVersions(old, item) : [];
    const put: Put = {
      TableName: this.table,
      Item: { ...item, ...(unique.length > 0 ? { o: { BS: unique } } : {}), ...pendingAttribute(staleFilters) },
      ...(old
        ? {
            ConditionExpression: `w = :w AND ${old.tombstone ? 'attribute_exists(t)' : 'attribute_not_exists(t)'}`,
            ExpressionAttributeValues: { ':w': { B: old.writeId } },
          }
        : { ConditionExpression: 'attribute_not_exists(pk)' }),
    };
    return { put, stale, staleFilters };
  }

  /**
   * Replaces the live item of `id` by `item` only if it still holds the version `read` (one
   * attempt, no re-read): for a write whose new item is derived from the one read (a metadata
   * update), which must start over when another write came first.
   * @param abandoned metadata versions whose entries earlier attempts of the same update wrote
   *   before losing their race: recorded as stale too, so that they go with the others
   * @returns the codes and metadata versions whose entries are now stale (recorded in `o` and `q`
   *   until {@link settle}), or undefined when the item changed or went since it was read
   */
  async replaceIfUnchanged(item: Item, codes: Uint32Array, read: ItemVersion, abandoned: readonly FilterVersion[] = []): Promise<{ stale: Uint32Array[]; staleFilters: FilterVersion[] } | undefined> {
    const stale = [...read.pending, read.codes].filter((c) => !sameCodes(c, codes));
    const unique = uniqueBlobs(stale.map(codesToBytes));
    const staleFilters = [...staleVersions(read, item), ...abandoned];
    const landed = await conditionHeld(
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...item, ...(unique.length > 0 ? { o: { BS: unique } } : {}), ...pendingAttribute(staleFilters) },
          ConditionExpression: 'w = :w AND attribute_not_exists(t)',
          ExpressionAttributeValues: { ':w': { B: read.writeId } },
        }),
      ),
    );
    return landed ? { stale, staleFilters } : undefined;
  }

  /** Clears the record of stale codes and metadata versions once their entries are deleted, unless a newer write replaced the item. */
  async settle(id: string, writeId: Uint8Array): Promise<void> {
    await conditionHeld(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: keyItem(vectorKey(this.config.uid, id)),
          UpdateExpression: 'REMOVE o, q',
          ConditionExpression: 'w = :w',
          ExpressionAttributeValues: { ':w': { B: writeId } },
        }),
      ),
    );
  }

  /**
   * Marks each of `ids` deleted (a tombstone that names its entries), each tombstone committed with
   * the counter's decrement (`writeCounted`); a tombstone left by a failed delete is taken over
   * (it was counted when it was set). Items that changed since they were read are read again.
   * @returns per id: undefined when there is no item; else whether this call made the tombstone,
   *   every code and metadata version whose entries must go, and the tombstone's write id for {@link remove}
   * @throws ServiceUnavailableError when an id lost every race; the counter's stale error
   */
  async tombstoneAll(ids: readonly string[], counter: VectorCounter): Promise<({ counted: boolean; codes: Uint32Array[]; filters: FilterVersion[]; writeId: Uint8Array } | undefined)[]> {
    const out = new Array<{ counted: boolean; codes: Uint32Array[]; filters: FilterVersion[]; writeId: Uint8Array } | undefined>(ids.length);
    let todo = ids.map((_, i) => i);
    for (let attempt = 0; attempt < RACE_ATTEMPTS && todo.length > 0; attempt++) {
      const known = await this.readAll(todo.map((i) => ids[i]));
      const live: { i: number; old: ItemVersion; writeId: Uint8Array }[] = [];
      for (const i of todo) {
        const old = known.get(ids[i]);
        if (!old) out[i] = undefined;
        else if (old.tombstone) out[i] = { counted: false, codes: [old.codes, ...old.pending], filters: filtersOf(old), writeId: old.writeId };
        else live.push({ i, old, writeId: newWriteId() });
      }
      const writes: CountedWrite[] = live.map(({ i, old, writeId }) => ({
        delta: -1,
        write: {
          Update: {
            TableName: this.table,
            Key: keyItem(vectorKey(this.config.uid, ids[i])),
            UpdateExpression: 'SET t = :t, w = :w',
            ConditionExpression: 'w = :old AND attribute_not_exists(t)',
            ExpressionAttributeValues: { ':t': { BOOL: true }, ':w': { B: writeId }, ':old': { B: old.writeId } },
          },
        },
      }));
      const landed = await writeCounted(this.client, writes, counter);
      todo = [];
      live.forEach(({ i, old, writeId }, j) => (landed[j] ? (out[i] = { counted: true, codes: [old.codes, ...old.pending], filters: filtersOf(old), writeId }) : todo.push(i)));
    }
    if (todo.length > 0) throw new ServiceUnavailableError(`vector ${ids[todo[0]]} kept changing under concurrent writes; retry`);
    return out;
  }

  /** Deletes a tombstoned item once its entries are gone, unless it was written again since. */
  async remove(id: string, writeId: Uint8Array): Promise<void> {
    await conditionHeld(
      this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: keyItem(vectorKey(this.config.uid, id)),
          ConditionExpression: 'w = :w AND attribute_exists(t)',
          ExpressionAttributeValues: { ':w': { B: writeId } },
        }),
      ),
    );
  }
}

/** Every metadata version of `v` whose filter index entries may exist: its current one and the pending ones. */
const filtersOf = (v: ItemVersion): FilterVersion[] => [...(v.filter ? [v.filter] : []), ...v.pendingFilters];

/** The metadata versions of `old` that `item` (with its version `f`) leaves stale. */
function staleVersions(old: ItemVersion, item: Item): FilterVersion[] {
  const keep = item.f?.B ? filterVersion(item.f.B) : undefined;
  return filtersOf(old).filter((v) => filterVersion(v.version) !== keep);
}

/** The `q` attribute that records `versions` (none when no version holds an indexed value). */
function pendingAttribute(versions: readonly FilterVersion[]): Item {
  const ss = encodePending(versions);
  return ss.length > 0 ? { q: { SS: ss } } : {};
}

function sameCodes(a: Uint32Array, b: Uint32Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function uniqueBlobs(blobs: Uint8Array[]): Uint8Array[] {
  const byKey = new Map(blobs.map((b) => [Buffer.from(b).toString('base64'), b]));
  return [...byKey.values()];
}
