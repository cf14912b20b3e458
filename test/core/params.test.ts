// Tests the default sketchBits of a dimension and how index parameters resolve and are checked.
import { DEFAULT_INDEX_PARAMS, defaultSketchBits, resolveIndexParams } from '../../lambda/core/params';

describe('index parameters', () => {
  it('defaults sketchBits to twice the dimension, rounded up to a multiple of 8, at most 512', () => {
    expect(defaultSketchBits(100)).toBe(200);
    expect(defaultSketchBits(13)).toBe(32);
    expect(defaultSketchBits(384)).toBe(DEFAULT_INDEX_PARAMS.sketchBits);
    expect(defaultSketchBits(784)).toBe(DEFAULT_INDEX_PARAMS.sketchBits);
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
});
