// Tests the sketch angle estimator on real embeddings: its error is what it reports and below the Hamming estimate's.
import { centreOf, frameOf, Hasher } from '../../lambda/core/hasher';
import { PRNG_VERSION } from '../../lambda/core/prng';
import { DEFAULT_INDEX_PARAMS } from '../../lambda/core/params';
import { hammingAngle, SketchEstimator } from '../../lambda/core/sketch-estimator';
import { packSketch, unpackSketch } from '../../lambda/core/sketch-format';
import { exactTopK, loadMiniLm } from '../support/minilm';

/**
 * Root-mean-square error, in degrees, of `h`'s sketch estimate of the angle from each of 100
 * MiniLM vectors to its 10 nearest neighbours, measured and as the estimator reports it.
 */
function angleErrors(data: ReturnType<typeof loadMiniLm>, h: Hasher): { measured: number; reported: number } {
  let squared = 0;
  let reported = 0;
  let n = 0;
  for (let qi = 0; qi < 100; qi++) {
    const q = data.vectors[qi];
    const estimator = new SketchEstimator('cosine', h.encodeQuery(q));
    for (const i of exactTopK(data.vectors, q, 10, qi)) {
      const [yq, yx] = [h.centredUnit(q), h.centredUnit(data.vectors[i])];
      let d = 0;
      for (let k = 0; k < yq.length; k++) d += yq[k] * yx[k];
      const { angle, stdError } = estimator.angle(unpackSketch(packSketch(h.encode(data.vectors[i])), h.sketchBits));
      squared += (angle - Math.acos(Math.min(1, Math.max(-1, d)))) ** 2;
      reported += stdError ** 2;
      n++;
    }
  }
  const degrees = (radians: number) => (radians * 180) / Math.PI;
  return { measured: degrees(Math.sqrt(squared / n)), reported: degrees(Math.sqrt(reported / n)) };
}

describe('SketchEstimator on real embeddings', () => {
  const data = loadMiniLm();
  const hasher = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 11, PRNG_VERSION, centreOf(data.vectors, 'cosine'));

  it('estimates the angle to true neighbours with the error it reports, and with less error than the Hamming estimate of the same bits', () => {
    // GIVEN a version 1 Hasher (Gaussian directions, sign bits, Hamming estimate) beside the version 2 one
    const v1 = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 11, 1, centreOf(data.vectors, 'cosine'));
    const legacy = unpackSketch(packSketch(v1.encode(data.vectors[1])), DEFAULT_INDEX_PARAMS.sketchBits);
    expect(legacy.gain).toBeUndefined();
    expect(new SketchEstimator('cosine', v1.encodeQuery(data.vectors[0])).angle(legacy)).toEqual(hammingAngle(v1.encodeQuery(data.vectors[0]).sketch, legacy.sketch));
    // WHEN both estimate the angles to the 10 nearest neighbours of 100 queries
    const v2 = angleErrors(data, hasher);
    // THEN the measured error matches the reported one within 25 %, and is smaller than Hamming's
    expect(v2.measured / v2.reported).toBeGreaterThan(0.75);
    expect(v2.measured / v2.reported).toBeLessThan(1.25);
    expect(v2.measured).toBeLessThan(0.8 * angleErrors(data, v1).measured);
  });
});

describe('the 2-bit sketch (sketchBits >= 2 x dimension)', () => {
  const data = loadMiniLm();
  const centre = centreOf(data.vectors, 'cosine');
  const bits = 2 * data.dimension;

  it('reports its error, and at the same bits errs less than signs alone', () => {
    // GIVEN a 2-bit sketch of 2 x 384 bits on one block of directions, and a 1-bit sketch of 2 x 384 - 8 bits (2 blocks)
    const twoBit = new Hasher(data.dimension, 'cosine', { hashTables: 1, sketchBits: bits }, 5, PRNG_VERSION, centre);
    const oneBit = new Hasher(data.dimension, 'cosine', { hashTables: 1, sketchBits: bits - 8 }, 5, PRNG_VERSION, centre);
    expect(twoBit.layout).toEqual({ directions: data.dimension, bitsPerDirection: 2 });
    // WHEN each estimates the angles to the 10 nearest neighbours of 100 queries
    const two = angleErrors(data, twoBit);
    const one = angleErrors(data, oneBit);
    // THEN the 2-bit error is as reported within 25 %, and below the 1-bit error
    expect(two.measured / two.reported).toBeGreaterThan(0.75);
    expect(two.measured / two.reported).toBeLessThan(1.25);
    expect(two.measured).toBeLessThan(0.9 * one.measured);
  });
});

describe('the split sketch (prngVersion 3, a collection with a hashing subspace)', () => {
  const data = loadMiniLm();
  const frame = frameOf(data.vectors, 'cosine');

  it('reports its error, and at the same bits errs less than whole-space directions', () => {
    // GIVEN MiniLM's hashing subspace, a version 3 Hasher (split sketch: 6 bits per coordinate) and a version 2 one (whole-space sketch), both of 512 bits
    const params = { ...DEFAULT_INDEX_PARAMS, sketchBits: 512 };
    const split = new Hasher(data.dimension, 'cosine', params, 11, 3, frame.centre, undefined, frame.subspace);
    const whole = new Hasher(data.dimension, 'cosine', params, 11, 2, frame.centre, undefined, frame.subspace);
    expect(frame.subspace).toBeDefined();
    expect(split.split).toMatchObject({ coordinates: frame.subspace!.length / data.dimension, bitsPerCoordinate: 6 });
    expect(whole.split).toBeUndefined();
    // WHEN each estimates the angles to the 10 nearest neighbours of 100 queries
    const s = angleErrors(data, split);
    const w = angleErrors(data, whole);
    // THEN the split error is as reported within 25 %, and at most two thirds of the whole-space error
    expect(s.measured / s.reported).toBeGreaterThan(0.75);
    expect(s.measured / s.reported).toBeLessThan(1.25);
    expect(s.measured).toBeLessThan((2 / 3) * w.measured);
  });
});
