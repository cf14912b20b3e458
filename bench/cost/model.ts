// The cost model's arithmetic: dollars from measured units and published prices.
/**
 * The cost model's arithmetic, as pure functions: dollars from measured units and published prices
 * (bench/cost/prices.ts). Money in USD; sizes in bytes; a GB of storage is 2^30 bytes for AWS
 * (DynamoDB, S3 Vectors) and 10^9 bytes for Pinecone (its documentation's namespace-size table).
 */
import type { PriceTable } from './prices';

/** Bytes in a gibibyte, the GB of AWS storage bills. */
export const GIB = 2 ** 30;
/**
 * DynamoDB's per-item storage overhead for indexing, bytes: "every item in DynamoDB requires 100 bytes
 * of storage overhead for indexing" (Developer Guide, "Item sizes and formats",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 */
export const DYNAMO_ITEM_OVERHEAD = 100;

/** How read units per query grow from a measured collection size to a larger one. */
export type ScalingRule =
  | { readonly kind: 'power'; readonly exponent: number; readonly why: string }
  | { readonly kind: 'constant'; readonly why: string }
  | { readonly kind: 'linear'; readonly why: string };

/**
 * Read units per query at `n` vectors from `ru0` measured at `n0`: `ru0 * (n / n0)^b` with b the
 * rule's exponent (0 for constant, 1 for linear). Returns the figure and the arithmetic as text.
 * @throws RangeError when a size is not positive.
 */
export function scaleReadUnits(ru0: number, n0: number, n: number, rule: ScalingRule): { readUnits: number; arithmetic: string } {
  if (!(n0 > 0) || !(n > 0)) throw new RangeError(`collection sizes must be positive (got ${n0} and ${n})`);
  const b = rule.kind === 'power' ? rule.exponent : rule.kind === 'linear' ? 1 : 0;
  const readUnits = ru0 * (n / n0) ** b;
  const arithmetic =
    b === 0
      ? `${fmt(ru0)} (constant)`
      : `${fmt(ru0)} x (${n.toLocaleString('en-US')} / ${n0.toLocaleString('en-US')})^${+b.toFixed(3)} = ${fmt(readUnits)}`;
  return { readUnits, arithmetic };
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));

/** Dollars per million queries of a store behind API Gateway REST and Lambda, by part. */
export interface QueryCost {
  readonly dynamoReads: number;
  readonly lambdaDuration: number;
  readonly lambdaRequests: number;
  readonly apiGateway: number;
  readonly total: number;
}

/**
 * $ per million queries on DynamoDB on-demand + Lambda (arm64) + API Gateway REST:
 * `readUnits x $/M RRU + memoryGB x seconds x 10^6 x $/GB-s + $/M Lambda requests + $/M REST calls`.
 * @param readUnits read request units per query
 * @param lambdaMs billed duration per query, milliseconds
 * @param memoryMb the function's memory, MB (Lambda bills memory in GB = 1024 MB)
 */
export function serverlessQueryCost(readUnits: number, lambdaMs: number, memoryMb: number, p: PriceTable): QueryCost {
  const dynamoReads = readUnits * p.dynamoReadPerMillion.usd;
  const lambdaDuration = (memoryMb / 1024) * (lambdaMs / 1000) * 1e6 * p.lambdaArmPerGbSecond.usd;
  const lambdaRequests = p.lambdaRequestsPerMillion.usd;
  const apiGateway = p.apiGatewayRestPerMillion.usd;
  return { dynamoReads, lambdaDuration, lambdaRequests, apiGateway, total: dynamoReads + lambdaDuration + lambdaRequests + apiGateway };
}

/**
 * $ per million vectors written through the batch API (`batchSize` vectors per request):
 * `writeUnits x $/M WRU + (10^6 / batchSize) x ($/REST call + $/Lambda request + memoryGB x batchSeconds x $/GB-s)`.
 * @param writeUnits write request units per vector
 * @param batchSeconds Lambda duration of one batch request
 */
export function serverlessWriteCost(writeUnits: number, batchSize: number, batchSeconds: number, memoryMb: number, p: PriceTable): number {
  const requests = 1e6 / batchSize;
  const perRequest = (p.apiGatewayRestPerMillion.usd + p.lambdaRequestsPerMillion.usd) / 1e6 + (memoryMb / 1024) * batchSeconds * p.lambdaArmPerGbSecond.usd;
  return writeUnits * p.dynamoWritePerMillion.usd + requests * perRequest;
}

/** $ per month to store `n` vectors of `bytesPerVector` billed bytes each at `usdPerGbMonth` per 2^30 bytes. */
export function monthlyStorage(bytesPerVector: number, n: number, usdPerGbMonth: number): number {
  return ((bytesPerVector * n) / GIB) * usdPerGbMonth;
}

/**
 * Whiplash's billed storage bytes per vector at dimension `dim` and ids of `idBytes`, from a
 * measurement at `measuredDim` with ids of `measuredIdBytes` on average: the vector item holds the
 * float32 vector (4 bytes a component); the id is in the key of the vector item and of every bucket
 * entry (`itemsPerVector` items in all); bucket entries do not depend on the dimension.
 */
export function whiplashBytesPerVector(measured: { bytesPerVector: number; dim: number; idBytes: number; itemsPerVector: number }, dim: number, idBytes: number): number {
  return measured.bytesPerVector + 4 * (dim - measured.dim) + measured.itemsPerVector * (idBytes - measured.idBytes);
}

/** The original whiplash layout's hash tables: 8, 10, ..., 18 bits (bit_start 8, 6 tables, bit_scale_factor 2). */
export const ORIGINAL_TABLE_BITS = [8, 10, 12, 14, 16, 18] as const;

/** Characters of a bucket code of `bits` bits in base 36 (the original's key). */
export function base36Chars(bits: number): number {
  return Math.max(1, Math.ceil((bits * Math.LN2) / Math.log(36)));
}

/**
 * Modelled DynamoDB item size of one original bucket item at `n` vectors: key `id` (base36 code) and
 * a string set `ids` of the ids in the bucket, with uniform buckets (`n / 2^bits` ids each: real LSH
 * buckets are skewed, so this is a lower bound on the larger ones).
 */
export function originalBucketItemBytes(n: number, bits: number, idBytes: number): number {
  return 2 + base36Chars(bits) + 3 + (n / 2 ** bits) * idBytes;
}

/** The original's vector item: `id` + its value + `vector` + float32 bytes (bench/original/layout.ts). */
export function originalVectorItemBytes(dim: number, idBytes: number): number {
  return 2 + idBytes + 6 + 4 * dim;
}

/**
 * Write units of one insert in the original layout at `n` vectors: the vector item, plus one
 * UpdateItem ADD per table that rewrites the bucket item (billed on the item's size, 1 unit per KB
 * or part), with uniform buckets: a lower bound.
 */
export function originalWriteUnits(n: number, dim: number, idBytes: number): number {
  const vector = Math.ceil(originalVectorItemBytes(dim, idBytes) / 1024);
  return ORIGINAL_TABLE_BITS.reduce((s, bits) => s + Math.max(1, Math.ceil(originalBucketItemBytes(n, bits, idBytes) / 1024)), vector);
}

/**
 * Billed storage bytes per vector of the original layout at `n` vectors: its vector item and one id
 * in each table's string set, plus each bucket item's key and per-item overhead spread over the
 * vectors (at most `min(n, 2^bits)` non-empty buckets per table).
 */
export function originalBytesPerVector(n: number, dim: number, idBytes: number): number {
  const buckets = ORIGINAL_TABLE_BITS.reduce((s, bits) => s + Math.min(n, 2 ** bits) * (DYNAMO_ITEM_OVERHEAD + 2 + base36Chars(bits) + 3), 0);
  return originalVectorItemBytes(dim, idBytes) + DYNAMO_ITEM_OVERHEAD + ORIGINAL_TABLE_BITS.length * idBytes + buckets / n;
}

/** S3 Vectors' logical bytes of one vector: float32 data + key (+ metadata, none here). */
export function s3VectorBytes(dim: number, keyBytes: number): number {
  return 4 * dim + keyBytes;
}

/** Pinecone's record bytes of one vector: float32 values + id (no metadata). */
export function pineconeRecordBytes(dim: number, idBytes: number): number {
  return 4 * dim + idBytes;
}

/** Pinecone serverless read units of one query: 1 per GB (10^9 bytes) of namespace, at least 0.25 (Pinecone docs, "Understanding cost"). */
export function pineconeQueryReadUnits(n: number, recordBytes: number): number {
  return Math.max(0.25, (n * recordBytes) / 1e9);
}

/** One system's dollars at one collection size. */
export interface SystemCost {
  /** $ per million queries. */
  readonly perMillionQueries: number;
  /** $ per month to keep the collection. */
  readonly storagePerMonth: number;
  /** GB (of the provider's billing unit) stored. */
  readonly storedGb: number;
  /** $ per million vectors written. */
  readonly perMillionWrites: number;
  /** How each figure was obtained. */
  readonly basis: string[];
  /** True when a figure leaves out a charge (a lower bound). */
  readonly lowerBound?: boolean;
}

/** S3 Vectors at `n` vectors: request charge per query only (data-processed rate not found), storage and PUT by logical bytes. */
export function s3VectorsCost(n: number, dim: number, keyBytes: number, p: PriceTable): SystemCost {
  const bytes = s3VectorBytes(dim, keyBytes);
  const gb = (bytes * n) / GIB;
  return {
    perMillionQueries: p.s3VectorsQueryPerMillion.usd,
    storagePerMonth: gb * p.s3VectorsStoragePerGbMonth.usd,
    storedGb: gb,
    perMillionWrites: ((bytes * 1e6) / GIB) * p.s3VectorsPutPerGb.usd,
    basis: [
      `query: $${p.s3VectorsQueryPerMillion.usd} per million QueryVectors requests, plus a data-processed charge per TB (not in any stored page: left out, so a lower bound)`,
      `storage: ${bytes} logical bytes x ${n.toLocaleString('en-US')} = ${gb.toFixed(2)} GB x $${p.s3VectorsStoragePerGbMonth.usd}`,
      `writes: ${bytes} bytes x 10^6 = ${((bytes * 1e6) / GIB).toFixed(2)} GB x $${p.s3VectorsPutPerGb.usd} (batches of 500: above the 128 KB minimum per PUT)`,
    ],
    lowerBound: true,
  };
}

/** Pinecone serverless (Standard plan) at `n` vectors, list prices, without the plan's $50/month minimum. */
export function pineconeCost(n: number, dim: number, idBytes: number, p: PriceTable): SystemCost {
  const record = pineconeRecordBytes(dim, idBytes);
  const ru = pineconeQueryReadUnits(n, record);
  const gb = (record * n) / 1e9;
  const wu = record / 1000;
  return {
    perMillionQueries: ru * p.pineconeReadPerMillion.usd,
    storagePerMonth: gb * p.pineconeStoragePerGbMonth.usd,
    storedGb: gb,
    perMillionWrites: wu * p.pineconeWritePerMillion.usd,
    basis: [
      `query: ${record} bytes x ${n.toLocaleString('en-US')} = ${gb.toFixed(2)} GB namespace -> ${ru.toFixed(2)} RU x $${p.pineconeReadPerMillion.usd}/M`,
      `storage: ${gb.toFixed(2)} GB x $${p.pineconeStoragePerGbMonth.usd}`,
      `writes: ${wu.toFixed(2)} WU per vector (1 per KB, batched) x $${p.pineconeWritePerMillion.usd}/M`,
    ],
  };
}
