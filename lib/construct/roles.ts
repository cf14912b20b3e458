// The store's function and table roles as enums (jsii-compatible). Their values are the route table's
// and the table definitions' string roles, so either indexes `TABLE_ACCESS`, `TABLE_DEFINITIONS` and `ROUTES`.

/** One of the store's three Lambda functions. */
export enum FunctionRole {
  /** Searches, reads and listings: read-only access to the tables. */
  QUERY = 'query',
  /** Upserts and deletes of vectors. */
  WRITE = 'write',
  /** Projects, collections and API keys; the scheduled purge of dropped collections. */
  ADMIN = 'admin',
}

/** One of the store's three DynamoDB tables. */
export enum TableRole {
  /** Projects, collections, API key bindings, purge queue. */
  METADATA = 'metadata',
  /** One item per vector. */
  VECTORS = 'vectors',
  /** The index entries: one item per vector in k-means lists, or per (vector, hash table) in LSH buckets; also the filter index and metadata payloads. */
  BUCKETS = 'buckets',
}

/** The three functions, in template order. */
export const FUNCTION_ROLES: readonly FunctionRole[] = [FunctionRole.QUERY, FunctionRole.WRITE, FunctionRole.ADMIN];
/** The three tables, in template order. */
export const TABLE_ROLES: readonly TableRole[] = [TableRole.METADATA, TableRole.VECTORS, TableRole.BUCKETS];

