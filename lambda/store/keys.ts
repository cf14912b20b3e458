import { CODE_BITS } from '../core/params';
import { codePrefix } from '../core/lsh';

/**
 * Key formats of the three tables (see `schema.ts` for the overview). Pure functions.
 */

/** Vectors of one collection are spread over this many partition keys by a hash of the id. */
export const VECTOR_SHARDS = 16;

export const projectKey = (projectId: string) => ({ pk: `P#${projectId}`, sk: 'PROJECT' });
/** One item per project under a single key, so projects can be listed with one Query. */
export const projectRegistryKey = (projectId: string) => ({ pk: 'PROJECTS', sk: projectId });
export const collectionKey = (projectId: string, name: string) => ({ pk: `P#${projectId}`, sk: `C#${name}` });
/** The collection's vector count, a separate small item so that counting never rewrites the config. */
export const counterKey = (projectId: string, name: string) => ({ pk: `P#${projectId}`, sk: `N#${name}` });
export const apiKeyKey = (apiKeyId: string) => ({ pk: `K#${apiKeyId}`, sk: 'KEY' });
export const projectApiKeyKey = (projectId: string, apiKeyId: string) => ({ pk: `P#${projectId}`, sk: `K#${apiKeyId}` });
/** Dropped collections whose items still await the purge. */
export const droppedKey = (uid: string) => ({ pk: 'DROPPED', sk: uid });

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

/** Partition key of a bucket entry: collection, hash table, the code's leading `partitionBits` bits. */
export const bucketPartition = (uid: string, table: number, code: number, partitionBits: number) =>
  `${uid}#${table}#${codePrefix(code, 0, partitionBits)}`;

/** Sort key of a bucket entry: the rest of the code, then the id. */
export const bucketSortKey = (code: number, partitionBits: number, id: string) => `${codePrefix(code, partitionBits, CODE_BITS)}#${id}`;

/** Sort-key prefix that selects a bucket of `depth` bits within its partition. */
export const bucketSortPrefix = (code: number, partitionBits: number, depth: number) => codePrefix(code, partitionBits, depth);

/** The id in a bucket sort key. */
export const idFromBucketSortKey = (sk: string, partitionBits: number) => sk.slice(CODE_BITS - partitionBits + 1);

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
