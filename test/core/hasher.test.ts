// Tests the Hasher: orthonormal sketch directions, and codes regenerated from the seed across PRNG versions.
import fc from 'fast-check';
import { centreOf, Hasher, orthonormalize } from '../../lambda/core/hasher';
import { fillGaussian, PRNG_VERSION } from '../../lambda/core/prng';
import { DEFAULT_INDEX_PARAMS } from '../../lambda/core/params';
import { loadMiniLm } from '../support/minilm';

describe('orthonormalize (sketch directions)', () => {
  it('makes the rows of every block of `dimension` rows orthonormal (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 1000 }), (dim, rows, seed) => {
        // GIVEN Gaussian rows
        const m = fillGaussian(new Float32Array(rows * dim), seed);
        // WHEN orthonormalized in blocks
        orthonormalize(m, dim);
        // THEN rows in one block are orthonormal
        const rowAt = (r: number) => m.subarray(r * dim, (r + 1) * dim);
        for (let r = 0; r < rows; r++) {
          for (let p = Math.floor(r / dim) * dim; p <= r; p++) {
            let d = 0;
            for (let i = 0; i < dim; i++) d += rowAt(r)[i] * rowAt(p)[i];
            expect(Math.abs(d - (p === r ? 1 : 0))).toBeLessThan(1e-4);
          }
        }
      }),
      { numRuns: 50 },
    );
  });
});

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
