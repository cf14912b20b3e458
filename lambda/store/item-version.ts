// The version of one vector item, as the write protocol (`item-versions.ts`) reads and builds it: the
// entries it names, a write over it, the entries that go stale, and whether another write overtook one.
import { randomBytes } from 'node:crypto';
import { nonFilterableKeys, splitMetadata } from '../core/metadata';
import { CollectionConfig, Metadata } from '../core/types';
import { Item } from './batch';
import { currentFilterVersion, decodePending, filterEntryKeys, FilterVersion, filterVersionOf, staleFilterKeys } from './filter-index';
import { bucketVersion, BucketVersion, bucketVersionFromBytes, bucketVersionToBytes, bytesToCodes, EntryLayout, vectorItem, versionEntries, versionEntryKeys } from './layout';
import { payloadItem } from './payloads';
import { metadataJson } from './records';

/**
 * A vector item's attributes besides the vector (`layout.vectorItem`):
 * - `w`: the id of the write that made this version (random bytes);
 * - `f`: the version of what it holds (`filter-index.ts` `filterVersionOf`): its filter index
 *   entries carry it, and in bucket layout 2 its bucket entries carry its token (`entryToken`);
 * - `o`: binary set of bucket versions (`bucketVersionToBytes`: codes and token) of earlier
 *   versions, or of this write's attempts that lost a race, whose bucket entries may still exist;
 *   the writer removes it once it has deleted them;
 * - `p`: present when the version has a payload item of non-filterable metadata (`payloads.ts`);
 * - `q`: string set of earlier metadata versions whose filter index entries or payload items may
 *   still exist (`encodePending`), removed with `o`;
 * - `t`: present while the item is being deleted (a tombstone): readers treat it as absent, and
 *   its bucket entries (`c` and `o`), filter index entries and payloads (`f` and `q`) are deleted before the item.
 * Whatever step of a request fails, the item still names every entry that must go, so the next
 * write or delete of the id (a client's retry) or a repair finishes the cleanup. A write that makes
 * an item live and a tombstone are committed with the collection's counter (`counted-writes.ts`).
 */
export interface ItemVersion {
  readonly codes: Uint32Array;
  /** Its own bucket entries: its codes, and their token in bucket layout 2. */
  readonly entries: BucketVersion;
  readonly pending: BucketVersion[];
  readonly tombstone: boolean;
  readonly writeId: Uint8Array;
  /** The metadata version the item's filter index entries carry (absent: written before the filter index). */
  readonly filter?: FilterVersion;
  /** Earlier metadata versions whose filter index entries may still exist. */
  readonly pendingFilters: FilterVersion[];
}

/** What one attempt of a write puts for one id over the version it read. */
export interface VersionWrite {
  /** The vector item (`layout.vectorItem`, without `o` and `q`). */
  readonly item: Item;
  /** Its bucket entries' codes and token. */
  readonly bucket: BucketVersion;
  /** Its metadata version. */
  readonly filter: FilterVersion;
  /** Its bucket entries and filter index entries, written before the item. */
  readonly entries: Item[];
}

/**
 * The write of one vector over the item version whose write id is `replaced` (absent: no item):
 * its version (`filterVersionOf` of its whole metadata, `replaced` and its vector), its vector item
 * with a fresh write id and its filterable metadata, its bucket and filter index entries under
 * that version, and the payload item of its non-filterable metadata if it has any (`p` on the item).
 * @param v the vector's float32 bytes, its encoding's codes and packed sketch, its whole metadata (checked)
 */
export function versionWrite(
  config: CollectionConfig,
  id: string,
  v: { vectorBytes: Uint8Array; codes: Uint32Array; sketch: Uint8Array; metadata: Metadata },
  replaced: Uint8Array | undefined,
): VersionWrite {
  const { filterable, payload } = splitMetadata(v.metadata, nonFilterableKeys(config));
  const hasPayload = Object.keys(payload).length > 0;
  const meta = metadataJson(filterable);
  const filter: FilterVersion = { version: filterVersionOf(metadataJson(v.metadata), replaced, v.vectorBytes), metadata: filterable, ...(hasPayload ? { payload: true } : {}) };
  const bucket = bucketVersion(config, v.codes, filter.version);
  return {
    item: { ...vectorItem(config.uid, id, v.vectorBytes, v.codes, meta, newWriteId(), filter.version), ...(hasPayload ? { p: { BOOL: true } } : {}) },
    bucket,
    filter,
    entries: [
      ...versionEntries(config, bucket, id, v.sketch, meta),
      ...filterEntryKeys(config.uid, id, filter),
      ...(hasPayload ? [payloadItem(config.uid, id, filter.version, payload)] : []),
    ],
  };
}

/** Every entry an item version names: its own bucket and filter index entries and the pending ones (what a delete removes). */
export function everyEntry(v: ItemVersion): { versions: BucketVersion[]; filters: FilterVersion[] } {
  return { versions: [v.entries, ...v.pending], filters: [...(v.filter ? [v.filter] : []), ...v.pendingFilters] };
}

/** What a landed write left to delete: the entries of the versions it replaced and of its own lost attempts. */
export interface StaleEntries {
  readonly stale: BucketVersion[];
  readonly staleFilters: FilterVersion[];
}

/**
 * Whether a write that read the version `read` of an id, then lost its race, was overwritten by a
 * change readers could see: the id now holds a live version other than `read`, or `read` was live
 * and is now deleted or being deleted. Such a change landed after the write read `read`, within its
 * request, so the write may be ordered just before it (the Thomas write rule: Thomas, "A majority
 * consensus approach to concurrency control for multiple copy databases", ACM TODS 4(2), 1979) and
 * needs no retry. A tombstone that went meanwhile is no such change: no reader saw it.
 */
export function supersedes(now: ItemVersion | undefined, read: ItemVersion | undefined): boolean {
  const live = (v: ItemVersion | undefined): v is ItemVersion => v !== undefined && !v.tombstone;
  if (live(now)) return !live(read) || !Buffer.from(now.writeId).equals(read.writeId);
  return live(read);
}

/** The entries of a write's attempts that lost their race: all stale. */
export function staleAttempts(attempts: readonly VersionWrite[]): StaleEntries {
  return { stale: uniqueVersions(attempts.map((a) => a.bucket)), staleFilters: attempts.map((a) => a.filter) };
}

/** The version an item of a collection of `config` holds, from its attributes (absent: no item). */
export function versionOf(config: Pick<CollectionConfig, 'bucketLayout' | 'index'>, item: Item | undefined): ItemVersion | undefined {
  if (!item?.c?.B) return undefined;
  const codes = bytesToCodes(item.c.B);
  return {
    codes,
    entries: bucketVersion(config, codes, item.f?.B),
    pending: (item.o?.BS ?? []).map((b) => bucketVersionFromBytes(b, config)),
    tombstone: item.t !== undefined,
    writeId: item.w?.B ?? new Uint8Array(0),
    ...(item.f?.B ? { filter: currentFilterVersion(item) } : {}),
    pendingFilters: decodePending(item.q?.SS),
  };
}

/** A fresh write id. */
export const newWriteId = (): Uint8Array => randomBytes(8);

/**
 * The keys of the bucket entries of `id` that `versions` name and the filter index entries and
 * payload items of `filters`, except those of the current version `keep` (which an earlier version may share): the
 * entries that must go, each once.
 */
export function staleKeys(
  config: CollectionConfig & EntryLayout,
  id: string,
  versions: readonly BucketVersion[],
  filters: readonly FilterVersion[],
  keep?: { bucket?: BucketVersion; filter?: Uint8Array },
): Item[] {
  const named = (key: Item) => key.pk.S + '\u0000' + key.sk.S;
  // the current version's own entries stay, whichever earlier version shares them
  const seen = new Set(keep?.bucket ? versionEntryKeys(config, keep.bucket, id).map(named) : []);
  const keys: Item[] = [];
  for (const v of versions) {
    for (const key of versionEntryKeys(config, v, id)) {
      if (seen.has(named(key))) continue;
      seen.add(named(key));
      keys.push(key);
    }
  }
  return [...keys, ...staleFilterKeys(config.uid, id, filters, keep?.filter)];
}

/** Whether two bucket versions name the same entries. */
export const sameVersion = (a: BucketVersion, b: BucketVersion): boolean => a.token === b.token && a.codes.length === b.codes.length && a.codes.every((x, i) => x === b.codes[i]);

/** `versions` without repeats. */
export function uniqueVersions(versions: readonly BucketVersion[]): BucketVersion[] {
  const byKey = new Map(versions.map((v) => [Buffer.from(bucketVersionToBytes(v)).toString('base64'), v]));
  return [...byKey.values()];
}
