// DynamoDB reads and writes of many items: batched writes and gets with retries of unprocessed
// items, a whole partition read page by page, and the meter of consumed capacity.
import {
  AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  ConsumedCapacity,
  DynamoDBClient,
  KeysAndAttributes,
  PutItemCommand,
  QueryCommand,
  QueryCommandOutput,
  TransactionCanceledException,
  TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../core/concurrency';
import { ServiceUnavailableError } from '../core/errors';

export type Item = Record<string, AttributeValue>;

/** BatchWriteItem takes at most 25 requests (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html). */
export const BATCH_WRITE_LIMIT = 25;
/** BatchGetItem takes at most 100 keys (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html). */
export const BATCH_GET_LIMIT = 100;

/** How hard to retry unprocessed items before giving up with ServiceUnavailableError. */
export interface RetryPolicy {
  /** @default 10 */
  readonly maxAttempts: number;
  /** First backoff in ms; doubles each attempt, with full jitter. @default 25 */
  readonly baseDelayMs: number;
  /** @default 2000 */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 25, maxDelayMs: 2000 };

/** Adds up the read and write capacity units that DynamoDB reports. */
export class CapacityMeter {
  readUnits = 0;
  writeUnits = 0;
  add(c: ConsumedCapacity[] | ConsumedCapacity | undefined): void {
    for (const x of Array.isArray(c) ? c : c ? [c] : []) {
      this.readUnits += x.ReadCapacityUnits ?? 0;
      this.writeUnits += x.WriteCapacityUnits ?? 0;
      // DynamoDB Local reports only CapacityUnits on some calls
      if (x.ReadCapacityUnits === undefined && x.WriteCapacityUnits === undefined) this.readUnits += x.CapacityUnits ?? 0;
    }
  }
}

/**
 * Waits before retry `attempt` (0 first): exponential backoff with full jitter, a random time up
 * to min(maxDelayMs, baseDelayMs × 2^attempt), so that writers who met go again apart.
 * Source: AWS Architecture Blog, "Exponential Backoff And Jitter"
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
export function backOff(attempt: number, p: RetryPolicy): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.random() * Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt)));
}

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/**
 * Awaits one conditional write: true when it landed, false when its condition failed (another
 * write came first); any other error propagates.
 */
export async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/**
 * Writes every request, 25 to a BatchWriteItem call, `concurrency` calls at a time, and retries
 * `UnprocessedItems` with exponential backoff and full jitter.
 * @throws ServiceUnavailableError when items stay unprocessed after `retry.maxAttempts`
 */
export async function batchWriteAll(
  client: DynamoDBClient,
  requests: readonly { table: string; request: WriteRequest }[],
  meter?: CapacityMeter,
  concurrency = 8,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<void> {
  await mapLimit(chunks(requests, BATCH_WRITE_LIMIT), concurrency, async (chunk) => {
    let pending: Record<string, WriteRequest[]> = {};
    for (const { table, request } of chunk) (pending[table] ??= []).push(request);
    for (let attempt = 0; ; attempt++) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: pending, ReturnConsumedCapacity: meter ? 'TOTAL' : undefined }));
      meter?.add(out.ConsumedCapacity);
      const left = out.UnprocessedItems ?? {};
      if (Object.values(left).every((r) => r.length === 0)) return;
      if (attempt + 1 >= retry.maxAttempts) {
        const n = Object.values(left).reduce((s, r) => s + r.length, 0);
        throw new ServiceUnavailableError(`DynamoDB left ${n} writes unprocessed after ${retry.maxAttempts} attempts`);
      }
      pending = left;
      await backOff(attempt, retry);
    }
  });
}

/** Puts every item into `table` (`batchWriteAll`). */
export const putAll = (client: DynamoDBClient, table: string, items: readonly Item[]): Promise<void> =>
  batchWriteAll(client, items.map((Item) => ({ table, request: { PutRequest: { Item } } })));

/** Deletes the item of every key (`pk`, `sk`: the key of each of the store's tables) from `table` (`batchWriteAll`). */
export const deleteAll = (client: DynamoDBClient, table: string, keys: readonly Item[]): Promise<void> =>
  batchWriteAll(client, keys.map(({ pk, sk }) => ({ table, request: { DeleteRequest: { Key: { pk, sk } } } })));

/**
 * Reads every key, 100 to a BatchGetItem call, all calls in parallel, and retries
 * `UnprocessedKeys` with backoff; strongly consistent when `consistentRead` is true, or for the
 * tables it names.
 * @returns the items found, per table
 * @throws ServiceUnavailableError when keys stay unprocessed after `retry.maxAttempts`
 */
export async function batchGetAll(
  client: DynamoDBClient,
  keys: readonly { table: string; key: Item }[],
  options: { projection?: Record<string, string>; consistentRead?: boolean | readonly string[]; meter?: CapacityMeter; retry?: RetryPolicy } = {},
): Promise<Record<string, Item[]>> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const found: Record<string, Item[]> = {};
  await Promise.all(
    chunks(keys, BATCH_GET_LIMIT).map(async (chunk) => {
      let pending: Record<string, KeysAndAttributes> = {};
      for (const { table, key } of chunk) {
        pending[table] ??= {
          Keys: [],
          ConsistentRead: Array.isArray(options.consistentRead) ? options.consistentRead.includes(table) : (options.consistentRead as boolean | undefined),
          ...(options.projection?.[table] ? { ProjectionExpression: options.projection[table] } : {}),
        };
        pending[table].Keys!.push(key);
      }
      for (let attempt = 0; ; attempt++) {
        const out = await client.send(new BatchGetItemCommand({ RequestItems: pending, ReturnConsumedCapacity: options.meter ? 'TOTAL' : undefined }));
        options.meter?.add(out.ConsumedCapacity);
        for (const [table, items] of Object.entries(out.Responses ?? {})) (found[table] ??= []).push(...items);
        const left = out.UnprocessedKeys ?? {};
        if (Object.values(left).every((k) => (k.Keys ?? []).length === 0)) return;
        if (attempt + 1 >= retry.maxAttempts) {
          throw new ServiceUnavailableError(`DynamoDB left keys unprocessed after ${retry.maxAttempts} attempts`);
        }
        pending = left;
        await backOff(attempt, retry);
      }
    }),
  );
  return found;
}

/**
 * Every item of one partition (optionally only sort keys starting with `skPrefix`, or from
 * `skFrom` on, and only the attributes of `projection`: an expression, or attribute names, which
 * may be reserved words), strongly consistent, following pages.
 */
export async function queryAll(client: DynamoDBClient, table: string, pk: string, skPrefix?: string, projection?: string | readonly string[], skFrom?: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  const names = typeof projection === 'object' ? projection : undefined;
  do {
    const page: QueryCommandOutput = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :p)' : skFrom ? 'pk = :pk AND sk >= :f' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk }, ...(skPrefix ? { ':p': { S: skPrefix } } : skFrom ? { ':f': { S: skFrom } } : {}) },
        ...(typeof projection === 'string' ? { ProjectionExpression: projection } : {}),
        ...(names
          ? { ProjectionExpression: names.map((_, i) => `#a${i}`).join(', '), ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#a${i}`, n])) }
          : {}),
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Writes `items` in one DynamoDB transaction (TransactWriteItems: all or nothing, at most 100
 * items; https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html).
 * @returns the index of each item whose condition failed, when the transaction was cancelled for
 *   failed conditions only; undefined when it was written
 * @throws the SDK's error for any other failure
 */
export async function writeAtomically(client: DynamoDBClient, items: readonly TransactWriteItem[]): Promise<number[] | undefined> {
  try {
    await client.send(new TransactWriteItemsCommand({ TransactItems: [...items] }));
    return undefined;
  } catch (err) {
    if ((err as Error).name === 'UnknownOperationException') return writeInTurn(client, items);
    if (!(err instanceof TransactionCanceledException)) throw err;
    const reasons = err.CancellationReasons ?? [];
    const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
    if (failed.length === 0 || reasons.some((r) => r.Code && r.Code !== 'None' && r.Code !== 'ConditionalCheckFailed')) throw err;
    return failed;
  }
}

/**
 * The items one at a time, in order, each with its own condition, stopping at the first that
 * fails: for dynalite (local mode without Java), which has no transactions. Not atomic (the
 * lists' transactions put their conditional counter update first, so a lost race writes nothing); DynamoDB
 * and DynamoDB Local always take the transaction.
 */
async function writeInTurn(client: DynamoDBClient, items: readonly TransactWriteItem[]): Promise<number[] | undefined> {
  for (const [i, item] of items.entries()) {
    try {
      if (item.Put) await client.send(new PutItemCommand(item.Put));
      else if (item.Update) await client.send(new UpdateItemCommand(item.Update));
      else if (item.Delete) await client.send(new DeleteItemCommand(item.Delete));
      else throw new Error('writeInTurn takes Put, Update and Delete items only');
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return [i];
      throw err;
    }
  }
  return undefined;
}
