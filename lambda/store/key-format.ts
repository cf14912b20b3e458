// Key formats of the three tables, built and parsed here only (see `table-definitions.ts` for the overview).
// Pure functions: no other module writes or reads a `P#`, `C#` or `N#` prefix by hand.
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
const COLLECTION_PREFIX = 'C#';
const COUNTER_PREFIX = 'N#';
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

/** Sort key of a bucket entry: the rest of the code (fixed width, order-preserving), then the id. */
export const bucketSortKey = (code: number, partitionBits: number, id: string) =>
  encodeFixed(codeRest(code, partitionBits), charsFor(CODE_BITS - partitionBits)) + id;

/** The id in a bucket sort key. */
export const idFromBucketSortKey = (sk: string, partitionBits: number) => sk.slice(charsFor(CODE_BITS - partitionBits));

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
