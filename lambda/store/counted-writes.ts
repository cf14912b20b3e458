// Writes that make vector items live or not (creations, tombstones), each chunk committed in one
// DynamoDB transaction with the collection's counter, so `vectorCount` equals the live items.
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ServiceUnavailableError } from '../core/errors';
import { backOff, DEFAULT_RETRY, RetryPolicy } from './batch';

/**
 * TransactWriteItems takes at most 100 actions
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html);
 * one of them is the counter.
 */
export const COUNTED_WRITES_PER_TRANSACTION = 99;

/** The collection's vector counter, as the writes that change it see it. */
export interface VectorCounter {
  /** The counter's update by `delta`, conditional on the collection still being the one written to. */
  update(delta: number): TransactWriteItem;
  /** Called once an update by `delta` has been committed. */
  committed(delta: number): void;
  /** The error to throw when that condition fails (the collection was dropped or re-created). */
  stale(): Error;
}

/** One conditional write of a vector item and what it does to the count. */
export interface CountedWrite {
  readonly write: TransactWriteItem;
  /** +1: the item becomes live (created, or written over a tombstone); -1: it stops being live. */
  readonly delta: 1 | -1;
}

/** Cancellation reasons that say another request held an item: the same transaction may go again. */
const TRANSIENT = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/**
 * Commits `writes` in transactions of up to `COUNTED_WRITES_PER_TRANSACTION`, each with the
 * counter's update by the sum of its deltas: a write and its count land together or not at all,
 * whatever fails after, so a retried request never counts twice nor misses a count. A write whose
 * own condition fails is left out (the caller re-reads that item) and the rest of its chunk goes
 * again; a chunk that met another transaction on the counter goes again after a jittered backoff.
 * Chunks run one after the other: they would only conflict on the counter.
 * @returns for each write, whether it landed
 * @throws the counter's `stale()` error when the collection was dropped or re-created (nothing of
 *   that chunk landed); ServiceUnavailableError when conflicts persist past `retry.maxAttempts`
 */
export async function writeCounted(
  client: DynamoDBClient,
  writes: readonly CountedWrite[],
  counter: VectorCounter,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<boolean[]> {
  const landed = new Array<boolean>(writes.length).fill(false);
  for (let start = 0; start < writes.length; start += COUNTED_WRITES_PER_TRANSACTION) {
    let todo = Array.from({ length: Math.min(COUNTED_WRITES_PER_TRANSACTION, writes.length - start) }, (_, j) => start + j);
    for (let attempt = 0; todo.length > 0; ) {
      const delta = todo.reduce((s, i) => s + writes[i].delta, 0);
      try {
        await client.send(new TransactWriteItemsCommand({ TransactItems: [...todo.map((i) => writes[i].write), counter.update(delta)] }));
        for (const i of todo) landed[i] = true;
        counter.committed(delta);
        break;
      } catch (err) {
        if ((err as Error).name === 'UnknownOperationException') {
          await writeInTurn(client, todo, writes, counter, landed);
          break;
        }
        if (!(err instanceof TransactionCanceledException)) throw err;
        const reasons = err.CancellationReasons ?? [];
        if (reasons[todo.length]?.Code === 'ConditionalCheckFailed') throw counter.stale();
        const failed = new Set(todo.filter((_, j) => reasons[j]?.Code === 'ConditionalCheckFailed'));
        if (failed.size > 0) {
          todo = todo.filter((i) => !failed.has(i));
          continue;
        }
        if (!reasons.some((r) => r.Code && TRANSIENT.has(r.Code))) throw err;
        if (++attempt >= retry.maxAttempts) throw new ServiceUnavailableError('the collection is busy with concurrent writes; retry');
        await backOff(attempt, retry);
      }
    }
  }
  return landed;
}

/**
 * For dynalite (local mode without Java), which has no transactions: each write alone, then the
 * counter by what landed. Not atomic; DynamoDB and DynamoDB Local always take the transaction.
 */
async function writeInTurn(client: DynamoDBClient, todo: readonly number[], writes: readonly CountedWrite[], counter: VectorCounter, landed: boolean[]): Promise<void> {
  let delta = 0;
  for (const i of todo) {
    const { Put, Update, Delete } = writes[i].write;
    try {
      if (Put) await client.send(new PutItemCommand(Put));
      else if (Update) await client.send(new UpdateItemCommand(Update));
      else if (Delete) await client.send(new DeleteItemCommand(Delete));
      landed[i] = true;
      delta += writes[i].delta;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }
  try {
    await client.send(new UpdateItemCommand(counter.update(delta).Update!));
    counter.committed(delta);
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw counter.stale();
    throw err;
  }
}
