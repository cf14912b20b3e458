// Tests the option-value parsers shared by `whiplash` and the benchmark commands: ranges, lists, and
// blank values, which Number() would read as 0.
import { InvalidArgumentError } from 'commander';
import { int, intList, positiveNumber } from '../../lib/cli/parse';

describe('option parsers', () => {
  test('int accepts integers in its range and names the range otherwise', () => {
    // GIVEN
    const port = int(1, 65535);
    const count = int(0);
    // THEN
    expect(port('8080')).toBe(8080);
    expect(count('0')).toBe(0);
    expect(() => port('0')).toThrow(/must be an integer from 1 to 65535/);
    expect(() => port('1.5')).toThrow(InvalidArgumentError);
    expect(() => count('-1')).toThrow(/must be an integer of at least 0/);
    expect(() => count('')).toThrow(/must be an integer of at least 0/);
    expect(() => count(' ')).toThrow(InvalidArgumentError);
  });

  test('intList parses comma-separated integers and rejects a list with any item out of range or blank', () => {
    // GIVEN
    const probes = intList(0);
    const lists = intList(1, 4096);
    // THEN
    expect(probes('0, 4,8')).toEqual([0, 4, 8]);
    expect(lists('256')).toEqual([256]);
    expect(() => lists('256,0')).toThrow(/must be a comma-separated list of integers from 1 to 4096/);
    expect(() => probes('1,,2')).toThrow(/of integers of at least 0/);
    expect(() => probes('')).toThrow(InvalidArgumentError);
    expect(() => probes('1,x')).toThrow(InvalidArgumentError);
  });

  test('positiveNumber accepts finite numbers above 0 only', () => {
    expect(positiveNumber('0.25')).toBe(0.25);
    for (const bad of ['0', '-1', 'Infinity', 'x']) expect(() => positiveNumber(bad)).toThrow(/must be a positive number/);
  });
});
