// Measures Whiplash's stored bytes and write units per vector by a real Fashion-MNIST ingest into DynamoDB Local, and sizes the priced workloads' dense vector items.
import * as path from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { REPO_ROOT } from '../datasets/fashion-mnist';
import { writeUnits } from '../../lambda/core/capacity';
import { itemSize } from '../../lambda/store/layout';
import { resolveIndexParams } from '../../lambda/core/params';
import { StoreItems } from '../model/store-layout';
import { loadMiniLm } from '../datasets/minilm';
import { row } from '../datasets/types';
import type { Item } from '../../lambda/store/batch';
import type { IndexMethod, IndexParams } from '../../lambda/core/types';
import { attachCapacityMeter, CapacityMeter } from '../meter';
import { FIXTURE_COLLECTION, FIXTURE_PROJECT, startFixture } from '../lambda/fixture';
import { DYNAMO_ITEM_OVERHEAD } from './model';

/** What a real ingest stored and wrote, per vector (measured on DynamoDB Local). */
export interface StorageMeasurement {
  readonly dataset: string;
  readonly vectors: number;
  readonly dim: number;
  /** Mean UTF-8 length of the ids (`String(row)`). */
  readonly idBytes: number;
  /** Items per vector in the vectors and buckets tables (1 vector item + one entry per hash table). */
  readonly itemsPerVector: number;
  /** Mean DynamoDB item size (`itemSize` of lambda/store/layout.ts) of vector items and of bucket entries. */
  readonly vectorItemBytes: number;
  readonly bucketEntryBytes: number;
  /** Mean write units of one plain write of a vector item (1 per KB or part of it): a creation's transaction bills twice that. */
  readonly vectorItemWriteUnits: number;
  /** Billed bytes per vector: item sizes + 100 bytes overhead per item, vectors and buckets tables. */
  readonly bytesPerVector: number;
  /**
   * Write units per vector of the upserts as DynamoDB bills them: what DynamoDB Local reported for
   * every write call (ReturnConsumedCapacity TOTAL), except TransactWriteItems, computed by
   * `transactWriteUnits` from the actions (DynamoDB Local reports one action's units for a whole
   * transaction).
   */
  readonly writeUnitsPerVector: number;
  /** Read units per vector the upserts consumed (the store reads each id's current version first), as DynamoDB Local reported them. */
  readonly readUnitsPerVector: number;
  /** Of `writeUnitsPerVector`, the part written in transactions (computed), and what DynamoDB Local reported for them. */
  readonly transactionalWriteUnitsPerVector: number;
  readonly transactionalReportedPerVector: number;
  /** Seconds per upsert batch of 500, sequential, in this process against DynamoDB Local. */
  readonly batchSeconds: number;
  readonly engine: string;
  /** The collection's index parameters. */
  readonly index: Record<string, unknown>;
  /** The collection's index method (absent in measurements made before k-means lists: 'lsh'). */
  readonly indexMethod?: IndexMethod;
}

async function scanSizes(client: DynamoDBClient, table: string): Promise<{ items: number; bytes: number; units: number }> {
  let items = 0;
  let bytes = 0;
  let units = 0;
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const it of page.Items ?? []) {
      items++;
      const size = itemSize(it as Item);
      bytes += size;
      units += writeUnits(size);
    }
    start = page.LastEvaluatedKey as Item | undefined;
  } while (start);
  return { items, bytes, units };
}

/**
 * Upserts `size` real Fashion-MNIST vectors (784-d) through WhiplashStore with `index` and
 * `indexMethod` (the settings whose read units are priced; default the store's defaults), then
 * scans the vectors and buckets tables and sizes every item by DynamoDB's rules. In k-means lists
 * the writes include the splits, which begin once the first lists fill: a sample of a few thousand
 * vectors has none.
 */
export async function measureStorage(size: number, dir?: string, index?: Partial<IndexParams>, indexMethod?: IndexMethod): Promise<StorageMeasurement> {
  let meter: CapacityMeter | undefined;
  const fx = await startFixture({
    dataset: 'fashion-mnist',
    size,
    queries: 1,
    dir,
    index,
    indexMethod,
    beforeLoad: (c) => {
      meter = attachCapacityMeter(c);
    },
  });
  // The ingest's units, before the reads below (the collection's settings, the scans) add theirs.
  const loaded = { reads: meter?.readUnits ?? NaN, writes: meter?.writeUnits ?? NaN, tx: meter?.transactionWriteUnits ?? NaN, txReported: meter?.transactionReportedUnits ?? NaN };
  try {
    const n = fx.data.base.rows;
    const info = await fx.store.getCollection(FIXTURE_PROJECT, FIXTURE_COLLECTION);
    const v = await scanSizes(fx.client, fx.tables.vectors);
    const b = await scanSizes(fx.client, fx.tables.buckets);
    if (v.items !== n) throw new Error(`expected ${n} vector items, found ${v.items}`);
    let idChars = 0;
    for (let i = 0; i < n; i++) idChars += String(i).length;
    return {
      dataset: `fashion-mnist (${path.relative(REPO_ROOT, fx.data.source)})`,
      vectors: n,
      dim: fx.data.dim,
      idBytes: idChars / n,
      itemsPerVector: (v.items + b.items) / n,
      vectorItemBytes: v.bytes / v.items,
      bucketEntryBytes: b.bytes / b.items,
      vectorItemWriteUnits: v.units / v.items,
      bytesPerVector: (v.bytes + b.bytes + DYNAMO_ITEM_OVERHEAD * (v.items + b.items)) / n,
      writeUnitsPerVector: loaded.writes / n,
      readUnitsPerVector: loaded.reads / n,
      transactionalWriteUnitsPerVector: loaded.tx / n,
      transactionalReportedPerVector: loaded.txReported / n,
      batchSeconds: fx.loadSeconds / Math.ceil(n / 500),
      engine: `DynamoDB Local (${fx.ddb.engine}, in memory)`,
      index: { ...info.index },
      indexMethod: info.indexMethod,
    };
  } finally {
    await fx.stop();
  }
}

/**
 * Mean size of the vector item of a dense `dim`-d embedding with an id of `idBytes`, as the store
 * writes it in a collection of `index` (`StoreItems.vectorItemBytes`: the store's `vectorItem`
 * and `itemSize`, no metadata): the priced workloads hold dense embeddings, which barely deflate,
 * unlike Fashion-MNIST's pixels. Sized on the MiniLM embeddings' real values, each vector the
 * next rows laid end to end up to `dim`.
 */
export function denseVectorItemBytes(dim: number, idBytes: number, index?: Partial<IndexParams>): number {
  const data = loadMiniLm().base;
  const items = new StoreItems(resolveIndexParams(index, 'index', dim), dim, FIXTURE_PROJECT, FIXTURE_COLLECTION);
  const id = 'x'.repeat(idBytes);
  const samples = Math.min(200, data.rows);
  let bytes = 0;
  for (let s = 0; s < samples; s++) {
    const v = new Float32Array(dim);
    for (let i = 0; i < dim; i++) v[i] = row(data, (s + Math.floor(i / data.dim)) % data.rows)[i % data.dim];
    bytes += items.vectorItemBytes(id, v);
  }
  return bytes / samples;
}
