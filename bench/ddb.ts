// DynamoDB batch helpers for the benchmark: BatchWriteItem and BatchGetItem with retries, and consumed-capacity sums.
import { AttributeValue, BatchGetItemCommand, BatchWriteItemCommand, ConsumedCapacity, DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../lambda/core/concurrency';

/** BatchWriteItem takes at most 25 items per call (DynamoDB limit). */
export const BATCH_WRITE_MAX = 25;
/** BatchGetItem takes at most 100 keys per call (DynamoDB limit). */
export const BATCH_GET_MAX = 100;

export type Item = Record<string, AttributeValue>;

/** Sum of `CapacityUnits` over a `ConsumedCapacity` list (ReturnConsumedCapacity: TOTAL). */
export function capacityUnits(cc: ConsumedCapacity[] | ConsumedCapacity | undefined): number {
  if (!cc) return 0;
  return (Array.isArray(cc) ? cc : [cc]).reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes every item with BatchWriteItem, 25 per call and `concurrency` calls in flight, retrying
 * `UnprocessedItems` with exponential backoff until done.
 * @returns write capacity units DynamoDB reported.
 * @throws Error after 10 retries that left items unprocessed.
 */
export async function batchWriteAll(client: DynamoDBClient, table: string, items: Item[], opts: { concurrency?: number; onProgress?: (done: number) => void } = {}): Promise<number> {
  const chunks = Array.from({ length: Math.ceil(items.length / BATCH_WRITE_MAX) }, (_, i) => items.slice(i * BATCH_WRITE_MAX, (i + 1) * BATCH_WRITE_MAX));
  let done = 0;
  let units = 0;
  await mapLimit(chunks, opts.concurrency ?? 4, async (chunk) => {
    let pending: WriteRequest[] = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 10) throw new Error(`BatchWriteItem on ${table} left ${pending.length} items unprocessed after 10 retries`);
      if (attempt > 0) await sleep(Math.min(2000, 25 * 2 ** attempt));
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending }, ReturnConsumedCapacity: 'TOTAL' }));
      units += capacityUnits(out.ConsumedCapacity);
      pending = out.UnprocessedItems?.[table] ?? [];
    }
    done += chunk.length;
    opts.onProgress?.(done);
  });
  return units;
}

/** What one BatchGetItem (with its retries of `UnprocessedKeys`) returned and cost. */
export interface BatchGetResult {
  readonly items: Item[];
  readonly readUnits: number;
  /** Calls made: 1, plus one per retry of unprocessed keys. */
  readonly calls: number;
}

/**
 * One BatchGetItem of at most 100 keys, eventually consistent (the default, as the original),
 * with ReturnConsumedCapacity TOTAL; retries `UnprocessedKeys` (the original ignored them:
 * on DynamoDB Local with items this small none are expected, and `calls` would show them).
 */
export async function batchGet(client: DynamoDBClient, table: string, keys: Item[]): Promise<BatchGetResult> {
  if (keys.length > BATCH_GET_MAX) throw new RangeError(`BatchGetItem takes at most ${BATCH_GET_MAX} keys, got ${keys.length}`);
  const items: Item[] = [];
  let readUnits = 0;
  let calls = 0;
  let pending = keys;
  while (pending.length > 0) {
    if (calls > 10) throw new Error(`BatchGetItem on ${table} left ${pending.length} keys unprocessed after 10 retries`);
    if (calls > 0) await sleep(Math.min(2000, 25 * 2 ** calls));
    calls++;
    const out = await client.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: pending } }, ReturnConsumedCapacity: 'TOTAL' }));
    readUnits += capacityUnits(out.ConsumedCapacity);
    items.push(...(out.Responses?.[table] ?? []));
    pending = out.UnprocessedKeys?.[table]?.Keys ?? [];
  }
  return { items, readUnits, calls };
}
