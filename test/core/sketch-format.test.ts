// Tests packing and unpacking stored sketches, and the 1- and 2-bit sketch layouts.
import { centreOf, Hasher } from '../../lambda/core/hasher';
import { PRNG_VERSION } from '../../lambda/core/prng';
import { DEFAULT_INDEX_PARAMS } from '../../lambda/core/params';
import { SketchEstimator } from '../../lambda/core/sketch-estimator';
import { packedSketchBytes, packSketch, sketchLayout, sketchLevel, unpackSketch } from '../../lambda/core/sketch-format';
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
    expect(Math.abs(u.offset - e.offset)).toBeLessThanOrEqual(Math.abs(e.offset) * 2 ** -8);
    expect(Math.abs(u.error! - e.error!)).toBeLessThanOrEqual(e.error! * 2 ** -8);
    expect(u.gain).toBe(Math.fround(e.gain!));
    const estimator = new SketchEstimator('cosine', hasher.encodeQuery(data.vectors[3]));
    expect(estimator.angle(u).angle).toBeLessThan(0.01);
    expect(estimator.estimate(u)).toBeLessThan(estimator.estimate(unpackSketch(packSketch(hasher.encode(data.vectors[400])), DEFAULT_INDEX_PARAMS.sketchBits)));
    expect(() => unpackSketch(packSketch(e).subarray(1), DEFAULT_INDEX_PARAMS.sketchBits)).toThrow(/has 68 or 74 bytes, got 73/);
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
