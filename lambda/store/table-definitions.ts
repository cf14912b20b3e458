// The three DynamoDB tables (metadata, vectors, buckets): their keys, default names, and their names from the
// environment or a prefix.
/**
 * The three DynamoDB tables, defined once: the CDK construct (`lib/construct/`) and the local tables
 * (`lambda/store/local-tables.ts`) are both built from these definitions.
 *
 * Every table has a string partition key `pk` and a string sort key `sk`; no indexes.
 *
 * | table     | pk                                   | sk                         | one item per          |
 * |-----------|--------------------------------------|----------------------------|-----------------------|
 * | metadata  | `P#<projectId>`                      | `PROJECT`, `C#<name>`, `N#<name>`, `K#<apiKeyId>` | project, collection, vector count, key of the project |
 * | metadata  | `PROJECTS`                           | `<projectId>`              | project (registry)    |
 * | metadata  | `K#<apiKeyId>`                       | `KEY`                      | API key binding       |
 * | metadata  | `DROPPED`                            | `<uid>`                    | dropped collection awaiting purge |
 * | metadata  | `L#<uid>`                            | `<set version><list>`      | centroid of a k-means list, per version that set it (bucket layout 3) |
 * | metadata  | `W#<uid>`                            | `W`                        | calibration window of a collection's nprobe: its latest wide queries (bucket layout 3) |
 * | vectors   | `<uid>#<shard>` (shard = hash(id) mod 16) | `<id>`                | vector                |
 * | buckets   | `<uid><table><leading code bits>` (fixed widths) | `<remaining code bits><version token><id>` (no token in bucket layout 1) | (vector, hash table) |
 * | buckets   | `<uid>z<list>` (fixed widths)        | `<version token><id>`      | vector, in its k-means list (bucket layout 3) |
 * | buckets   | `F#<uid>#<hash(key) mod 16>`        | `<key>\0<type><value>\0<id>\0<version>` | (vector, metadata value): the filter index |
 *
 * `uid` is a collection's 8-character random id; bucket keys encode table and code bits in
 * order-preserving base-64 digits (`key-format.ts`).
 */

export type TableRole = 'metadata' | 'vectors' | 'buckets';

export interface TableDefinition {
  readonly role: TableRole;
  /** Default physical name suffix; deployed names are CloudFormation-generated. */
  readonly defaultName: string;
  readonly partitionKey: { readonly name: string; readonly type: 'S' };
  readonly sortKey: { readonly name: string; readonly type: 'S' };
  readonly description: string;
}

export const TABLE_DEFINITIONS: Readonly<Record<TableRole, TableDefinition>> = {
  metadata: {
    role: 'metadata',
    defaultName: 'whiplash-metadata',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    description: 'projects, collections (config, vector-count shards), API key bindings, purge queue',
  },
  vectors: {
    role: 'vectors',
    defaultName: 'whiplash-vectors',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    description: 'one item per vector: float32 bytes, metadata, hash codes',
  },
  buckets: {
    role: 'buckets',
    defaultName: 'whiplash-buckets',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    description: 'one item per (vector, hash table): code suffix, sign sketch, norm, metadata copy',
  },
};

/** Physical table names the handlers and the store are given. */
export interface TableNames {
  readonly metadata: string;
  readonly vectors: string;
  readonly buckets: string;
}

/** Environment variable names through which the Lambda functions learn the table names. */
export const TABLE_ENV: Readonly<Record<TableRole, string>> = {
  metadata: 'WHIPLASH_METADATA_TABLE',
  vectors: 'WHIPLASH_VECTORS_TABLE',
  buckets: 'WHIPLASH_BUCKETS_TABLE',
};

/** Reads the table names from the environment (`TABLE_ENV`). @throws Error naming a missing variable. */
export function tableNamesFromEnv(env: NodeJS.ProcessEnv = process.env): TableNames {
  const get = (role: TableRole): string => {
    const v = env[TABLE_ENV[role]];
    if (!v) throw new Error(`environment variable ${TABLE_ENV[role]} is not set`);
    return v;
  };
  return { metadata: get('metadata'), vectors: get('vectors'), buckets: get('buckets') };
}

/** Table names with a common prefix, e.g. for local mode and tests. */
export function prefixedTableNames(prefix: string): TableNames {
  return {
    metadata: `${prefix}metadata`,
    vectors: `${prefix}vectors`,
    buckets: `${prefix}buckets`,
  };
}
