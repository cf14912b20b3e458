// The filter index in the buckets table: the entries of one version of a vector's metadata, the
// record of versions whose entries are still to go, and the bounded reads of a query's terms.
import { DynamoDBClient, QueryCommand, QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { IndexTerm, indexedValues } from '../core/filter-index';
import { MAX_FILTER_INDEX_MATCHES } from '../core/limits';
import { Metadata } from '../core/types';
import { CapacityMeter, Item } from './batch';
import { filterNumberRange, filterPartition, filterSortKey, filterValuePrefix, filterVersion, idFromFilterSortKey, numberPrefixLength, payloadKey } from './key-format';
import { keyItem } from './records';

/**
 * One version of a vector's metadata as the filter index holds it: its entries' sort keys end
 * with `version` (`filterSortKey`). A vector item names its current version (`f`, with its
 * metadata `m`) and the earlier ones whose entries may still exist (`q`, {@link encodePending}).
 */
export interface FilterVersion {
  readonly version: Uint8Array;
  /** Its filterable metadata. */
  readonly metadata: Metadata;
  /** Whether it has a payload item of non-filterable metadata (`payloads.ts`), keyed by `version` too. */
  readonly payload?: boolean;
}

/** Bytes of a filter version. */
export const FILTER_VERSION_BYTES = 8;

/**
 * The version of what a write puts over the item version `replaced` (its `w`; absent when the id
 * has no item): a hash of its metadata, of `replaced` and of its vector (`vectorBytes`, absent for
 * items indexed by a repair). It versions the item's filter index entries and, through its token
 * (`key-format.ts` `entryToken`), its bucket entries. A retry of a write that failed before its
 * item landed reads the same item, so it derives the same version and rewrites the same entries
 * (no orphan); two writes that replace different item versions, or put different content, get
 * different versions, so the cleanup of one never deletes an entry the other still needs.
 */
export function filterVersionOf(metadataJson: string | undefined, replaced: Uint8Array | undefined, vectorBytes?: Uint8Array): Uint8Array {
  const h = createHash('sha256').update(metadataJson ?? '', 'utf8').update('\u0000');
  if (replaced) h.update(replaced);
  if (vectorBytes) h.update('\u0000').update(vectorBytes);
  return new Uint8Array(h.digest().subarray(0, FILTER_VERSION_BYTES));
}

/** The keys of the filter entries of one metadata version of `id` (one per indexed value). */
export function filterEntryKeys(uid: string, id: string, v: FilterVersion): Item[] {
  return indexedValues(v.metadata).map(([key, value]) => ({ pk: { S: filterPartition(uid, key) }, sk: { S: filterSortKey(key, value, id, v.version) } }));
}

/** The keys of what one metadata version of `id` put besides its bucket entries: its filter index entries and its payload item, if it has one. */
export function metadataEntryKeys(uid: string, id: string, v: FilterVersion): Item[] {
  return [...filterEntryKeys(uid, id, v), ...(v.payload ? [keyItem(payloadKey(uid, id, v.version))] : [])];
}

/**
 * The keys of the filter index entries and payload items of `versions` (`metadataEntryKeys`)
 * except those of the version `keep` (the item's current one, which an earlier version may share
 * when two writes derived it from the same item), each once.
 */
export function staleFilterKeys(uid: string, id: string, versions: readonly FilterVersion[], keep?: Uint8Array): Item[] {
  const keepText = keep ? filterVersion(keep) : undefined;
  const seen = new Set<string>();
  const keys: Item[] = [];
  for (const v of versions) {
    if (filterVersion(v.version) === keepText) continue;
    for (const k of metadataEntryKeys(uid, id, v)) {
      const text = `${k.pk.S} ${k.sk.S}`;
      if (seen.has(text)) continue;
      seen.add(text);
      keys.push(k);
    }
  }
  return keys;
}

/**
 * Versions as a vector item's `q` (a string set) holds them: `<version, 11 characters>[+]<metadata
 * JSON>`, `+` when the version has a payload item; versions with neither indexed values nor a
 * payload have nothing to delete and are left out.
 */
export function encodePending(versions: readonly FilterVersion[]): string[] {
  const byVersion = new Map<string, string>();
  for (const v of versions) {
    if (indexedValues(v.metadata).length > 0 || v.payload) byVersion.set(filterVersion(v.version), (v.payload ? PAYLOAD_MARK : '') + JSON.stringify(v.metadata));
  }
  return [...byVersion].map(([version, rest]) => version + rest);
}

/** Marks a pending version that has a payload item (a metadata JSON starts with `{`). */
const PAYLOAD_MARK = '+';

/** Versions back from a vector item's `q` ({@link encodePending}). */
export function decodePending(ss: readonly string[] | undefined): FilterVersion[] {
  return (ss ?? []).map((s) => {
    const payload = s[11] === PAYLOAD_MARK;
    return { version: new Uint8Array(Buffer.from(s.slice(0, 11), 'base64url')), metadata: JSON.parse(s.slice(payload ? 12 : 11)) as Metadata, ...(payload ? { payload } : {}) };
  });
}

/** The current filter version of a vector item (`f`, its filterable metadata `m`, and `p` when it has a payload); undefined for an item written before the filter index. */
export function currentFilterVersion(item: Item): FilterVersion | undefined {
  if (!item.f?.B) return undefined;
  return { version: item.f.B, metadata: item.m?.S ? (JSON.parse(item.m.S) as Metadata) : {}, ...(item.p ? { payload: true } : {}) };
}

/** What the reads of one term found. */
export interface TermMatches {
  /** Distinct ids of the entries read (some may no longer match: the query checks each vector). */
  readonly ids: Set<string>;
  /** Whether every entry of the term was read (at most `MAX_FILTER_INDEX_MATCHES` distinct ids, no page left). */
  readonly complete: boolean;
  /** Query calls made. */
  readonly reads: number;
  readonly entriesRead: number;
}

/**
 * Reads one term's entries from the filter index, each Query at most `MAX_FILTER_INDEX_MATCHES`
 * + 1 entries (eventually consistent, as the bucket reads), the values of a term in parallel.
 */
export async function readTerm(client: DynamoDBClient, table: string, uid: string, term: IndexTerm, meter: CapacityMeter): Promise<TermMatches> {
  const limit = MAX_FILTER_INDEX_MATCHES + 1;
  const query = async (pk: string, condition: string, values: Item, prefixLength: number) => {
    const page: QueryCommandOutput = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: `pk = :pk AND ${condition}`,
        ExpressionAttributeValues: { ':pk': { S: pk }, ...values },
        ProjectionExpression: 'sk',
        Limit: limit,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    meter.add(page.ConsumedCapacity);
    const items = page.Items ?? [];
    return { ids: items.map((i) => idFromFilterSortKey(i.sk.S!, prefixLength)), more: page.LastEvaluatedKey !== undefined };
  };
  const pk = filterPartition(uid, term.key);
  let pages: { ids: string[]; more: boolean }[];
  if ('values' in term) {
    pages = await Promise.all(
      term.values.map((v) => {
        const prefix = filterValuePrefix(term.key, v);
        return query(pk, 'begins_with(sk, :p)', { ':p': { S: prefix } }, prefix.length);
      }),
    );
  } else {
    const { lower, upper } = filterNumberRange(term.key, term.lower, term.upper);
    // bounds that exclude each other ($gt 5 with $lt 5) match nothing; DynamoDB refuses such a BETWEEN
    pages = lower > upper ? [] : [await query(pk, 'sk BETWEEN :lo AND :hi', { ':lo': { S: lower }, ':hi': { S: upper } }, numberPrefixLength(term.key))];
  }
  const ids = new Set(pages.flatMap((p) => p.ids));
  return {
    ids,
    complete: ids.size <= MAX_FILTER_INDEX_MATCHES && pages.every((p) => !p.more),
    reads: pages.length,
    entriesRead: pages.reduce((s, p) => s + p.ids.length, 0),
  };
}
