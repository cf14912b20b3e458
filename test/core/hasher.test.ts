// Tests the Hasher: codes regenerated from the seed across PRNG versions, and codes taken in a hashing subspace.
import { centreOf, frameOf, Hasher } from '../../lambda/core/hasher';
import { fillGaussian, PRNG_VERSION } from '../../lambda/core/prng';
import { dot } from '../../lambda/core/vector';
import { DEFAULT_INDEX_PARAMS } from '../../lambda/core/params';
import { loadMiniLm } from '../support/minilm';

describe('Hasher on real embeddings', () => {
  const data = loadMiniLm();
  const hasher = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 11, PRNG_VERSION, centreOf(data.vectors, 'cosine'));

  it('regenerates identical codes from the seed, and version 2 keeps the codes of version 1', () => {
    const again = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 11, PRNG_VERSION, centreOf(data.vectors, 'cosine'));
    const v1 = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 11, 1, centreOf(data.vectors, 'cosine'));
    expect(again.encode(data.vectors[5])).toEqual(hasher.encode(data.vectors[5]));
    expect(v1.encode(data.vectors[5]).codes).toEqual(hasher.encode(data.vectors[5]).codes);
  });
});

describe('Hasher with a hashing subspace', () => {
  const data = loadMiniLm();
  const frame = frameOf(data.vectors.slice(0, 500), 'cosine');
  const hasher = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 11, PRNG_VERSION, frame.centre, undefined, frame.subspace);
  const whole = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 11, PRNG_VERSION, frame.centre);

  it('takes a subspace from a first batch of real embeddings', () => {
    expect(frame.subspace).toBeDefined();
    expect(frame.subspace!.length % data.dimension).toBe(0);
  });

  it('gives the same codes to vectors that differ only outside the subspace, and keeps the sketch in the whole space', () => {
    // GIVEN a Euclidean collection's subspace, a vector, and the vector moved orthogonally to the subspace
    const euclidean = frameOf(data.vectors.slice(0, 500), 'euclidean');
    const h = new Hasher(data.dimension, 'euclidean', DEFAULT_INDEX_PARAMS, 11, PRNG_VERSION, euclidean.centre, undefined, euclidean.subspace);
    const away = fillGaussian(new Float32Array(data.dimension), 5);
    const rows = euclidean.subspace!;
    for (let j = 0; j < rows.length / data.dimension; j++) {
      const row = rows.subarray(j * data.dimension, (j + 1) * data.dimension);
      const t = dot(row, away);
      for (let i = 0; i < away.length; i++) away[i] -= t * row[i];
    }
    const x = data.vectors[3];
    const moved = Float32Array.from(x, (v, i) => v + 0.2 * away[i]);
    // WHEN both are encoded
    const [a, b] = [h.encode(x), h.encode(moved)];
    // THEN the codes agree and the sketches do not
    expect(Array.from(b.codes)).toEqual(Array.from(a.codes));
    expect(Array.from(b.sketch)).not.toEqual(Array.from(a.sketch));
    // and without the subspace the codes move too
    const w = new Hasher(data.dimension, 'euclidean', DEFAULT_INDEX_PARAMS, 11, PRNG_VERSION, euclidean.centre);
    expect(Array.from(w.encode(moved).codes)).not.toEqual(Array.from(w.encode(x).codes));
  });

  it('prices the angles the codes see: between the projections onto the subspace', () => {
    const q = data.vectors[10];
    const [angle] = hasher.anglesFrom(q, [data.vectors[20]]);
    const [u, v] = [hasher.hashView(q), hasher.hashView(data.vectors[20])];
    expect(angle).toBeCloseTo(Math.acos(dot(u, v)), 5);
    expect(angle).not.toBeCloseTo(whole.anglesFrom(q, [data.vectors[20]])[0], 2);
  });

  it('rejects a subspace whose rows are not of the space', () => {
    expect(() => new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 11, PRNG_VERSION, frame.centre, undefined, new Float32Array(data.dimension + 1))).toThrow(
      /subspace must hold whole rows of 384 dimensions/,
    );
  });
});
