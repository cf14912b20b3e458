// Tests DynamoDB's capacity units by item size, as the store, the planner and the cost model price reads and writes.
import { readUnits, writeUnits } from '../../lambda/core/capacity';

describe('readUnits', () => {
  it('charges whole 4 KB blocks, half for eventually consistent reads, with a minimum', () => {
    expect(readUnits(0)).toBe(0.5);
    expect(readUnits(4096)).toBe(0.5);
    expect(readUnits(4097)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
  });
});

describe('writeUnits', () => {
  it('charges writes by whole 1 KB blocks, at least one', () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(writeUnits(3206)).toBe(4);
  });
});
