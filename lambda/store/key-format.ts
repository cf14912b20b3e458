// Key formats of the three tables, built and parsed here only (see `table-definitions.ts` for the overview).
// Pure functions: no other module writes or reads a `P#`, `C#`, `N#` or `F#` prefix by hand.
import { createHash } from 'node:crypto';
import { CODE_BITS } from '../core/params';

/** Vectors of one collection are spread over this many partition keys by a hash of the id. */
export const VECTOR_SHARDS = 16;

/** A key of the metadata table. */
export interface MetadataKey {
  readonly pk: string;
  readonly sk: string;
}

/** The partition of a project: its item, its collections, their counters and its API keys. */
export const projectPartition = (projectId: string) => `P#${projectId}`;
export const projectKey = (projectId: string): MetadataKey => ({ pk: projectPartition(projectId), sk: 'PROJECT' });
/** The partition that lists every project, one item each, so projects can be listed with one Query. */
export const PROJECT_REGISTRY = 'PROJECTS';
export const projectRegistryKey = (projectId: string): MetadataKey => ({ pk: PROJECT_REGISTRY, sk: projectId });
export const COLLECTION_PREFIX = 'C#';
export const COUNTER_PREFIX = 'N#';
const API_KEY_PREFIX = 'K#';
export const collectionKey = (projectId: string, name: string): MetadataKey => ({ pk: projectPartition(projectId), sk: `${COLLECTION_PREFIX}${name}` });
/** The collection's vector count, a separate small item so that counting never rewrites the config. */
export const counterKey = (projectId: string, name: string): MetadataKey => ({ pk: projectPartition(projectId), sk: `${COUNTER_PREFIX}${name}` });
export const apiKeyKey = (apiKeyId: string): MetadataKey => ({ pk: `${API_KEY_PREFIX}${apiKeyId}`, sk: 'KEY' });
/** Sort-key prefix of a project's API keys within its partition. */
export const PROJECT_API_KEY_PREFIX = API_KEY_PREFIX;
export const projectApiKeyKey = (projectId: string, apiKeyId: string): MetadataKey => ({ pk: projectPartition(projectId), sk: `${API_KEY_PREFIX}${apiKeyId}` });
/** The partition of dropped collections whose items still await the purge, one item per uid. */
export const DROPPED = 'DROPPED';
export const droppedKey = (uid: string): MetadataKey => ({ pk: DROPPED, sk: uid });

/** The claim of a collection uid, written when the collection is created and kept, so no uid is ever used twice. */
export const uidClaimKey = (uid: string): MetadataKey => ({ pk: 'UIDS', sk: uid });

/** The project id of a project item's partition key (`projectKey`). */
export const projectIdOf = (pk: string): string => pk.slice('P#'.length);

/** What an item of a project's partition is, by its sort key: a collection's config, its counter, or neither. */
export function projectItemOf(sk: string): { readonly kind: 'collection' | 'counter'; readonly name: string } | undefined {
  if (sk.startsWith(COLLECTION_PREFIX)) return { kind: 'collection', name: sk.slice(COLLECTION_PREFIX.length) };
  if (sk.startsWith(COUNTER_PREFIX)) return { kind: 'counter', name: sk.slice(COUNTER_PREFIX.length) };
  return undefined;
}

/** FNV-1a, 32 bits, over the UTF-16 code units of `s`. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const vectorShard = (id: string) => fnv1a(id) % VECTOR_SHARDS;
export const vectorPartition = (uid: string, shard: number) => `${uid}#${shard}`;
export const vectorKey = (uid: string, id: string) => ({ pk: vectorPartition(uid, vectorShard(id)), sk: id });

/**
 * 64 URL-safe characters in ascending UTF-8 byte order, so that fixed-width strings of them
 * sort (DynamoDB compares string sort keys byte by byte) as the numbers they encode.
 */
export const KEY_DIGITS = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';

/** `value` (0 <= value < 64^chars) as `chars` digits of KEY_DIGITS, most significant first. */
export function encodeFixed(value: number, chars: number): string {
  let s = '';
  for (let i = chars - 1; i >= 0; i--) s += KEY_DIGITS[Math.floor(value / 64 ** i) % 64];
  return s;
}

/** Characters that hold `bits` bits (6 per character). */
const charsFor = (bits: number) => Math.ceil(bits / 6);

/**
 * Partition key of a bucket entry: collection uid (8 characters), hash table (1 character), the
 * code's leading `partitionBits` bits (up to 2 characters). Fixed widths, no separators: every
 * byte of a bucket entry is read back by every query that reaches it.
 */
export const bucketPartition = (uid: string, table: number, code: number, partitionBits: number) =>
  `${uid}${KEY_DIGITS[table]}${encodeFixed(code >>> (CODE_BITS - partitionBits), charsFor(partitionBits))}`;

/** The code's bits after the partition bits, as a number. */
const codeRest = (code: number, partitionBits: number) => (partitionBits === 0 ? code : code & (2 ** (CODE_BITS - partitionBits) - 1));

/** Characters of a bucket entry's version token (`entryToken`). */
export const ENTRY_TOKEN_CHARS = 4;

/**
 * The token of an item version (its metadata version, `filter-index.ts` `filterVersionOf`) in the
 * sort keys of its bucket entries: 24 bits, base64url. Two versions of one id share a token only
 * when both were written over the same item with the same vector and metadata (their entries are
 * then the same), or by chance (1 in 2^24 per code they share; a repair restores what that loses).
 */
export const entryToken = (version: Uint8Array) => Buffer.from(version.subarray(0, 3)).toString('base64url');

/**
 * Sort key of a bucket entry: the rest of the code (fixed width, order-preserving), the version
 * token of the item version that wrote it (bucket layout 2; absent in layout 1), then the id. With
 * the token, a write that deletes the entries of the version it replaced names exactly those,
 * never the same (code, id) that a concurrent write of another version has just written.
 */
export const bucketSortKey = (code: number, partitionBits: number, id: string, token = '') =>
  encodeFixed(codeRest(code, partitionBits), charsFor(CODE_BITS - partitionBits)) + token + id;

/** The id in a bucket sort key (`tokened`: the collection's layout puts version tokens in its keys). */
export const idFromBucketSortKey = (sk: string, partitionBits: number, tokened: boolean) =>
  sk.slice(charsFor(CODE_BITS - partitionBits) + (tokened ? ENTRY_TOKEN_CHARS : 0));

/**
 * The sort-key range of the bucket of `depth` bits that holds `code`, within its partition:
 * every entry whose code shares the leading `depth` bits has `lower <= sk <= upper` (BETWEEN),
 * and no other entry does, because a sort key is the fixed-width code followed by a non-empty id
 * (an entry of the next code sorts after the bare `upper`). `upper` is absent when the bucket
 * runs to the partition's end; both are absent when the bucket is the whole partition.
 */
export function bucketRange(code: number, partitionBits: number, depth: number): { lower?: string; upper?: string } {
  const restBits = CODE_BITS - partitionBits;
  const free = CODE_BITS - Math.max(depth, partitionBits); // rest bits the bucket leaves open
  if (free >= restBits) return {};
  const chars = charsFor(restBits);
  const lo = Math.floor(codeRest(code, partitionBits) / 2 ** free) * 2 ** free;
  const next = lo + 2 ** free;
  return next >= 2 ** restBits ? { lower: encodeFixed(lo, chars) } : { lower: encodeFixed(lo, chars), upper: encodeFixed(next, chars) };
}

/** Every partition key of a collection in both data tables, for the purge. */
export function allPartitions(uid: string, hashTables: number, partitionBits: number): { vectors: string[]; buckets: string[] } {
  const vectors = Array.from({ length: VECTOR_SHARDS }, (_, s) => vectorPartition(uid, s));
  const buckets: string[] = [];
  for (let t = 0; t < hashTables; t++) {
    for (let p = 0; p < 2 ** partitionBits; p++) {
      buckets.push(bucketPartition(uid, t, (p << (CODE_BITS - partitionBits)) >>> 0, partitionBits));
    }
  }
  return { vectors, buckets };
}

/** Characters of a list number in keys (bucket layout 3): up to 64^3 lists. */
const LIST_CHARS = 3;

/** The most lists a collection in bucket layout 3 can have: list numbers in keys have `LIST_CHARS` digits. */
export const MAX_LISTS = 64 ** LIST_CHARS;

/**
 * Partition key of one k-means list (bucket layout 3): collection uid, `z` (the last of
 * KEY_DIGITS, a hash table number no collection reaches: at most 32), the list number (3
 * characters). Every entry of a list shares it, so a query reads a list with one Query.
 */
export const listPartition = (uid: string, list: number) => `${uid}${KEY_DIGITS[63]}${encodeFixed(list, LIST_CHARS)}`;

/** Every list partition of a collection with `lists` lists, for the purge and the repair. */
export const allListPartitions = (uid: string, lists: number): string[] => Array.from({ length: lists }, (_, l) => listPartition(uid, l));

/** Sort key of a list entry: the version token of the item version that wrote it (`entryToken`), then the id. */
export const listSortKey = (id: string, token: string) => token + id;

/** The id in a list entry's sort key (`listSortKey`). */
export const idFromListSortKey = (sk: string) => sk.slice(ENTRY_TOKEN_CHARS);

/** Characters of a centroid set version in a centroid item's sort key. */
const SET_VERSION_CHARS = 4;

/**
 * Partition (in the metadata table) of a collection's centroid items (bucket layout 3), one per
 * list and centroid set version that changed it: `L#<uid>`, read whole with one Query.
 */
export const centroidPartition = (uid: string) => `L#${uid}`;

/** Key of the centroid of list `list` as centroid set `version` set it: sorted by version, then list. */
export const centroidKey = (uid: string, version: number, list: number): MetadataKey => ({
  pk: centroidPartition(uid),
  sk: encodeFixed(version, SET_VERSION_CHARS) + encodeFixed(list, LIST_CHARS),
});

/**
 * Key (in the metadata table) of a collection's calibration window (bucket layout 3): the latest
 * calibration queries of its nprobe, from every instance. A partition of its own, `W#<uid>`, so
 * that no Query of the centroid items reads it.
 */
export const calibrationWindowKey = (uid: string): MetadataKey => ({ pk: calibrationWindowPartition(uid), sk: 'W' });

/** Partition of a collection's calibration window item (`calibrationWindowKey`), for the purge. */
export const calibrationWindowPartition = (uid: string) => `W#${uid}`;

/** The first sort key of the centroid items of versions after `version` (a Query from it reads only those). */
export const centroidsAfter = (version: number): string => encodeFixed(version + 1, SET_VERSION_CHARS);

/** The set version and list of a centroid item's sort key (`centroidKey`). */
export function centroidOfSortKey(sk: string): { version: number; list: number } {
  const digits = (s: string) => [...s].reduce((v, c) => v * 64 + KEY_DIGITS.indexOf(c), 0);
  return { version: digits(sk.slice(0, SET_VERSION_CHARS)), list: digits(sk.slice(SET_VERSION_CHARS)) };
}

/**
 * Partitions of a collection's filter index in the buckets table, by a hash of the metadata key:
 * few enough for the purge and the repair to enumerate a uid's, and spread so that one key's
 * entries do not share a partition with every other key's.
 */
export const FILTER_PARTITIONS = 16;
const FILTER_PREFIX = 'F#';

/**
 * Partition key of the filter index entries of metadata key `key`: `F#<uid>#<fnv1a(key) mod
 * FILTER_PARTITIONS>`. No bucket partition starts with it (a uid has no `#`).
 */
export const filterPartition = (uid: string, key: string) => `${FILTER_PREFIX}${uid}#${fnv1a(key) % FILTER_PARTITIONS}`;

/** Every filter index partition of a collection, for the purge and the repair. */
export const allFilterPartitions = (uid: string): string[] => Array.from({ length: FILTER_PARTITIONS }, (_, h) => `${FILTER_PREFIX}${uid}#${h}`);

/** Whether a buckets-table partition key is a filter index partition of `uid`. */
export const isFilterPartitionOf = (pk: string, uid: string) => pk.startsWith(`${FILTER_PREFIX}${uid}#`);

const PAYLOAD_PREFIX = 'M#';

/**
 * Key of the non-filterable metadata (payload) of one version of vector `id`: partition
 * `M#<uid>#<shard>` (the vector item's shard, so a collection's payloads spread as its vector
 * items do), sort key `<id>\0<version>` (`filterVersion`), so that no write ever deletes the
 * payload another version wrote.
 */
export const payloadKey = (uid: string, id: string, version: Uint8Array) => ({ pk: `${PAYLOAD_PREFIX}${uid}#${vectorShard(id)}`, sk: `${id}\u0000${filterVersion(version)}` });

/** Every payload partition of a collection, for the purge and the repair. */
export const allPayloadPartitions = (uid: string): string[] => Array.from({ length: VECTOR_SHARDS }, (_, s) => `${PAYLOAD_PREFIX}${uid}#${s}`);

/** The id and version of a payload sort key (`payloadKey`). */
export const payloadOfSortKey = (sk: string): { id: string; version: string } => ({ id: sk.slice(0, sk.length - VERSION_CHARS - 1), version: sk.slice(sk.length - VERSION_CHARS) });

/**
 * `n` as 11 characters of KEY_DIGITS that sort as the numbers do: the float64's bits, sign bit
 * flipped for positives and all bits flipped for negatives (so larger magnitudes of negatives sort
 * first), big-endian. -0 is 0 (a filter's `$eq: 0` matches both).
 */
export function encodeNumberKey(n: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n === 0 ? 0 : n);
  let hi = view.getUint32(0);
  let lo = view.getUint32(4);
  if (hi & 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else {
    hi = (hi | 0x80000000) >>> 0;
  }
  // 64 bits as 34 + 30: six digits hold the high word and two bits of the low, five the rest
  return encodeFixed(hi * 4 + (lo >>> 30), 6) + encodeFixed(lo & 0x3fffffff, 5);
}

/** Characters of `encodeNumberKey`. */
const NUMBER_KEY_CHARS = 11;

/**
 * Longest string value (UTF-8 bytes) kept as itself in a filter sort key; a longer one is kept as
 * its SHA-256, so that key (64 characters, at most 192 bytes), value, id (`MAX_ID_BYTES`) and
 * version stay within DynamoDB's 1,024-byte sort key. Only equality is looked up on strings.
 */
const VERBATIM_STRING_BYTES = 256;

/** A value's code in a filter sort key: a type tag (`b`, `n`, `s`, or `h` for a hashed long string), then the value. */
function valueCode(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'b1' : 'b0';
  if (typeof v === 'number') return 'n' + encodeNumberKey(v);
  return Buffer.byteLength(v, 'utf8') <= VERBATIM_STRING_BYTES ? 's' + v : 'h' + createHash('sha256').update(v, 'utf8').digest('base64url');
}

/**
 * The sort-key prefix of every filter entry of `key` = `v`: `<key>\0<code>\0`. A key or string
 * value holding `\0` may make another key's entries share a prefix: a read then returns more
 * entries than match, never fewer, and a query checks the full filter on each vector.
 */
export const filterValuePrefix = (key: string, v: string | number | boolean) => `${key}\u0000${valueCode(v)}\u0000`;

/** Characters of an entry's version (`filterVersion`), at the end of its sort key. */
const VERSION_CHARS = 11;

/** A write id (8 bytes) as the 11 characters that end a filter sort key. */
export const filterVersion = (writeId: Uint8Array) => Buffer.from(writeId).toString('base64url');

/**
 * Sort key of one filter entry: the value's prefix, the vector's id, `\0`, and the version of the
 * item's metadata that holds the value (`filterVersion`), so that no write ever deletes an entry
 * another version wrote.
 */
export const filterSortKey = (key: string, v: string | number | boolean, id: string, writeId: Uint8Array) =>
  `${filterValuePrefix(key, v)}${id}\u0000${filterVersion(writeId)}`;

/** The id in a filter sort key read under a prefix of `prefixLength` characters (a value's, or a numeric range's). */
export const idFromFilterSortKey = (sk: string, prefixLength: number) => sk.slice(prefixLength, sk.length - VERSION_CHARS - 1);

/** Characters of the prefix of every numeric entry of `key` (`<key>\0n<11 digits>\0`). */
export const numberPrefixLength = (key: string) => key.length + 3 + NUMBER_KEY_CHARS;

/**
 * The sort-key range (BETWEEN, inclusive) of `key`'s numeric entries within the bounds: the
 * entries of a value sit just after its bare code (`<code>\0...`), so an inclusive lower bound
 * starts at the code and an exclusive one after `<code>\u0001`; likewise above.
 */
export function filterNumberRange(key: string, lower?: { value: number; inclusive: boolean }, upper?: { value: number; inclusive: boolean }): { lower: string; upper: string } {
  const base = `${key}\u0000n`;
  return {
    lower: lower ? base + encodeNumberKey(lower.value) + (lower.inclusive ? '' : '\u0001') : base,
    upper: upper ? base + encodeNumberKey(upper.value) + (upper.inclusive ? '\u0001' : '') : `${key}\u0000o`,
  };
}
