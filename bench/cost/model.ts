// The cost model's arithmetic: dollars from measured units and published prices.
/**
 * The cost model's arithmetic, as pure functions: dollars from measured units and published prices
 * (bench/cost/prices.ts). Money in USD; sizes in bytes; a GB of storage is 2^30 bytes for AWS
 * (DynamoDB, S3 Vectors; a TB 2^40) and 10^9 bytes for Pinecone (its documentation's namespace-size
 * table), turbopuffer (its pricing page: "decimal units") and Upstash (unstated; the larger bill).
 */
import { writeUnits } from '../../lambda/core/capacity';
import type { DeployedFunction } from './construct-functions';
import type { PriceTable } from './prices';

/**
 * The memory of the function of `role` (query, write, admin) among `functions`, MB.
 * @throws Error when none has that role
 */
export function functionMemoryMb(functions: readonly DeployedFunction[], role: string): number {
  const f = functions.find((x) => x.role === role);
  if (!f) throw new Error(`no ${role} function among the construct's (${functions.map((x) => x.role).join(', ')})`);
  return f.memoryMb;
}

/** Bytes in a gibibyte, the GB of AWS storage bills. */
export const GIB = 2 ** 30;
/** Bytes in a tebibyte, the TB of S3 Vectors' data-processed charge (AWS's binary units, as for its GB). */
export const TIB = 2 ** 40;
/** Results per query priced everywhere: the top 10, as the benchmarks measure recall@10. */
export const TOP_K = 10;
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
 * `writeUnits x $/M WRU + readUnits x $/M RRU + (10^6 / batchSize) x ($/REST call + $/Lambda request + memoryGB x batchSeconds x $/GB-s)`.
 * @param writeUnits write request units per vector
 * @param batchSeconds Lambda duration of one batch request
 * @param readUnits read request units per vector the write consumes (reads of the current version)
 */
export function serverlessWriteCost(writeUnits: number, batchSize: number, batchSeconds: number, memoryMb: number, p: PriceTable, readUnits = 0): number {
  const requests = 1e6 / batchSize;
  const perRequest = (p.apiGatewayRestPerMillion.usd + p.lambdaRequestsPerMillion.usd) / 1e6 + (memoryMb / 1024) * batchSeconds * p.lambdaArmPerGbSecond.usd;
  return writeUnits * p.dynamoWritePerMillion.usd + readUnits * p.dynamoReadPerMillion.usd + requests * perRequest;
}

/**
 * Write units DynamoDB bills to create one Whiplash vector: the one place the cost model takes
 * this figure from. It is measured, not derived from the layout: bench/cost/storage.ts upserts
 * real vectors through the store into DynamoDB Local and adds up every write call the store makes:
 * the units DynamoDB Local reports for plain writes, and for TransactWriteItems (which DynamoDB
 * Local under-reports) twice each action's units computed from its item by `transactWriteUnits`.
 * A change to the store's write protocol (e.g. a per-vector item written in a transaction with the
 * collection's counter) is priced as soon as `npm run bench:cost` runs again on the new code.
 *
 * Moved to the workload's vectors: a creation writes its vector item in a transaction (twice the
 * item's units), so the measured vector items' units are replaced by those of `vectorItemBytes`,
 * the workload's vector item (`denseVectorItemBytes`: the measured data's may deflate where dense
 * embeddings do not); without it, the measured figure as it is.
 */
export function whiplashWriteUnitsPerVector(measured: { readonly writeUnitsPerVector: number; readonly vectorItemWriteUnits?: number }, vectorItemBytes?: number): number {
  if (vectorItemBytes === undefined || measured.vectorItemWriteUnits === undefined) return measured.writeUnitsPerVector;
  return measured.writeUnitsPerVector + 2 * (writeUnits(vectorItemBytes) - measured.vectorItemWriteUnits);
}

/** $ per month to store `n` vectors of `bytesPerVector` billed bytes each at `usdPerGbMonth` per 2^30 bytes. */
export function monthlyStorage(bytesPerVector: number, n: number, usdPerGbMonth: number): number {
  return ((bytesPerVector * n) / GIB) * usdPerGbMonth;
}

/**
 * Whiplash's billed storage bytes per vector for vector items of `vectorItemBytes` (the workload's,
 * `denseVectorItemBytes`, its id included) and ids of `idBytes`, from a measurement with vector
 * items of `vectorItemBytes` and ids of `idBytes` on average: the measured vector item is replaced
 * by the workload's; the id is in the key of every bucket entry (`itemsPerVector` - 1 of them),
 * whose size does not depend on the dimension.
 */
export function whiplashBytesPerVector(
  measured: { bytesPerVector: number; vectorItemBytes: number; idBytes: number; itemsPerVector: number },
  vectorItemBytes: number,
  idBytes: number,
): number {
  return measured.bytesPerVector + (vectorItemBytes - measured.vectorItemBytes) + (measured.itemsPerVector - 1) * (idBytes - measured.idBytes);
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
  const vector = writeUnits(originalVectorItemBytes(dim, idBytes));
  return ORIGINAL_TABLE_BITS.reduce((s, bits) => s + writeUnits(originalBucketItemBytes(n, bits, idBytes)), vector);
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
  /** $ per million queries (the low end when the provider's bill depends on something it does not publish). */
  readonly perMillionQueries: number;
  /** The high end of $ per million queries, when only a range can be given. */
  readonly perMillionQueriesHigh?: number;
  /** $ per month to keep the collection. */
  readonly storagePerMonth: number;
  /** GB (of the provider's billing unit) stored. */
  readonly storedGb: number;
  /** $ per million vectors written. */
  readonly perMillionWrites: number;
  /** The plan's minimum monthly bill: a month whose usage costs less is billed this. */
  readonly monthlyMinimum?: number;
  /** How each figure was obtained. */
  readonly basis: string[];
  /** True when a figure leaves out a charge (a lower bound). */
  readonly lowerBound?: boolean;
}

/** S3 Vectors' data-processed tiers, marginal: an index's vectors up to `upTo` are billed at `usdPerTb`, the next ones at the next rate. */
export function s3VectorsDataProcessedTiers(p: PriceTable): { upTo: number; usdPerTb: number }[] {
  return [
    { upTo: 100_000, usdPerTb: p.s3VectorsDataProcessedFirst100kPerTb.usd },
    { upTo: 10_000_000, usdPerTb: p.s3VectorsDataProcessedTo10MPerTb.usd },
    { upTo: Infinity, usdPerTb: p.s3VectorsDataProcessedOver10MPerTb.usd },
  ];
}

/**
 * $ of data processed by one S3 Vectors query over an index of `n` vectors of `bytesPerVector`
 * (vector data + key + filterable metadata): the index's first 100,000 vectors x their bytes / 2^40
 * x $ per TB of the first tier, the vectors from 100,000 to 10 million at the second, the rest at
 * the third (AWS S3 pricing page, S3 Vectors: "data processed" = vectors in the index x average
 * vector size, billed on every query whatever it matches).
 */
export function s3VectorsDataProcessedPerQuery(n: number, bytesPerVector: number, p: PriceTable): number {
  let usd = 0;
  let below = 0;
  for (const tier of s3VectorsDataProcessedTiers(p)) {
    const inTier = Math.max(0, Math.min(n, tier.upTo) - below);
    usd += ((inTier * bytesPerVector) / TIB) * tier.usdPerTb;
    below = tier.upTo;
  }
  return usd;
}

/** S3 Vectors bills each returned result at 256 bytes or more, and the first 512 KB a query returns are free (S3 pricing page). */
export const S3_VECTORS_RESULT_MIN_BYTES = 256;
export const S3_VECTORS_FREE_RETURN_BYTES = 512 * 1024;

/** S3 Vectors at `n` vectors: request + data-processed + data-returned charge per query (top `k`, keys and distances), storage and PUT by logical bytes. */
export function s3VectorsCost(n: number, dim: number, keyBytes: number, p: PriceTable, k = TOP_K): SystemCost {
  const bytes = s3VectorBytes(dim, keyBytes);
  const gb = (bytes * n) / GIB;
  const processed = s3VectorsDataProcessedPerQuery(n, bytes, p);
  // Each result carries its key and a float32 distance, billed at 256 bytes at least.
  const returned = k * Math.max(S3_VECTORS_RESULT_MIN_BYTES, keyBytes + 4);
  const returnedUsd = (Math.max(0, returned - S3_VECTORS_FREE_RETURN_BYTES) / GIB) * p.s3VectorsDataReturnedPerGb.usd;
  const tiers = s3VectorsDataProcessedTiers(p);
  const first = Math.min(n, tiers[0].upTo);
  return {
    perMillionQueries: p.s3VectorsQueryPerMillion.usd + 1e6 * (processed + returnedUsd),
    storagePerMonth: gb * p.s3VectorsStoragePerGbMonth.usd,
    storedGb: gb,
    perMillionWrites: ((bytes * 1e6) / GIB) * p.s3VectorsPutPerGb.usd,
    basis: [
      `query: $${p.s3VectorsQueryPerMillion.usd} per million QueryVectors requests + data processed per query: ${first.toLocaleString('en-US')} vectors x ${bytes} bytes at $${tiers[0].usdPerTb}/TB` +
        (n > tiers[0].upTo ? ` + ${(Math.min(n, tiers[1].upTo) - tiers[0].upTo).toLocaleString('en-US')} x ${bytes} bytes at $${tiers[1].usdPerTb}/TB` : '') +
        (n > tiers[1].upTo ? ` + ${(n - tiers[1].upTo).toLocaleString('en-US')} x ${bytes} bytes at $${tiers[2].usdPerTb}/TB` : '') +
        ` = $${(1e6 * processed).toFixed(2)} per million queries; ${k} results x ${Math.max(S3_VECTORS_RESULT_MIN_BYTES, keyBytes + 4)} bytes returned, inside the free 512 KB`,
      `storage: ${bytes} logical bytes x ${n.toLocaleString('en-US')} = ${gb.toFixed(2)} GB x $${p.s3VectorsStoragePerGbMonth.usd}`,
      `writes: ${bytes} bytes x 10^6 = ${((bytes * 1e6) / GIB).toFixed(2)} GB x $${p.s3VectorsPutPerGb.usd} (batches of 500: above the 128 KB minimum per PUT)`,
    ],
  };
}

/** Pinecone serverless (Standard plan) at `n` vectors, list prices; its $50 monthly minimum is carried as `monthlyMinimum`. */
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
    monthlyMinimum: p.pineconeMonthlyMinimum.usd,
    basis: [
      `query: ${record} bytes x ${n.toLocaleString('en-US')} = ${gb.toFixed(2)} GB namespace -> ${ru.toFixed(2)} RU x $${p.pineconeReadPerMillion.usd}/M`,
      `storage: ${gb.toFixed(2)} GB x $${p.pineconeStoragePerGbMonth.usd}`,
      `writes: ${wu.toFixed(2)} WU per vector (1 per KB, batched) x $${p.pineconeWritePerMillion.usd}/M`,
      `Standard plan minimum $${p.pineconeMonthlyMinimum.usd} a month`,
    ],
  };
}

/**
 * Bytes a DynamoDB vector index holds per vector besides its float32 data (key and search schema):
 * AWS's DynamoDB cost script measured a 1,024-d KEYS_ONLY index item at 4,105 bytes (4,096 + 9) and
 * 4,130 with a search schema, and uses 35 (source of `dynamoVectorSearchPerGb` in prices.ts).
 */
export const DYNAMO_VECTOR_INDEX_KEY_BYTES = 35;
/** Bytes one KEYS_ONLY result adds to VectorSearchRequestBytes, as that script measured. */
export const DYNAMO_VECTOR_RETURN_BYTES = 89;
/** Bytes a vector takes in the base table as a DynamoDB list of numbers, per dimension: the script measured 5,633 bytes for a 1,024-d vector. */
export const DYNAMO_LISTED_NUMBER_BYTES = 5.5;

/** Bytes of one vector in a DynamoDB vector index: float32 data + key overhead (the index's own graph is not published: a lower bound). */
export function dynamoVectorIndexBytes(dim: number): number {
  return 4 * dim + DYNAMO_VECTOR_INDEX_KEY_BYTES;
}

/**
 * Bounds on the bytes one top-`k` SearchVectors call bills over an index of `n` vectors, which AWS
 * does not publish: at least the `k` results' own index entries (a search has compared at least the
 * vectors it returns) plus their returned keys; at most every entry of the index (a brute-force
 * scan; an ANN index examines a fraction) plus the returned keys.
 */
export function dynamoVectorSearchBytes(n: number, dim: number, k = TOP_K): { low: number; high: number } {
  const entry = dynamoVectorIndexBytes(dim);
  const returned = k * DYNAMO_VECTOR_RETURN_BYTES;
  return { low: Math.min(n, k) * entry + returned, high: n * entry + returned };
}

/**
 * DynamoDB's own vector search at `n` vectors (on-demand, Standard table class), called directly:
 * a query costs its examined bytes x $ per GB, given as the range of `dynamoVectorSearchBytes`;
 * storage is the base table item (id + the vector as a list of numbers + 100 bytes of overhead)
 * plus the index entry, at table storage rates; a write is the base item's write units plus the
 * bytes replicated to the index (at least 1 KB).
 */
export function dynamoVectorSearchCost(n: number, dim: number, idBytes: number, p: PriceTable, k = TOP_K): SystemCost {
  const search = dynamoVectorSearchBytes(n, dim, k);
  const perQuery = (bytes: number) => (bytes / GIB) * p.dynamoVectorSearchPerGb.usd;
  // Attribute names "id" and "v", the id, and the list (3 bytes + its numbers).
  const baseItem = 2 + idBytes + 1 + 3 + dim * DYNAMO_LISTED_NUMBER_BYTES;
  const index = dynamoVectorIndexBytes(dim);
  const stored = baseItem + DYNAMO_ITEM_OVERHEAD + index;
  const gb = (stored * n) / GIB;
  const wru = writeUnits(baseItem);
  const replicated = Math.max(1024, index);
  return {
    perMillionQueries: 1e6 * perQuery(search.low),
    perMillionQueriesHigh: 1e6 * perQuery(search.high),
    storagePerMonth: gb * p.dynamoStoragePerGbMonth.usd,
    storedGb: gb,
    perMillionWrites: wru * p.dynamoWritePerMillion.usd + ((replicated * 1e6) / GIB) * p.dynamoVectorWritePerGb.usd,
    basis: [
      `query: between ${Math.round(search.low).toLocaleString('en-US')} bytes (the ${k} results' own ${index}-byte index entries + ${k} x ${DYNAMO_VECTOR_RETURN_BYTES} bytes of returned keys) and ${Math.round(search.high).toLocaleString('en-US')} bytes (every entry of the index) x $${p.dynamoVectorSearchPerGb.usd}/GB`,
      `storage: base item ${Math.round(baseItem)} bytes (${dim} numbers at ~${DYNAMO_LISTED_NUMBER_BYTES} bytes) + 100 + index entry ${index} bytes (the index's graph not published: a lower bound) = ${gb.toFixed(2)} GB x $${p.dynamoStoragePerGbMonth.usd}`,
      `writes: ${wru} WRU per base item x $${p.dynamoWritePerMillion.usd}/M + ${replicated} bytes replicated to the index x $${p.dynamoVectorWritePerGb.usd}/GB`,
    ],
  };
}

/** turbopuffer's data-queried rule: at least 1.28 GB a query, 80 % off the part between 32 and 128 GB, 96 % off above 128 GB (its pricing page). */
export const TURBOPUFFER_MIN_QUERIED_BYTES = 1.28e9;
export const TURBOPUFFER_DISCOUNT_FROM_BYTES = 32e9;
export const TURBOPUFFER_DEEP_DISCOUNT_FROM_BYTES = 128e9;

/** Billed bytes of one turbopuffer query over a namespace of `namespaceBytes` logical bytes, after its minimum and marginal discounts. */
export function turbopufferQueriedBytes(namespaceBytes: number): number {
  const b = Math.max(TURBOPUFFER_MIN_QUERIED_BYTES, namespaceBytes);
  return (
    Math.min(b, TURBOPUFFER_DISCOUNT_FROM_BYTES) +
    0.2 * Math.max(0, Math.min(b, TURBOPUFFER_DEEP_DISCOUNT_FROM_BYTES) - TURBOPUFFER_DISCOUNT_FROM_BYTES) +
    0.04 * Math.max(0, b - TURBOPUFFER_DEEP_DISCOUNT_FROM_BYTES)
  );
}

/** turbopuffer (Launch plan) at `n` vectors of logical `4 x dim + id` bytes: data queried + returned per query, indexed storage, writes at list price; its $16 monthly minimum as `monthlyMinimum`. */
export function turbopufferCost(n: number, dim: number, idBytes: number, p: PriceTable, k = TOP_K): SystemCost {
  const logical = 4 * dim + idBytes;
  const ns = n * logical;
  const queried = turbopufferQueriedBytes(ns);
  // Each result returns its id and a float32 distance.
  const returned = k * (idBytes + 4);
  const perQuery = (queried / 1e15) * p.turbopufferQueriedPerPb.usd + (returned / 1e9) * p.turbopufferReturnedPerGb.usd;
  const gb = ns / 1e9;
  return {
    perMillionQueries: 1e6 * perQuery,
    storagePerMonth: gb * p.turbopufferStoragePerGbMonth.usd,
    storedGb: gb,
    perMillionWrites: ((logical * 1e6) / 1e9) * p.turbopufferWritePerGb.usd,
    monthlyMinimum: p.turbopufferMonthlyMinimum.usd,
    basis: [
      `query: ${(ns / 1e9).toFixed(2)} GB namespace -> ${(queried / 1e9).toFixed(2)} GB billed (at least 1.28 GB; discounts past 32 GB) x $${p.turbopufferQueriedPerPb.usd}/PB + ${k} x ${idBytes + 4} bytes returned x $${p.turbopufferReturnedPerGb.usd}/GB`,
      `storage: ${logical} logical bytes x ${n.toLocaleString('en-US')} = ${gb.toFixed(2)} GB x $${p.turbopufferStoragePerGbMonth.usd}`,
      `writes: ${logical} bytes per vector at $${p.turbopufferWritePerGb.usd}/GB, list price before batch discounts (up to 50 %)`,
      `Launch plan minimum $${p.turbopufferMonthlyMinimum.usd} a month`,
    ],
  };
}

/** Upstash Vector (pay as you go) at `n` vectors: one operation per query and per upserted vector, storage of `dim x 4` bytes a vector. */
export function upstashCost(n: number, dim: number, p: PriceTable): SystemCost {
  const bytes = 4 * dim;
  const gb = (bytes * n) / 1e9;
  return {
    perMillionQueries: p.upstashOpsPerMillion.usd,
    storagePerMonth: gb * p.upstashStoragePerGbMonth.usd,
    storedGb: gb,
    perMillionWrites: p.upstashOpsPerMillion.usd,
    basis: [
      `query: one operation, $${p.upstashOpsPerMillion.usd} per million`,
      `storage: ${dim} x 4 bytes x ${n.toLocaleString('en-US')} = ${gb.toFixed(2)} GB x $${p.upstashStoragePerGbMonth.usd}`,
      `writes: one operation per upserted vector (assumed), $${p.upstashOpsPerMillion.usd} per million`,
    ],
  };
}
