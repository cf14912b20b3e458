// Tests the filter index's pure rules: the values it holds, the terms of a filter it answers, the
// query path choice, and its keys (order-preserving numbers, ranges, prefixes; fast-check properties).
import fc from 'fast-check';
import { compileFilter } from '../../lambda/core/filter';
import { BUCKET_MATCH_MARGIN, chooseSearchPath, expectedBucketMatches, indexedValues, indexTerms } from '../../lambda/core/filter-index';
import { MAX_FILTER_INDEX_MATCHES, MAX_FILTER_INDEX_READS } from '../../lambda/core/limits';
import { encodeNumberKey, filterNumberRange, filterSortKey, filterValuePrefix, idFromFilterSortKey, numberPrefixLength } from '../../lambda/store/key-format';
import { decodePending, encodePending, filterVersionOf } from '../../lambda/store/filter-index';

// DynamoDB compares string sort keys by their UTF-8 bytes.
const byteCompare = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const between = (sk: string, r: { lower: string; upper: string }) => byteCompare(sk, r.lower) >= 0 && byteCompare(sk, r.upper) <= 0;

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const version = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
const anyId = fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }).filter((s) => !/[\u0000-\u001f]/.test(s));

describe('the values the filter index holds', () => {
  it('holds each scalar and each distinct element of a list of strings', () => {
    expect(indexedValues({ genre: 'drama', year: 1999, new: false, tags: ['a', 'b', 'a'] })).toEqual([
      ['genre', 'drama'],
      ['year', 1999],
      ['new', false],
      ['tags', 'a'],
      ['tags', 'b'],
    ]);
    expect(indexedValues({})).toEqual([]);
  });
});

describe('the terms of a filter the index answers', () => {
  it('takes $eq, short forms, $in and numeric ranges of the top-level conjunction, and leaves $or, $ne, $nin and $exists', () => {
    const f = { genre: 'drama', year: { $gte: 1990, $lt: 2000, $ne: 1995 }, lang: { $in: ['en', 'de'] }, $or: [{ a: 1 }, { b: 2 }], c: { $nin: ['x'] }, d: { $exists: true } };
    compileFilter(f);
    expect(indexTerms(f)).toEqual([
      { key: 'genre', values: ['drama'] },
      { key: 'year', lower: { value: 1990, inclusive: true }, upper: { value: 2000, inclusive: false } },
      { key: 'lang', values: ['en', 'de'] },
    ]);
  });

  it('looks into a top-level $and and keeps the tighter of two bounds', () => {
    expect(indexTerms({ $and: [{ n: { $gt: 3, $gte: 3 } }, { $and: [{ k: { $eq: true } }] }] })).toEqual([
      { key: 'n', lower: { value: 3, inclusive: false } },
      { key: 'k', values: [true] },
    ]);
    expect(indexTerms({ $or: [{ a: 1 }] })).toEqual([]);
  });

  it(`reads at most ${MAX_FILTER_INDEX_READS} values in all, the cheapest terms first`, () => {
    const many = Array.from({ length: MAX_FILTER_INDEX_READS }, (_, i) => `v${i}`);
    const terms = indexTerms({ big: { $in: many }, a: 1, b: { $lt: 0 } });
    expect(terms).toEqual([
      { key: 'a', values: [1] },
      { key: 'b', upper: { value: 0, inclusive: false } },
    ]);
    expect(indexTerms({ big: { $in: many } })).toEqual([{ key: 'big', values: many }]);
  });
});

describe('the path of a filtered query', () => {
  const base = { topK: 10, bucketMatches: 100, bucketFetches: 50 };
  it('takes the buckets when the filter has no indexed term or matches more than the cap', () => {
    expect(chooseSearchPath({ ...base, indexMatches: undefined })).toBe('buckets');
    expect(chooseSearchPath({ ...base, bucketMatches: 0, indexMatches: MAX_FILTER_INDEX_MATCHES + 1 })).toBe('buckets');
  });
  it('takes the exact path when it fetches no more vectors than the re-rank would', () => {
    expect(chooseSearchPath({ ...base, indexMatches: 50 })).toBe('exact');
    expect(chooseSearchPath({ ...base, indexMatches: 51 })).toBe('buckets');
  });
  it('takes the exact path when the buckets nominated too few matches for top-k', () => {
    expect(chooseSearchPath({ ...base, indexMatches: MAX_FILTER_INDEX_MATCHES, bucketMatches: BUCKET_MATCH_MARGIN * 10 - 1 })).toBe('exact');
    expect(chooseSearchPath({ ...base, indexMatches: MAX_FILTER_INDEX_MATCHES, bucketMatches: BUCKET_MATCH_MARGIN * 10 })).toBe('buckets');
  });
  it('takes the exact path when the buckets likely missed more of the top-k than the recall target allows, within the re-rank cap', () => {
    const weighed = { ...base, indexMatches: 200, recallTarget: 0.95, rerankCap: 500 };
    expect(chooseSearchPath({ ...weighed, foundShare: 0.94 })).toBe('exact');
    expect(chooseSearchPath({ ...weighed, foundShare: 0.95 })).toBe('buckets');
    // more matches than the re-rank may fetch: the buckets, whatever they found
    expect(chooseSearchPath({ ...weighed, foundShare: 0.5, indexMatches: 501 })).toBe('buckets');
    // not weighed (the model): the other rules alone
    expect(chooseSearchPath({ ...base, indexMatches: 200 })).toBe('buckets');
  });
  it('expects the filter share of the candidates among the buckets', () => {
    expect(expectedBucketMatches(2000, 10, 10000)).toBe(2);
    expect(expectedBucketMatches(2000, 10, 0)).toBe(0);
  });
});

describe('filter index keys', () => {
  it('encodes numbers in 11 digits that sort as the numbers do (property)', () => {
    fc.assert(
      fc.property(finite, finite, (a, b) => {
        const [ka, kb] = [encodeNumberKey(a), encodeNumberKey(b)];
        expect(ka).toHaveLength(11);
        expect(Math.sign(byteCompare(ka, kb))).toBe(a === b ? 0 : Math.sign(a - b));
      }),
      { numRuns: 2000 },
    );
    expect(encodeNumberKey(-0)).toBe(encodeNumberKey(0));
    expect(byteCompare(encodeNumberKey(-Number.MAX_VALUE), encodeNumberKey(-Number.MIN_VALUE))).toBeLessThan(0);
  });

  it('selects with a range exactly the numeric entries of the key within the bounds (property)', () => {
    const bound = fc.option(fc.record({ value: finite, inclusive: fc.boolean() }), { nil: undefined });
    fc.assert(
      fc.property(finite, bound, bound, anyId, (x, lower, upper, id) => {
        const sk = filterSortKey('year', x, id, version);
        const want = (!lower || (lower.inclusive ? x >= lower.value : x > lower.value)) && (!upper || (upper.inclusive ? x <= upper.value : x < upper.value));
        expect(between(sk, filterNumberRange('year', lower, upper))).toBe(want);
        // and never another key's, nor a string or boolean of this key
        expect(between(filterSortKey('yeas', x, id, version), filterNumberRange('year', lower, upper))).toBe(false);
        expect(between(filterSortKey('year', String(x), id, version), filterNumberRange('year'))).toBe(false);
        expect(idFromFilterSortKey(sk, numberPrefixLength('year'))).toBe(id);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives each value a prefix that its entries and no other value of the key share, and the id back', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), finite, fc.boolean()), fc.oneof(fc.string(), finite, fc.boolean()), anyId, (a, b, id) => {
        const sk = filterSortKey('k', a, id, version);
        expect(sk.startsWith(filterValuePrefix('k', a))).toBe(true);
        const same = a === b || (typeof a === 'number' && typeof b === 'number' && a === b);
        // strings holding "\0" may share another's prefix: the query re-checks every vector
        if (!(typeof a === 'string' && a.includes('\u0000'))) expect(sk.startsWith(filterValuePrefix('k', b))).toBe(same);
        expect(idFromFilterSortKey(sk, filterValuePrefix('k', a).length)).toBe(id);
      }),
    );
  });

  it('keeps a sort key within 1,024 bytes for the longest key, value and id, hashing long strings', () => {
    const key = '\u{10ffff}'.repeat(32); // 64 UTF-16 units, 128 bytes
    const id = 'é'.repeat(256); // 512 bytes
    const long = 'x'.repeat(2000);
    const sk = filterSortKey(key, long, id, version);
    expect(Buffer.byteLength(sk, 'utf8')).toBeLessThanOrEqual(1024);
    expect(sk.startsWith(filterValuePrefix(key, long))).toBe(true);
    expect(filterValuePrefix(key, long)).not.toBe(filterValuePrefix(key, long + 'y'));
    expect(Buffer.byteLength(filterSortKey('ж'.repeat(64), 'ж'.repeat(128), id, version), 'utf8')).toBeLessThanOrEqual(1024);
  });

  it('derives the version from the metadata and the item it replaces, and records pending versions losslessly', () => {
    const w = new Uint8Array(8).fill(9);
    expect(filterVersionOf('{"a":1}', w)).toEqual(filterVersionOf('{"a":1}', w));
    expect(filterVersionOf('{"a":1}', w)).not.toEqual(filterVersionOf('{"a":1}', undefined));
    expect(filterVersionOf('{"a":1}', w)).not.toEqual(filterVersionOf('{"a":2}', w));
    const pending = [{ version, metadata: { a: 'x"\u0000', n: [] as string[], t: ['y'] } }];
    expect(decodePending(encodePending(pending))).toEqual(pending);
    expect(encodePending([{ version, metadata: {} }])).toEqual([]);
  });
});
