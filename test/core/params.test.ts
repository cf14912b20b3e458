// Tests the default sketchBits of a dimension and how index parameters resolve and are checked.
import { MAX_DIMENSION, MAX_SKETCH_BUILD_WORK } from '../../lambda/core/limits';
import { collectionIndexParams, DEFAULT_INDEX_PARAMS, defaultSketchBits, maxSketchBits, resolveIndexParams, sketchBuildWork } from '../../lambda/core/params';

describe('index parameters', () => {
  it('defaults sketchBits to twice the dimension, rounded up to a multiple of 8, at most 384', () => {
    expect(defaultSketchBits(100)).toBe(200);
    expect(defaultSketchBits(13)).toBe(32);
    expect(defaultSketchBits(384)).toBe(DEFAULT_INDEX_PARAMS.sketchBits);
    expect(defaultSketchBits(784)).toBe(DEFAULT_INDEX_PARAMS.sketchBits);
    expect(DEFAULT_INDEX_PARAMS.sketchBits).toBe(384);
  });

  it('applies the default of the dimension unless sketchBits is given, and checks it', () => {
    // GIVEN a 100-dimensional collection
    // WHEN created with no index, or with sketchBits
    // THEN the dimension's default applies, an explicit value wins, and a bad one is refused naming the field
    expect(resolveIndexParams(undefined, 'index', 100).sketchBits).toBe(200);
    expect(resolveIndexParams({ sketchBits: 512 }, 'index', 100).sketchBits).toBe(512);
    expect(resolveIndexParams(undefined).sketchBits).toBe(DEFAULT_INDEX_PARAMS.sketchBits);
    expect(() => resolveIndexParams({ sketchBits: 100 }, 'index', 100)).toThrow(/index.sketchBits must be a multiple of 8/);
    expect(() => resolveIndexParams({ sketchBits: 16 }, 'index', 100)).toThrow(/index.sketchBits must be between 32 and 2048/);
  });

  it('refuses a sketch whose directions would take too long to build at the dimension, naming the max', () => {
    // GIVEN 4,096 dimensions, where 2,048 sketch bits is 2,048 directions in one Gram-Schmidt block
    // WHEN created with sketchBits 2048, or just above the largest allowed
    // THEN a 400 names index.sketchBits, the rule and the max for 4,096 dimensions; the max itself and the default are accepted
    const max = maxSketchBits(4096);
    expect(max).toBeLessThan(1024);
    expect(() => resolveIndexParams({ sketchBits: 2048 }, 'index', 4096)).toThrow(new RegExp(`index.sketchBits must be at most ${max} for 4096 dimensions: .*Gram-Schmidt`));
    expect(() => resolveIndexParams({ sketchBits: max + 8 }, 'index', 4096)).toThrow(/index.sketchBits must be at most/);
    expect(resolveIndexParams({ sketchBits: max }, 'index', 4096).sketchBits).toBe(max);
    expect(resolveIndexParams(undefined, 'index', 4096).sketchBits).toBe(384);
    // small dimensions keep the whole range
    expect(resolveIndexParams({ sketchBits: 2048 }, 'index', 384).sketchBits).toBe(2048);
  });

  it('derives the max from MAX_SKETCH_BUILD_WORK: every shorter sketch fits, the next does not, and every default fits', () => {
    for (const d of [1, 3, 100, 384, 768, 1000, 1024, 1100, 1536, 3000, MAX_DIMENSION]) {
      const max = maxSketchBits(d);
      // in the dimension and in one more (dot's lift)
      const work = (bits: number) => Math.max(sketchBuildWork(d, bits), sketchBuildWork(d + 1, bits));
      for (let bits = 32; bits <= max; bits += 8) expect(work(bits)).toBeLessThanOrEqual(MAX_SKETCH_BUILD_WORK);
      if (max < 2048) expect(work(max + 8)).toBeGreaterThan(MAX_SKETCH_BUILD_WORK);
    }
    for (let d = 1; d <= MAX_DIMENSION; d++) expect(defaultSketchBits(d)).toBeLessThanOrEqual(maxSketchBits(d));
  });

  it('counts the Gram-Schmidt work in blocks of the dimension, and 2 bits per direction from twice the dimension', () => {
    // 1,024 directions at 4,096 dimensions: one block
    expect(sketchBuildWork(4096, 1024)).toBe(((1024 * 1023) / 2) * 4096);
    // 1,000 directions at 768 dimensions: blocks of 768 and 232
    expect(sketchBuildWork(768, 1000)).toBe(((768 * 767) / 2) * 768 + ((232 * 231) / 2) * 768);
    // 1,536 bits at 768 dimensions: 768 directions of 2 bits
    expect(sketchBuildWork(768, 1536)).toBe(((768 * 767) / 2) * 768);
  });
});

describe('collectionIndexParams', () => {
  it('keeps one hash table in k-means lists and the default number with hash tables, the sketch sized to the dimension either way', () => {
    // GIVEN no overrides for a 784-d collection
    // WHEN its index is resolved for each method
    const lists = collectionIndexParams(undefined, 784, 'ivf');
    const tables = collectionIndexParams(undefined, 784, 'lsh');
    // THEN lists keep one hash table, hash tables the default; both sketch with the dimension's default bits
    expect(lists).toEqual({ ...DEFAULT_INDEX_PARAMS, sketchBits: defaultSketchBits(784), hashTables: 1 });
    expect(tables).toEqual({ ...DEFAULT_INDEX_PARAMS, sketchBits: defaultSketchBits(784) });
    // AND overrides are checked as resolveIndexParams checks them
    expect(() => collectionIndexParams({ recallTarget: 2 }, 784, 'ivf')).toThrow(/index.recallTarget must be a number between/);
  });
});
