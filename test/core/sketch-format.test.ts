// Tests packing and unpacking stored sketches, and the 1- and 2-bit sketch layouts.
import { centreOf, frameOf, Hasher } from '../../lambda/core/hasher';
import { PRNG_VERSION } from '../../lambda/core/prng';
import { DEFAULT_INDEX_PARAMS } from '../../lambda/core/params';
import { SketchEstimator } from '../../lambda/core/sketch-estimator';
import { coordinateCode, coordinateLevel, packedSketchBytes, packSketch, sketchLayout, sketchLevel, splitSketchLayout, unpackSketch } from '../../lambda/core/sketch-format';
import { loadMiniLm } from '../support/minilm';

describe('packSketch and unpackSketch on real embeddings', () => {
  const data = loadMiniLm();
  const hasher = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 11, PRNG_VERSION, centreOf(data.vectors, 'cosine'));

  it('round-trips the packed sketch, and estimates a vector at angle 0 to itself', () => {
    const e = hasher.encode(data.vectors[3]);
    const u = unpackSketch(packSketch(e), DEFAULT_INDEX_PARAMS.sketchBits);
    expect(packSketch(e).byteLength).toBe(packedSketchBytes(DEFAULT_INDEX_PARAMS.sketchBits));
    expect(u.sketch).toEqual(e.sketch);
    // bfloat16: relative error at most 2^-8; the gain is a float32
    expect(Math.abs(u.norm - e.norm)).toBeLessThanOrEqual(e.norm * 2 ** -8);
    expect(Math.abs(u.offset! - e.offset!)).toBeLessThanOrEqual(Math.abs(e.offset!) * 2 ** -8);
    expect(Math.abs(u.error! - e.error!)).toBeLessThanOrEqual(e.error! * 2 ** -8);
    expect(u.gain).toBe(Math.fround(e.gain!));
    const estimator = new SketchEstimator('cosine', hasher.encodeQuery(data.vectors[3]));
    expect(estimator.angle(u).angle).toBeLessThan(0.01);
    expect(estimator.estimate(u)).toBeLessThan(estimator.estimate(unpackSketch(packSketch(hasher.encode(data.vectors[400])), DEFAULT_INDEX_PARAMS.sketchBits)));
    expect(() => unpackSketch(packSketch(e).subarray(1), DEFAULT_INDEX_PARAMS.sketchBits)).toThrow(/a packed sketch of 384 bits has 52, 58, 62 or 64 bytes, got 57/);
  });
});

describe('the 2-bit sketch (sketchBits >= 2 x dimension)', () => {
  it('holds 2 bits per direction from twice the dimension, 1 below and in version 1', () => {
    expect(sketchLayout(100, 200, PRNG_VERSION)).toEqual({ directions: 100, bitsPerDirection: 2 });
    expect(sketchLayout(100, 512, PRNG_VERSION)).toEqual({ directions: 256, bitsPerDirection: 2 });
    expect(sketchLayout(100, 192, PRNG_VERSION)).toEqual({ directions: 192, bitsPerDirection: 1 });
    expect(sketchLayout(100, 200, 1)).toEqual({ directions: 200, bitsPerDirection: 1 });
    expect([0, 1, 2, 3].map((c) => sketchLevel(2, c))).toEqual([-0.4528, -1.51, 0.4528, 1.51]);
  });
});

describe('the split sketch (prngVersion 3 with a hashing subspace)', () => {
  it('spends the most bits per coordinate that leave a quarter of the sketch to the residual, and none when 4 bits do not', () => {
    expect(splitSketchLayout(512, 35)).toEqual({ coordinates: 35, bitsPerCoordinate: 6, coordinateBytes: 27, directions: 296 });
    expect(splitSketchLayout(512, 63)).toEqual({ coordinates: 63, bitsPerCoordinate: 6, coordinateBytes: 48, directions: 128 });
    expect(splitSketchLayout(512, 85)).toEqual({ coordinates: 85, bitsPerCoordinate: 4, coordinateBytes: 43, directions: 168 });
    expect(splitSketchLayout(200, 60)).toBeUndefined();
  });

  it('codes a coordinate by its cell of [-scale, scale], whose midpoint is its level', () => {
    for (const a of [-0.5, -0.31, 0, 0.01, 0.2, 0.5]) {
      const code = coordinateCode(6, a, 0.5);
      expect(code).toBeGreaterThanOrEqual(0);
      expect(code).toBeLessThan(64);
      expect(Math.abs(coordinateLevel(6, code, 0.5) - a)).toBeLessThanOrEqual(0.5 / 64 + 1e-12);
    }
    expect(coordinateCode(6, 0.3, 0)).toBe(0);
  });

  it('round-trips a split sketch on real embeddings', () => {
    // GIVEN MiniLM's hashing subspace and a version 3 Hasher
    const data = loadMiniLm();
    const frame = frameOf(data.vectors, 'cosine');
    const hasher = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 11, 3, frame.centre, undefined, frame.subspace);
    // WHEN a vector's sketch is packed and unpacked
    const e = hasher.encode(data.vectors[3]);
    const packed = packSketch(e);
    const u = unpackSketch(packed, DEFAULT_INDEX_PARAMS.sketchBits);
    // THEN it keeps its bytes, its errors as bfloat16 and its scale and weight as float32, and estimates itself at a cosine near 1
    expect(packed.byteLength).toBe(packedSketchBytes(DEFAULT_INDEX_PARAMS.sketchBits, true));
    expect(hasher.packedSketchBytes).toBe(packed.byteLength);
    expect(u.sketch).toEqual(e.sketch);
    expect(Math.abs(u.error! - e.error!)).toBeLessThanOrEqual(e.error! * 2 ** -8);
    expect(Math.abs(u.residualError! - e.residualError!)).toBeLessThanOrEqual(e.residualError! * 2 ** -8);
    expect(u.scale).toBe(Math.fround(e.scale!));
    expect(u.weight).toBe(Math.fround(e.weight!));
    const estimator = new SketchEstimator('cosine', hasher.encodeQuery(data.vectors[3]));
    expect(Math.cos(estimator.angle(u).angle)).toBeGreaterThan(0.99);
    expect(estimator.estimate(u)).toBeLessThan(estimator.estimate(unpackSketch(packSketch(hasher.encode(data.vectors[400])), DEFAULT_INDEX_PARAMS.sketchBits)));
  });

  it('leaves the offset c·y out of a Euclidean collection\'s split sketch, and estimates the same without it', () => {
    // GIVEN MiniLM's vectors as a Euclidean collection with a hashing subspace
    const data = loadMiniLm();
    const frame = frameOf(data.vectors, 'euclidean');
    const hasher = new Hasher(data.dimension, 'euclidean', DEFAULT_INDEX_PARAMS, 11, 3, frame.centre, undefined, frame.subspace);
    const bits = DEFAULT_INDEX_PARAMS.sketchBits;
    // WHEN vectors are encoded and packed
    const e = hasher.encode(data.vectors[3]);
    const packed = packSketch(e);
    const u = unpackSketch(packed, bits);
    // THEN the encoding has no offset and the packed sketch is 2 bytes shorter than a cosine collection's
    expect(e.offset).toBeUndefined();
    expect(packed.byteLength).toBe(packedSketchBytes(bits, true) - 2);
    expect(hasher.packedSketchBytes).toBe(packed.byteLength);
    expect(u.offset).toBeUndefined();
    expect(u.sketch).toEqual(e.sketch);
    expect(u.scale).toBe(Math.fround(e.scale!));
    expect(u.weight).toBe(Math.fround(e.weight!));
    expect(Math.abs(u.residualError! - e.residualError!)).toBeLessThanOrEqual(e.residualError! * 2 ** -8);
    // AND a query estimates every vector as it would with the offset stored (a Euclidean distance does not use it)
    const estimator = new SketchEstimator('euclidean', hasher.encodeQuery(data.vectors[3]));
    for (const i of [3, 17, 400]) {
      const without = unpackSketch(packSketch(hasher.encode(data.vectors[i])), bits);
      expect(estimator.estimate({ ...without, offset: 123 })).toBe(estimator.estimate(without));
    }
    // AND only a split sketch may leave its offset out
    const whole = new Hasher(data.dimension, 'euclidean', DEFAULT_INDEX_PARAMS, 11, 3, frame.centre).encode(data.vectors[3]);
    expect(() => packSketch({ ...whole, offset: undefined })).toThrow(/only a split sketch may leave out its offset/);
  });
});
