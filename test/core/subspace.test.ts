// Tests the hashing subspace: orthonormalisation, the principal directions of real embeddings, and
// the rule that keeps the whole space when the variance is spread.
import fc from 'fast-check';
import { centreOf } from '../../lambda/core/hasher';
import { fillGaussian } from '../../lambda/core/prng';
import { hashingSubspace, orthonormalize, principalDirections, SUBSPACE_MIN_SAMPLE, SUBSPACE_VARIANCE_SHARE } from '../../lambda/core/subspace';
import { dot, normalized } from '../../lambda/core/vector';
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

/** Mean squared projection of `rows` onto the k orthonormal rows of `basis`. */
function heldVariance(rows: readonly Float32Array[], basis: Float32Array): number {
  const d = rows[0].length;
  let held = 0;
  for (const x of rows) {
    for (let j = 0; j < basis.length / d; j++) {
      const t = dot(basis.subarray(j * d, (j + 1) * d), x);
      held += (t * t) / rows.length;
    }
  }
  return held;
}

describe('principalDirections on real embeddings', () => {
  const data = loadMiniLm();
  const sample = data.vectors.slice(0, 500).map((v) => normalized(v));
  const c = centreOf(sample, 'euclidean');
  const centred = sample.map((v) => Float32Array.from(v, (a, i) => a - c[i]));
  const k = 16;
  const { directions, variances } = principalDirections(centred, k);

  it('returns k orthonormal rows, leading first', () => {
    const d = data.dimension;
    for (let a = 0; a < k; a++) {
      for (let b = 0; b <= a; b++) expect(dot(directions.subarray(a * d, (a + 1) * d), directions.subarray(b * d, (b + 1) * d))).toBeCloseTo(a === b ? 1 : 0, 4);
    }
    for (let j = 1; j < k; j++) expect(variances[j]).toBeLessThanOrEqual(variances[j - 1]);
  });

  it('holds more of the variance than the k highest-variance coordinate axes or k random directions', () => {
    const d = data.dimension;
    const held = heldVariance(centred, directions);
    // the k axes of highest variance
    const axisVariance = Array.from({ length: d }, (_, i) => centred.reduce((s, x) => s + (x[i] * x[i]) / centred.length, 0)).sort((a, b) => b - a);
    expect(held).toBeGreaterThan(axisVariance.slice(0, k).reduce((s, v) => s + v, 0));
    // k random orthonormal directions
    const random = fillGaussian(new Float32Array(k * d), 3);
    orthonormalize(random, d);
    expect(held).toBeGreaterThan(2 * heldVariance(centred, random));
    expect(variances.reduce((s, v) => s + v, 0)).toBeCloseTo(held, 6);
  });

  it('rejects k outside 1..dimension', () => {
    expect(() => principalDirections(centred, 0)).toThrow(/k must be between 1 and 384/);
    expect(() => principalDirections(centred, 385)).toThrow(/k must be between 1 and 384/);
  });
});

describe('hashingSubspace', () => {
  it('takes the fewest leading directions that hold the variance share, when they are few', () => {
    // GIVEN real embeddings around their centre
    const data = loadMiniLm();
    const sample = data.vectors.slice(0, 500).map((v) => normalized(v));
    const c = centreOf(sample, 'euclidean');
    const centred = sample.map((v) => Float32Array.from(v, (a, i) => a - c[i]));
    // WHEN the subspace is chosen
    const subspace = hashingSubspace(centred)!;
    // THEN it holds the share, and one direction fewer would not
    const d = data.dimension;
    const total = centred.reduce((s, x) => s + dot(x, x) / centred.length, 0);
    expect(heldVariance(centred, subspace)).toBeGreaterThanOrEqual(SUBSPACE_VARIANCE_SHARE * total * 0.999);
    expect(heldVariance(centred, subspace.slice(0, subspace.length - d))).toBeLessThan(SUBSPACE_VARIANCE_SHARE * total);
    expect(subspace.length / d).toBeLessThanOrEqual(d / 4);
  });

  it('keeps the whole space for a batch too small, or whose variance is spread over many directions', () => {
    const d = 64;
    const spread = Array.from({ length: 300 }, (_, i) => fillGaussian(new Float32Array(d), 100 + i));
    expect(hashingSubspace(spread)).toBeUndefined();
    const data = loadMiniLm();
    expect(hashingSubspace(data.vectors.slice(0, SUBSPACE_MIN_SAMPLE - 1))).toBeUndefined();
  });

  it('finds the span of data that lie near a few directions', () => {
    // GIVEN 300 vectors in a 3-dimensional span of a 64-dimensional space, plus small noise
    const d = 64;
    const span = fillGaussian(new Float32Array(3 * d), 7);
    orthonormalize(span, d);
    const rows = Array.from({ length: 300 }, (_, i) => {
      const [a, b, c] = fillGaussian(new Float32Array(3), 1000 + i);
      const noise = fillGaussian(new Float32Array(d), 5000 + i);
      return Float32Array.from({ length: d }, (_, t) => a * span[t] + b * span[d + t] + c * span[2 * d + t] + 0.01 * noise[t]);
    });
    // WHEN the subspace is chosen
    const subspace = hashingSubspace(rows)!;
    // THEN it has at most 3 rows, all within the span
    expect(subspace.length / d).toBeLessThanOrEqual(3);
    for (let j = 0; j < subspace.length / d; j++) {
      const row = subspace.subarray(j * d, (j + 1) * d);
      const inSpan = [0, 1, 2].reduce((s, r) => s + dot(row, span.subarray(r * d, (r + 1) * d)) ** 2, 0);
      expect(inSpan).toBeGreaterThan(0.99);
    }
  });
});
