// Tests that the capacity meter counts the read and write units DynamoDB Local reports, reads and writes apart.
import { GetItemCommand, GetItemCommandInput, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { attachCapacityMeter } from '../../bench/meter';
import { useTestTables } from '../support/tables';
import { realRows } from './fixtures';

describe('capacity meter on a DynamoDB client', () => {
  const db = useTestTables();

  test('counts the units DynamoDB reports, for calls that did not ask for them, reads and writes apart', async () => {
    const { client, tables } = db;
    const meter = attachCapacityMeter(client);
    // 3 real MiniLM vectors as float32 bytes: 4,608 bytes, plus names and keys: between 4 and 5 KB
    const vector = new Uint8Array(realRows(3).data.slice(0, 3 * 384).buffer);
    await client.send(new PutItemCommand({ TableName: tables.vectors, Item: { pk: { S: 'a' }, sk: { S: '1' }, v: { B: vector } } }));
    expect(meter.writeUnits).toBe(5); // one write unit per started KB
    expect(meter.readUnits).toBe(0);

    const input: GetItemCommandInput = { TableName: tables.vectors, Key: { pk: { S: 'a' }, sk: { S: '1' } } };
    await client.send(new GetItemCommand(input));
    expect(meter.readUnits).toBe(1); // two started 4 KB blocks, eventually consistent: half a unit each
    expect(input.ReturnConsumedCapacity).toBeUndefined(); // the caller's input is left alone
    await client.send(new GetItemCommand({ ...input, ConsistentRead: true }));
    expect(meter.readUnits).toBe(3);
    expect(meter.calls).toBe(3);

    meter.reset();
    await client.send(new QueryCommand({ TableName: tables.vectors, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'a' } } }));
    expect([meter.readUnits, meter.writeUnits, meter.calls]).toEqual([1, 0, 1]);
  });
});
