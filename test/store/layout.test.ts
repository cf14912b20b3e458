// Tests bucket key encoding and ranges, the bucket read plan, and item sizes as DynamoDB bills them.
import fc from 'fast-check';
import { CODE_BITS } from '../../lambda/core/params';
import { bucketPartition, bucketRange, bucketSortKey, encodeFixed, entryToken, idFromBucketSortKey, KEY_DIGITS } from '../../lambda/store/key-format';
import { packedSketchBytes } from '../../lambda/core/sketch-format';
import { bucketEntryItem, bucketReadPlan, itemSize } from '../../lambda/store/layout';
import { probeSequence } from '../../lambda/core/multiprobe';

// DynamoDB compares string sort keys by their UTF-8 bytes.
const byteCompare = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const inRange = (sk: string, r: { lower?: string; upper?: string }) =>
  (r.lower === undefined || byteCompare(sk, r.lower) >= 0) && (r.upper === undefined || byteCompare(sk, r.upper) <= 0);

const code = fc.integer({ min: 0, max: 2 ** CODE_BITS - 1 });
const id = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' });

describe('bucket keys', () => {
  it('uses digits in ascending byte order, so fixed-width encodings sort as their numbers', () => {
    expect([...KEY_DIGITS].sort((a, b) => byteCompare(a, b)).join('')).toBe(KEY_DIGITS);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 24 - 1 }), fc.integer({ min: 0, max: 2 ** 24 - 1 }), (a, b) => {
        expect(Math.sign(byteCompare(encodeFixed(a, 4), encodeFixed(b, 4)))).toBe(Math.sign(a - b));
      }),
    );
  });

  it('selects exactly the entries whose code shares the bucket depth leading bits (property)', () => {
    fc.assert(
      fc.property(code, code, id, fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: CODE_BITS }), (query, entry, entryId, partitionBits, d) => {
        const depth = Math.max(d, partitionBits);
        const samePartition = bucketPartition('abcdefgh', 3, query, partitionBits) === bucketPartition('abcdefgh', 3, entry, partitionBits);
        const sameBucket = depth === 0 || query >>> (CODE_BITS - depth) === entry >>> (CODE_BITS - depth);
        const sk = bucketSortKey(entry, partitionBits, entryId);
        expect(samePartition && inRange(sk, bucketRange(query, partitionBits, depth))).toBe(sameBucket);
        expect(idFromBucketSortKey(sk, partitionBits, false)).toBe(entryId);
        // AND the same holds with a version token between code and id (bucket layout 2)
        const tokened = bucketSortKey(entry, partitionBits, entryId, entryToken(Uint8Array.from([entry & 255, query & 255, 7])));
        expect(samePartition && inRange(tokened, bucketRange(query, partitionBits, depth))).toBe(sameBucket);
        expect(idFromBucketSortKey(tokened, partitionBits, true)).toBe(entryId);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps adjacent buckets apart at the boundary codes', () => {
    // GIVEN depth 10 with 4 partition bits: buckets span 2^14 codes
    const lo = 0b0101_110011 << 14;
    const r = bucketRange(lo, 4, 10);
    // THEN the bucket's first and last codes are in, its neighbours' are out
    expect(inRange(bucketSortKey(lo, 4, 'a'), r)).toBe(true);
    expect(inRange(bucketSortKey(lo + 2 ** 14 - 1, 4, '\u{10FFFF}x'), r)).toBe(true);
    expect(inRange(bucketSortKey(lo + 2 ** 14, 4, '!'), r)).toBe(false);
    expect(inRange(bucketSortKey(lo - 1, 4, '~'), r)).toBe(false);
    // AND the last bucket of a partition has no upper bound; a whole partition no bounds
    expect(bucketRange(2 ** CODE_BITS - 1, 4, 10).upper).toBeUndefined();
    expect(bucketRange(12345, 4, 4)).toEqual({});
  });
});

describe('bucketReadPlan', () => {
  it('reads exactly the probed buckets of every table, one more in the first `extraProbes` tables, adjacent buckets of one partition in one range; or one table whole when that takes no more reads (property)', () => {
    const margins = fc.array(fc.float({ min: 0, max: 10, noNaN: true }), { minLength: 2 * CODE_BITS, maxLength: 2 * CODE_BITS });
    fc.assert(
      fc.property(code, code, margins, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 1 }), (c0, c1, m, partitionBits, d, probes, extraProbes) => {
        // GIVEN a query's codes and margins in 2 tables, and the buckets its probe sequence visits
        const depth = Math.max(d, partitionBits);
        const query = { codes: Uint32Array.from([c0, c1]), margins: Float32Array.from(m) } as unknown as Parameters<typeof bucketReadPlan>[2];
        // WHEN the plan is made
        const reads = bucketReadPlan('abcdefgh', { hashTables: 2, partitionBits }, query, depth, probes, extraProbes);
        // a small collection's depth, with at least as many buckets probed as one table has: table 0 whole
        const whole = depth === partitionBits && 2 ** partitionBits <= 2 * (probes + 1) + extraProbes;
        if (whole) expect(reads).toHaveLength(2 ** partitionBits);
        for (let t = 0; t < 2; t++) {
          const probeSet = probeSequence(query.codes[t], m.slice(t * CODE_BITS), depth, t < extraProbes ? probes + 1 : probes).map((c) => c >>> (CODE_BITS - depth));
          const probed = new Set(whole ? (t === 0 ? Array.from({ length: 2 ** depth }, (_, p) => p) : []) : probeSet);
          const mine = reads.filter((r) => r.table === t);
          // THEN an entry of any bucket is read once if the bucket was probed, never otherwise
          for (let prefix = 0; prefix < 2 ** depth; prefix++) {
            const entry = (prefix * 2 ** (CODE_BITS - depth)) >>> 0;
            const sk = bucketSortKey(entry, partitionBits, 'id');
            const hits = mine.filter((r) => r.pk === bucketPartition('abcdefgh', t, entry, partitionBits) && inRange(sk, r)).length;
            expect(hits).toBe(probed.has(prefix) ? 1 : 0);
          }
          // AND no two reads of a table could have been one
          if (!whole) expect(mine.length).toBeLessThanOrEqual(probed.size);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('merges a bucket and its neighbour into one range', () => {
    // GIVEN depth 8 with 4 partition bits, and margins that make bit 7 (the last) the cheapest flip
    const margins = new Float32Array(CODE_BITS).fill(5);
    margins[7] = 0.1;
    const query = { codes: Uint32Array.from([0x120000]), margins } as unknown as Parameters<typeof bucketReadPlan>[2];
    // WHEN one probe is added
    const reads = bucketReadPlan('abcdefgh', { hashTables: 1, partitionBits: 4 }, query, 8, 1);
    // THEN buckets 0x12 and 0x13 are one Query over both
    expect(reads).toHaveLength(1);
    expect(reads[0]).toEqual({ table: 0, pk: bucketPartition('abcdefgh', 0, 0x120000, 4), lower: bucketRange(0x120000, 4, 8).lower, upper: bucketRange(0x130000, 4, 8).upper });
  });
});

describe('item sizes and read units', () => {
  it('sizes a bucket entry as DynamoDB bills it: names plus UTF-8 and binary bytes', () => {
    // GIVEN a packed 512-bit sketch (64 bytes, then norm, offset and error as bfloat16 and the gain as float32), 4 partition bits, id "12345"
    const item = bucketEntryItem('abcdefgh', 4, 15, 0xabcdef, '12345', new Uint8Array(packedSketchBytes(512)));
    // THEN pk = uid 8 + table 1 + partition 1, sk = 20 code bits in 4 digits + id 5, s = 74 bytes
    expect(item.pk.S).toHaveLength(10);
    expect(item.sk.S).toHaveLength(9);
    expect(itemSize(item)).toBe(2 + 10 + 2 + 9 + 1 + 74);
    expect(itemSize({ ...item, m: { S: '{"é":1}' } })).toBe(98 + 1 + 8);
  });

  it('sizes numbers by significant digits and containers with their overhead', () => {
    expect(itemSize({ n: { N: '12345' } })).toBe(1 + 4);
    expect(itemSize({ n: { N: '-0.00100' } })).toBe(1 + 2);
    expect(itemSize({ l: { L: [{ S: 'ab' }, { BOOL: true }] } })).toBe(1 + 3 + 1 + 2 + 1 + 1);
  });
});
