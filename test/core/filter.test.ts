// Tests metadata filters (operators, lists, $and/$or, refusals) and the checks on metadata.
import { ValidationError } from '../../lambda/core/errors';
import { compileFilter } from '../../lambda/core/filter';
import { MAX_FILTER_BRANCHES, MAX_FILTER_VALUES } from '../../lambda/core/limits';
import { checkMetadata } from '../../lambda/core/metadata';

describe('compileFilter', () => {
  const doc = { genre: 'drama', year: 2019, tags: ['a', 'b'], draft: false };
  const cases: [unknown, boolean][] = [
    [{ genre: 'drama' }, true],
    [{ genre: { $eq: 'comedy' } }, false],
    [{ genre: { $ne: 'comedy' } }, true],
    [{ year: { $gt: 2018, $lte: 2019 } }, true],
    [{ year: { $lt: 2019 } }, false],
    [{ year: { $gte: 2019 } }, true],
    [{ genre: { $in: ['drama', 'comedy'] } }, true],
    [{ genre: { $nin: ['drama'] } }, false],
    [{ tags: 'b' }, true],
    [{ tags: { $in: ['x', 'a'] } }, true],
    [{ tags: { $nin: ['a'] } }, false],
    [{ missing: { $exists: false } }, true],
    [{ missing: { $ne: 'x' } }, true],
    [{ missing: 'x' }, false],
    [{ year: { $gt: 'a' === 'a' ? 1 : 0 }, genre: 'x' }, false],
    [{ $or: [{ genre: 'x' }, { draft: false }] }, true],
    [{ $and: [{ genre: 'drama' }, { year: { $lt: 2000 } }] }, false],
  ];
  it.each(cases)('%j -> %s', (filter, expected) => {
    expect(compileFilter(filter)(doc)).toBe(expected);
  });

  it('rejects unknown operators and wrong operand types, naming the path', () => {
    expect(() => compileFilter({ year: { $regex: 'x' } })).toThrow(/filter\.year\.\$regex is not a field operator/);
    expect(() => compileFilter({ year: { $gt: '2019' } })).toThrow(/filter\.year\.\$gt must be a finite number/);
    expect(() => compileFilter({ $or: [] })).toThrow(/filter\.\$or must be a non-empty list/);
    expect(() => compileFilter({ $not: {} })).toThrow(ValidationError);
    expect(() => compileFilter([])).toThrow(/filter must be an object/);
  });
});

describe('compileFilter reads only the metadata\'s own keys, within bounds', () => {
  it('does not see inherited properties such as constructor or __proto__', () => {
    const doc = { genre: 'drama' };
    expect(compileFilter({ constructor: { $exists: true } })(doc)).toBe(false);
    expect(compileFilter({ constructor: { $exists: false } })(doc)).toBe(true);
    expect(compileFilter({ toString: { $ne: 'x' } })(doc)).toBe(true);
    // as a request body parses it: an own key named __proto__
    expect(compileFilter(JSON.parse('{"__proto__": {"$exists": true}}'))(doc)).toBe(false);
    expect(compileFilter({ hasOwnProperty: { $in: ['x'] } })(doc)).toBe(false);
    expect(compileFilter({ constructor: 'x' })({ constructor: 'x' } as never)).toBe(true);
  });

  it('refuses $in lists and $or branches past the limits, naming the limit', () => {
    const values = Array.from({ length: MAX_FILTER_VALUES + 1 }, (_, i) => i);
    expect(() => compileFilter({ year: { $in: values.slice(0, MAX_FILTER_VALUES) } })).not.toThrow();
    expect(() => compileFilter({ year: { $in: values } })).toThrow(new RegExp(`filter.year.\\$in must have at most ${MAX_FILTER_VALUES} values`));
    expect(() => compileFilter({ year: { $nin: values } })).toThrow(ValidationError);
    const branches = Array.from({ length: MAX_FILTER_BRANCHES + 1 }, (_, i) => ({ year: i }));
    expect(() => compileFilter({ $or: branches.slice(0, MAX_FILTER_BRANCHES) })).not.toThrow();
    expect(() => compileFilter({ $or: branches })).toThrow(new RegExp(`filter.\\$or must have at most ${MAX_FILTER_BRANCHES} filters`));
  });
});

describe('checkMetadata', () => {
  it('accepts strings, numbers, booleans and lists of strings', () => {
    expect(checkMetadata({ a: 'x', b: 1.5, c: true, d: ['p', 'q'] })).toEqual({ a: 'x', b: 1.5, c: true, d: ['p', 'q'] });
    expect(checkMetadata(undefined)).toEqual({});
  });
  it('rejects nested objects, non-finite numbers, $ keys and oversized metadata', () => {
    expect(() => checkMetadata({ a: { b: 1 } })).toThrow(/metadata\.a must be a string, a finite number/);
    expect(() => checkMetadata({ a: [1, 2] })).toThrow(/metadata\.a must be a list of strings/);
    expect(() => checkMetadata({ $a: 1 })).toThrow(/must not start with "\$"/);
    expect(() => checkMetadata({ a: 'x'.repeat(3000) })).toThrow(/at most 2048 bytes/);
  });
});
