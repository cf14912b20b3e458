// A client middleware that counts the read and write capacity DynamoDB reports for every call
// (transactions priced from their items, as DynamoDB Local under-reports them).
import { DynamoDBClient, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { Item } from '../lambda/store/batch';
import { writeUnits } from '../lambda/core/capacity';
import { itemSize } from '../lambda/store/layout';
import { capacityUnits } from './ddb';

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

/** Capacity DynamoDB reported for every call made through one client, counted independently of the caller. */
export interface CapacityMeter {
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Of `writeUnits`, those of TransactWriteItems calls (computed by `transactWriteUnits`). */
  readonly transactionWriteUnits: number;
  /** What DynamoDB reported for those transactions (DynamoDB Local: one action's units for a whole transaction). */
  readonly transactionReportedUnits: number;
  /** DynamoDB calls made (every command, metered or not). */
  readonly calls: number;
  reset(): void;
}

/**
 * Counts the capacity DynamoDB reports for every call made through `client`, by a middleware
 * that asks for `ReturnConsumedCapacity: TOTAL` on every data-plane command (unless the caller
 * asked for it already) and sums `ConsumedCapacity` of the answers, except for TransactWriteItems,
 * whose units are computed from its actions (`transactWriteUnits`). It observes the real calls;
 * it changes nothing else. The benchmark uses it to check the store's own `readUnits` and to
 * measure write units of ingest, which the store does not report.
 */
export function attachCapacityMeter(client: DynamoDBClient): CapacityMeter {
  const m = { readUnits: 0, writeUnits: 0, calls: 0, txUnits: 0, txReported: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context as { commandName?: string }).commandName ?? '';
      const metered = READS.has(name) || WRITES.has(name);
      const input = args.input as { ReturnConsumedCapacity?: string };
      const call = metered && !input.ReturnConsumedCapacity ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } } : args;
      const out = await next(call);
      m.calls++;
      const units = capacityUnits((out.output as { ConsumedCapacity?: Parameters<typeof capacityUnits>[0] }).ConsumedCapacity);
      if (name === 'TransactWriteItemsCommand') {
        const computed = transactWriteUnits((args.input as { TransactItems?: TransactWriteItem[] }).TransactItems ?? []);
        m.writeUnits += computed;
        m.txUnits += computed;
        m.txReported += units;
      } else if (READS.has(name)) m.readUnits += units;
      else if (WRITES.has(name)) m.writeUnits += units;
      return out;
    },
    { step: 'initialize', name: 'whiplashBenchCapacityMeter' },
  );
  return {
    get readUnits() {
      return m.readUnits;
    },
    get writeUnits() {
      return m.writeUnits;
    },
    get transactionWriteUnits() {
      return m.txUnits;
    },
    get transactionReportedUnits() {
      return m.txReported;
    },
    get calls() {
      return m.calls;
    },
    reset() {
      Object.assign(m, { readUnits: 0, writeUnits: 0, calls: 0, txUnits: 0, txReported: 0 });
    },
  };
}

/**
 * Write units of one TransactWriteItems call as DynamoDB bills them: each action costs twice the
 * units of the same write outside a transaction, 1 per KB or part; a Put is sized by its item
 * (`itemSize` of lambda/store/layout.ts), an Update, Delete or ConditionCheck (which carry no item)
 * at the 1 KB minimum, so those are lower bounds. Source: Amazon DynamoDB Developer Guide,
 * "Capacity management for transactions"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html).
 */
export function transactWriteUnits(actions: readonly TransactWriteItem[]): number {
  return actions.reduce((s, a) => s + 2 * writeUnits(a.Put?.Item ? itemSize(a.Put.Item as Item) : 0), 0);
}
