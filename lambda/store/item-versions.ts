// The per-vector write protocol that keeps bucket entries, filter index entries and vector items
// consistent under concurrent requests and failures: entries are keyed by the version that wrote
// them (`item-version.ts`), and a vector item records the versions whose entries are still to go.
import { DeleteItemCommand, DynamoDBClient, Put, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../core/concurrency';
import { ServiceUnavailableError } from '../core/errors';
import { CollectionConfig } from '../core/types';
import { backOff, batchGetAll, conditionHeld, DEFAULT_RETRY, deleteAll, Item, putAll } from './batch';
import { CountedWrite, VectorCounter, writeCounted } from './counted-writes';
import { encodePending, FilterVersion } from './filter-index';
import { filterVersion, vectorKey } from './key-format';
import { BucketVersion, bucketVersionToBytes, EntryLayout } from './layout';
import { everyEntry, ItemVersion, newWriteId, sameVersion, StaleEntries, staleAttempts, staleKeys, supersedes, uniqueVersions, versionOf, VersionWrite } from './item-version';
import { keyItem } from './records';
import { TableNames } from './table-definitions';

/** What `tombstoneAll` did for one id that has an item. */
export interface Tombstone {
  /** Whether this call set the tombstone (and decremented the counter). */
  readonly counted: boolean;
  /** The bucket versions and metadata versions whose entries must go. */
  readonly versions: BucketVersion[];
  readonly filters: FilterVersion[];
  /** The tombstone's write id, for `remove`; absent when another request's write overwrote the delete. */
  readonly writeId?: Uint8Array;
}

/** What `writeAll` did for one id: its write landed, or another request's overwrote it first. */
export interface WrittenVersion extends StaleEntries {
  /** Whether the write made the item live (committed with the counter). */
  readonly created: boolean;
  /** Its write (for an overwritten one, its last attempt). */
  readonly write: VersionWrite;
  /**
   * Present when another request's write or delete overwrote this one before it landed: that
   * request's version (its own entries, which the stale ones of this write may share; none for a
   * delete). The item is not this write's, so nothing is settled on it.
   */
  readonly superseded?: { readonly bucket?: BucketVersion; readonly filter?: Uint8Array };
}

/**
 * Conditional writes of one id that lose a race and must go again (a metadata update, which
 * derives from the item it read; a write whose item only finished its delete meanwhile) are
 * retried this often, each after a jittered backoff (`backOff`, `DEFAULT_RETRY`) so that the
 * writers who met go again apart, before answering 503. A write overwritten by another request's
 * ({@link supersedes}) is not retried.
 */
export const RACE_ATTEMPTS = 8;

/** Single-item writes of one request in flight at once. */
export const WRITE_CONCURRENCY = 32;

/** Reads and writes the versions of one collection's vector items, and writes their entries. */
export class ItemVersions {
  /** The entries this object has put, for a writer that must take them back. */
  readonly written: Item[] = [];

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: Pick<TableNames, 'vectors' | 'buckets'>,
    private readonly config: CollectionConfig & EntryLayout,
  ) {}

  /** The current version of `id` (strongly consistent; BatchGetItem, the read the write path is granted). */
  async read(id: string): Promise<ItemVersion | undefined> {
    return (await this.readAll([id])).get(id);
  }

  /** The current versions of those of `ids` that have an item (strongly consistent, batched). */
  async readAll(ids: readonly string[]): Promise<Map<string, ItemVersion>> {
    const found = await batchGetAll(
      this.client,
      ids.map((id) => ({ table: this.tables.vectors, key: keyItem(vectorKey(this.config.uid, id)) })),
      { consistentRead: true, projection: { [this.tables.vectors]: 'sk, c, o, t, w, f, m, p, q' } },
    );
    return new Map((found[this.tables.vectors] ?? []).map((i) => [i.sk.S!, versionOf(this.config, i)!]));
  }

  /**
   * Writes each of `ids` over the version it has now: reads the versions, `build`s each write over
   * the version read (its entries' version derives from it), puts the entries, then puts each item
   * on condition that the id still holds that version. Over a live item that is a plain
   * conditional Put; where no live item was (none, or a tombstone) the write makes one live and
   * is committed with the counter (`writeCounted`). An id whose item changed meanwhile is read
   * again. When another request's write or delete of the id became visible since this one read
   * it, that write came after this one's start, so this write is acknowledged as overwritten by it
   * ({@link supersedes}; the Thomas write rule): ordered just before it, it needs no retry, and
   * its entries are stale. Otherwise (a tombstone that went meanwhile, which no reader saw) it is
   * built again over the new version, so its entries never carry a version derived from one it did
   * not replace (another writer's cleanup of that version would delete them); the entries of the
   * lost attempt are recorded as stale in the next one.
   * @returns per id: whether it became live (counted), what it wrote, the entries now stale
   *   (recorded in the new item's `o` and `q` until {@link settle}), and, for a write overwritten
   *   by another, `superseded` with that one's version, whose entries its stale ones may share
   * @throws ServiceUnavailableError when an id lost every race; the counter's stale error
   */
  async writeAll(
    ids: readonly string[],
    build: (i: number, old: ItemVersion | undefined) => VersionWrite,
    counter: VectorCounter,
  ): Promise<WrittenVersion[]> {
    const out = new Array<WrittenVersion>(ids.length);
    const abandoned = ids.map((): VersionWrite[] => []);
    const lostTo = new Map<number, ItemVersion | undefined>();
    let todo = ids.map((_, i) => i);
    for (let attempt = 0; attempt < RACE_ATTEMPTS && todo.length > 0; attempt++) {
      if (attempt > 0) await backOff(attempt - 1, DEFAULT_RETRY);
      const known = await this.readAll(todo.map((i) => ids[i]));
      todo = todo.filter((i) => {
        const now = known.get(ids[i]);
        if (!lostTo.has(i) || !supersedes(now, lostTo.get(i))) return true;
        const last = abandoned[i][abandoned[i].length - 1];
        out[i] = { created: false, write: last, ...staleAttempts(abandoned[i]), superseded: now && !now.tombstone ? { bucket: now.entries, filter: now.filter?.version } : {} };
        return false;
      });
      const plans = todo.map((i) => {
        const old = known.get(ids[i]);
        const write = build(i, old);
        return { i, old, write, ...this.over(write, old, abandoned[i]) };
      });
      await this.putEntries(plans.flatMap((p) => p.write.entries));
      const lost: number[] = [];
      const replaces = plans.filter((p) => p.old && !p.old.tombstone);
      await mapLimit(replaces, WRITE_CONCURRENCY, async (p) => {
        if (await conditionHeld(this.client.send(new PutItemCommand(p.put)))) out[p.i] = { created: false, write: p.write, stale: p.stale, staleFilters: p.staleFilters };
        else lost.push(p.i);
      });
      const creates = plans.filter((p) => !p.old || p.old.tombstone);
      const landed = await writeCounted(this.client, creates.map((p) => ({ write: { Put: p.put }, delta: 1 })), counter);
      creates.forEach((p, j) => (landed[j] ? (out[p.i] = { created: true, write: p.write, stale: p.stale, staleFilters: p.staleFilters }) : lost.push(p.i)));
      const lostIds = new Set(lost);
      for (const p of plans) {
        if (!lostIds.has(p.i)) continue;
        abandoned[p.i].push(p.write);
        lostTo.set(p.i, p.old);
      }
      todo = lost;
    }
    if (todo.length > 0) throw new ServiceUnavailableError(`vector ${ids[todo[0]]} kept changing under concurrent writes; retry`);
    return out;
  }

  /**
   * Puts `write` over the live version `read` only if the id still holds it (one attempt, no
   * re-read): for a write derived from the item read (a metadata update), which must start over
   * when another write came first. Its entries are put first.
   * @param abandoned the earlier attempts of the same update, which lost their race: their entries
   *   are recorded as stale too, so that they go with the others
   * @returns the entries now stale (recorded in `o` and `q` until {@link settle}), or undefined when
   *   the item changed or went since it was read
   */
  async replaceIfUnchanged(write: VersionWrite, read: ItemVersion, abandoned: readonly VersionWrite[] = []): Promise<StaleEntries | undefined> {
    await this.putEntries(write.entries);
    const { put, stale, staleFilters } = this.over(write, read, abandoned);
    const landed = await conditionHeld(this.client.send(new PutItemCommand(put)));
    return landed ? { stale, staleFilters } : undefined;
  }

  private async putEntries(entries: readonly Item[]): Promise<void> {
    this.written.push(...entries);
    await putAll(this.client, this.tables.buckets, entries);
  }

  /** The conditional Put of `write` over the version `old` (absent: no item), and the entries it leaves stale: `old`'s and those of `abandoned` attempts. */
  private over(write: VersionWrite, old: ItemVersion | undefined, abandoned: readonly VersionWrite[]): { put: Put } & StaleEntries {
    const own = write.bucket;
    const stale = uniqueVersions([...(old ? [old.entries, ...old.pending] : []), ...abandoned.map((a) => a.bucket)]).filter((v) => !sameVersion(v, own));
    const keep = filterVersion(write.filter.version);
    const staleFilters = [...(old ? everyEntry(old).filters : []), ...abandoned.map((a) => a.filter)].filter((v) => filterVersion(v.version) !== keep);
    const put: Put = {
      TableName: this.tables.vectors,
      Item: { ...write.item, ...(stale.length > 0 ? { o: { BS: stale.map(bucketVersionToBytes) } } : {}), ...pendingAttribute(staleFilters) },
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
   * The second step of writes: deletes the entries each left stale (except those of the version
   * the id now holds: its own, or the overwriting request's, which a stale one may share), then
   * clears each landed item's record of them ({@link settle}). A reader in between sees a
   * duplicate entry at worst, and re-ranking uses the vector item, so never a stale vector; a
   * failure in between leaves the record, so a retry or a repair finishes.
   */
  async cleanUp(written: readonly Omit<WrittenVersion, 'created'>[]): Promise<void> {
    const idOf = (w: VersionWrite) => w.item.sk.S!;
    await deleteAll(
      this.client,
      this.tables.buckets,
      written.flatMap((l) => staleKeys(this.config, idOf(l.write), l.stale, l.staleFilters, l.superseded ?? { bucket: l.write.bucket, filter: l.write.filter.version })),
    );
    await mapLimit(
      written.filter((l) => !l.superseded && (l.stale.length > 0 || l.staleFilters.length > 0)),
      WRITE_CONCURRENCY,
      (l) => this.settle(idOf(l.write), l.write.item.w.B!),
    );
  }

  /** Clears the record of stale codes and metadata versions once their entries are deleted, unless a newer write replaced the item. */
  async settle(id: string, writeId: Uint8Array): Promise<void> {
    await conditionHeld(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.vectors,
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
   * (it was counted when it was set). Items that changed since they were read are read again; one
   * that another request wrote meanwhile ({@link supersedes}) overwrote this delete, which then
   * marks nothing.
   * @returns per id: undefined when there is no item; else whether this call made the tombstone,
   *   every bucket version and metadata version whose entries must go, and the tombstone's write id
   *   for {@link remove} (none when another write overwrote the delete)
   * @throws ServiceUnavailableError when an id lost every race; the counter's stale error
   */
  async tombstoneAll(ids: readonly string[], counter: VectorCounter): Promise<(Tombstone | undefined)[]> {
    const out = new Array<Tombstone | undefined>(ids.length);
    const lostTo = new Map<number, ItemVersion>();
    let todo = ids.map((_, i) => i);
    for (let attempt = 0; attempt < RACE_ATTEMPTS && todo.length > 0; attempt++) {
      if (attempt > 0) await backOff(attempt - 1, DEFAULT_RETRY);
      const known = await this.readAll(todo.map((i) => ids[i]));
      const live: { i: number; old: ItemVersion; writeId: Uint8Array }[] = [];
      for (const i of todo) {
        const old = known.get(ids[i]);
        if (!old) out[i] = undefined;
        else if (old.tombstone) out[i] = { counted: false, ...everyEntry(old), writeId: old.writeId };
        else if (lostTo.has(i) && supersedes(old, lostTo.get(i))) out[i] = { counted: false, versions: [], filters: [] };
        else live.push({ i, old, writeId: newWriteId() });
      }
      const writes: CountedWrite[] = live.map(({ i, old, writeId }) => ({
        delta: -1,
        write: {
          Update: {
            TableName: this.tables.vectors,
            Key: keyItem(vectorKey(this.config.uid, ids[i])),
            UpdateExpression: 'SET t = :t, w = :w',
            ConditionExpression: 'w = :old AND attribute_not_exists(t)',
            ExpressionAttributeValues: { ':t': { BOOL: true }, ':w': { B: writeId }, ':old': { B: old.writeId } },
          },
        },
      }));
      const landed = await writeCounted(this.client, writes, counter);
      todo = [];
      live.forEach(({ i, old, writeId }, j) => {
        if (landed[j]) out[i] = { counted: true, ...everyEntry(old), writeId };
        else {
          todo.push(i);
          lostTo.set(i, old);
        }
      });
    }
    if (todo.length > 0) throw new ServiceUnavailableError(`vector ${ids[todo[0]]} kept changing under concurrent writes; retry`);
    return out;
  }

  /** Deletes a tombstoned item once its entries are gone, unless it was written again since. */
  async remove(id: string, writeId: Uint8Array): Promise<void> {
    await conditionHeld(
      this.client.send(
        new DeleteItemCommand({
          TableName: this.tables.vectors,
          Key: keyItem(vectorKey(this.config.uid, id)),
          ConditionExpression: 'w = :w AND attribute_exists(t)',
          ExpressionAttributeValues: { ':w': { B: writeId } },
        }),
      ),
    );
  }
}

/** The `q` attribute that records `versions` (none when no version holds an indexed value). */
function pendingAttribute(versions: readonly FilterVersion[]): Item {
  const ss = encodePending(versions);
  return ss.length > 0 ? { q: { SS: ss } } : {};
}
