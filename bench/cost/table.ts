// The cost table: dollars per system at one collection size.
/**
 * The cost table: dollars per system at one collection size, from the measured inputs and the
 * prices. Pure: bench/cost/run.ts gathers the inputs, this file only computes.
 */
import {
  dynamoVectorSearchCost,
  monthlyStorage,
  originalBytesPerVector,
  originalWriteUnits,
  pineconeCost,
  s3VectorsCost,
  scaleReadUnits,
  ScalingRule,
  serverlessQueryCost,
  serverlessWriteCost,
  SystemCost,
  turbopufferCost,
  upstashCost,
  whiplashBytesPerVector,
  whiplashWriteUnitsPerVector,
} from './model';
import type { PriceTable } from './prices';

/** API Gateway's integration timeout, ms: a query that takes longer fails with 504. */
export const API_GATEWAY_TIMEOUT_MS = 29_000;

/** Everything measured that the table needs. */
export interface CostInputs {
  /** Vector dimension of the modelled collections (768) and the id length assumed for every system. */
  readonly dim: number;
  readonly idBytes: number;
  /** Whiplash at default settings: read units per query at `base` vectors, the p50 used as Lambda duration. */
  readonly whiplash: { readUnits: number; base: number; p50Ms: number; rule: ScalingRule };
  /** The original layout: read units per query at `base` vectors, how they grow with N (linear unless fitted), and its p50. */
  readonly original: { readUnits: number; base: number; p50Ms: number; rule?: ScalingRule };
  /** Whiplash's stored bytes and write units per vector, measured by a real ingest. */
  readonly storage: {
    bytesPerVector: number;
    dim: number;
    idBytes: number;
    itemsPerVector: number;
    vectorItemBytes: number;
    vectorItemWriteUnits?: number;
    writeUnitsPerVector: number;
    readUnitsPerVector?: number;
    batchSeconds: number;
  };
  /** Bytes of the vector item of one of the workload's dense `dim`-d embeddings with an id of `idBytes` (`denseVectorItemBytes`). */
  readonly vectorItemBytes: number;
  /** Memory of the query and write functions as the construct deploys them, MB. */
  readonly queryMemoryMb: number;
  readonly writeMemoryMb: number;
}

/** One system's row at one size. */
export interface CostRow extends SystemCost {
  readonly system: 'whiplash' | 'original' | 's3-vectors' | 'dynamodb-vector-search' | 'turbopuffer' | 'upstash' | 'pinecone';
  readonly label: string;
  /** Read units per query billed by the store (DynamoDB RRU or Pinecone RU), when it has them. */
  readonly readUnits?: number;
  /** Lambda duration per query assumed, ms. */
  readonly lambdaMs?: number;
  /** Set when the system cannot answer at this size behind API Gateway (duration over 29 s). */
  readonly fails?: string;
}

/** Every priced system at `n` vectors: Whiplash, the original layout, then the managed services called directly. */
export function costRows(n: number, inp: CostInputs, p: PriceTable): CostRow[] {
  const wlRu = scaleReadUnits(inp.whiplash.readUnits, inp.whiplash.base, n, inp.whiplash.rule);
  // Duration grows as the read units do (conservative: its round trips stay 2, only pages and re-rank grow).
  const wlMs = inp.whiplash.p50Ms * (wlRu.readUnits / inp.whiplash.readUnits);
  const wlQuery = serverlessQueryCost(wlRu.readUnits, wlMs, inp.queryMemoryMb, p);
  const wlBytes = whiplashBytesPerVector(inp.storage, inp.vectorItemBytes, inp.idBytes);
  const wlWrites = whiplashWriteUnitsPerVector(inp.storage, inp.vectorItemBytes);
  const wlGb = (wlBytes * n) / 2 ** 30;
  const whiplash: CostRow = {
    system: 'whiplash',
    label: 'Whiplash (defaults)',
    readUnits: wlRu.readUnits,
    lambdaMs: wlMs,
    perMillionQueries: wlQuery.total,
    storagePerMonth: monthlyStorage(wlBytes, n, p.dynamoStoragePerGbMonth.usd),
    storedGb: wlGb,
    perMillionWrites: serverlessWriteCost(wlWrites, 500, inp.storage.batchSeconds, inp.writeMemoryMb, p, inp.storage.readUnitsPerVector ?? 0),
    basis: [
      `read units: ${wlRu.arithmetic}; x $${p.dynamoReadPerMillion.usd}/M = $${wlQuery.dynamoReads.toFixed(2)}`,
      `Lambda: ${inp.queryMemoryMb} MB x ${wlMs.toFixed(0)} ms (measured p50 ${inp.whiplash.p50Ms.toFixed(0)} ms scaled as its read units) = $${wlQuery.lambdaDuration.toFixed(2)} + requests $${wlQuery.lambdaRequests.toFixed(2)}; API Gateway REST $${wlQuery.apiGateway.toFixed(2)}`,
      `storage: ${wlBytes.toFixed(0)} billed bytes per vector x ${n.toLocaleString('en-US')} = ${wlGb.toFixed(2)} GB x $${p.dynamoStoragePerGbMonth.usd}`,
      `writes: ${wlWrites.toFixed(1)} WRU per vector (measured, its vector item's transaction at ${inp.dim}-d) x $${p.dynamoWritePerMillion.usd}/M + ${(inp.storage.readUnitsPerVector ?? 0).toFixed(2)} RRU x $${p.dynamoReadPerMillion.usd}/M, batches of 500 through API Gateway and Lambda (${inp.storage.batchSeconds.toFixed(1)} s each)`,
    ],
  };

  const orRule: ScalingRule = inp.original.rule ?? { kind: 'linear', why: 'fixed bit counts: its buckets, and so its candidates, grow in proportion to N' };
  const orRu = scaleReadUnits(inp.original.readUnits, inp.original.base, n, orRule);
  // Its duration is dominated by fetching every candidate's vector: it grows as its read units do.
  const orMs = inp.original.p50Ms * (orRu.readUnits / inp.original.readUnits);
  const orQuery = serverlessQueryCost(orRu.readUnits, orMs, inp.queryMemoryMb, p);
  const orBytes = originalBytesPerVector(n, inp.dim, inp.idBytes);
  const orGb = (orBytes * n) / 2 ** 30;
  const orWu = originalWriteUnits(n, inp.dim, inp.idBytes);
  const original: CostRow = {
    system: 'original',
    label: 'original whiplash layout',
    readUnits: orRu.readUnits,
    lambdaMs: orMs,
    perMillionQueries: orQuery.total,
    storagePerMonth: monthlyStorage(orBytes, n, p.dynamoStoragePerGbMonth.usd),
    storedGb: orGb,
    perMillionWrites: orWu * p.dynamoWritePerMillion.usd + p.apiGatewayRestPerMillion.usd + p.lambdaRequestsPerMillion.usd,
    basis: [
      `read units: ${orRu.arithmetic}; x $${p.dynamoReadPerMillion.usd}/M = $${orQuery.dynamoReads.toFixed(2)}`,
      `Lambda: measured p50 ${inp.original.p50Ms.toFixed(0)} ms scaled as its read units = ${(orMs / 1000).toFixed(1)} s x ${inp.queryMemoryMb} MB (assumed: the same memory as Whiplash's query function) = $${orQuery.lambdaDuration.toFixed(2)}; API Gateway REST $${orQuery.apiGateway.toFixed(2)}`,
      `storage: ${orBytes.toFixed(0)} billed bytes per vector (model) = ${orGb.toFixed(2)} GB`,
      `writes: ${orWu} WRU per insert (model, uniform buckets: a lower bound) x $${p.dynamoWritePerMillion.usd}/M, one API call per insert`,
    ],
    fails: orMs > API_GATEWAY_TIMEOUT_MS ? `a query would take ~${(orMs / 1000).toFixed(0)} s, over API Gateway's 29 s integration timeout: it cannot answer at this size` : undefined,
  };

  const pc = pineconeCost(n, inp.dim, inp.idBytes, p);
  return [
    whiplash,
    original,
    { ...s3VectorsCost(n, inp.dim, inp.idBytes, p), system: 's3-vectors', label: 'Amazon S3 Vectors' },
    { ...dynamoVectorSearchCost(n, inp.dim, inp.idBytes, p), system: 'dynamodb-vector-search', label: 'DynamoDB vector search (SearchVectors)' },
    { ...turbopufferCost(n, inp.dim, inp.idBytes, p), system: 'turbopuffer', label: 'turbopuffer (Launch)' },
    { ...upstashCost(n, inp.dim, p), system: 'upstash', label: 'Upstash Vector (pay as you go)' },
    { ...pc, system: 'pinecone', label: 'Pinecone serverless (Standard)', readUnits: pc.perMillionQueries / p.pineconeReadPerMillion.usd },
  ];
}
