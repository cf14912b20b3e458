// A client middleware that counts the read and write capacity DynamoDB reports for every call.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { capacityUnits } from './ddb';

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

/** Capacity DynamoDB reported for every call made through one client, counted independently of the caller. */
export interface CapacityMeter {
  readonly readUnits: number;
  readonly writeUnits: number;
  /** DynamoDB calls made (every command, metered or not). */
  readonly calls: number;
  reset(): void;
}

/**
 * Counts the capacity DynamoDB reports for every call made through `client`, by a middleware
 * that asks for `ReturnConsumedCapacity: TOTAL` on every data-plane command (unless the caller
 * asked for it already) and sums `ConsumedCapacity` of the answers. It observes the real calls;
 * it changes nothing else. The benchmark uses it to check the store's own `readUnits` and to
 * measure write units of ingest, which the store does not report.
 */
export function attachCapacityMeter(client: DynamoDBClient): CapacityMeter {
  const m = { readUnits: 0, writeUnits: 0, calls: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context as { commandName?: string }).commandName ?? '';
      const metered = READS.has(name) || WRITES.has(name);
      const input = args.input as { ReturnConsumedCapacity?: string };
      const call = metered && !input.ReturnConsumedCapacity ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } } : args;
      const out = await next(call);
      m.calls++;
      const units = capacityUnits((out.output as { ConsumedCapacity?: Parameters<typeof capacityUnits>[0] }).ConsumedCapacity);
      if (READS.has(name)) m.readUnits += units;
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
    get calls() {
      return m.calls;
    },
    reset() {
      m.readUnits = 0;
      m.writeUnits = 0;
      m.calls = 0;
    },
  };
}
