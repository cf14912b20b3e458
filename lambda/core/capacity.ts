// DynamoDB's capacity units by item size: what one read and one write are billed. Pure functions the store,
// the planner and the cost model share.

/** Bytes of one read unit's step: 4 KB or part of it. */
export const READ_UNIT_BYTES = 4096;

/**
 * Read capacity units of one Query page or one item of a BatchGetItem/GetItem that returned
 * `bytes`: 4 KB or part of it costs one unit strongly consistent, half eventually consistent;
 * a read that returns nothing still costs the minimum.
 * Source: Amazon DynamoDB Developer Guide, "Read consumption for Query"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html).
 */
export function readUnits(bytes: number, consistent = false): number {
  return Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES)) * (consistent ? 1 : 0.5);
}

/**
 * Write capacity units of one write (PutItem, UpdateItem, DeleteItem, or a BatchWriteItem request)
 * of an item of `bytes`: 1 KB or part of it costs one unit, at least one; a transaction bills
 * each of its writes twice that.
 * Source: Amazon DynamoDB Developer Guide, "Write consumption"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html).
 */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}
