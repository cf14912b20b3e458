// Tests the maximum-inner-product lift: unit vectors whose angle orders stored vectors by inner product, and a hasher that uses it.
import { centreOf, frameOf, Hasher } from '../../lambda/core/hasher';
import { liftQuery, liftStored, mipsNormOf } from '../../lambda/core/mips';
import { DEFAULT_INDEX_PARAMS } from '../../lambda/core/params';
import { PRNG_VERSION } from '../../lambda/core/prng';
import { dot, norm } from '../../lambda/core/vector';
import { loadMiniLm } from '../support/minilm';

// real embeddings scaled by a real per-record weight (see test/store/recall-dot.test.ts)
const data = loadMiniLm();
const weighted = data.vectors.slice(0, 300).map((v, i) => v.map((x) => x * Math.log1p(data.wordCounts[i])));

describe('the maximum-inner-product lift (simple-LSH)', () => {
  it('makes unit vectors whose inner product is x·q / (U |q|)', () => {
    // GIVEN the norm U of a batch and a query
    const U = mipsNormOf(weighted);
    const q = data.vectors[400];
    for (const x of weighted) {
      // WHEN both are lifted
      const px = liftStored(x, U);
      const qq = liftQuery(q);
      // THEN both have unit length and one more dimension, and their inner product scales x·q
      expect(px.length).toBe(x.length + 1);
      expect(norm(px)).toBeCloseTo(1, 5);
      expect(norm(qq)).toBeCloseTo(1, 5);
      expect(dot(px, qq)).toBeCloseTo(dot(x, q) / (U * norm(q)), 5);
    }
  });

  it('orders stored vectors by inner product, as the angle to the lifted query', () => {
    // GIVEN a batch lifted by its own largest norm
    const U = mipsNormOf(weighted);
    const q = liftQuery(data.vectors[500]);
    // WHEN ranked by the lifted inner product and by the true one
    const byLift = weighted.map((x, i) => ({ i, s: dot(liftStored(x, U), q) })).sort((a, b) => b.s - a.s).map((r) => r.i);
    const byDot = weighted.map((x, i) => ({ i, s: dot(x, data.vectors[500]) })).sort((a, b) => b.s - a.s).map((r) => r.i);
    // THEN the two orders agree, and differ from the order by cosine (the weights matter)
    expect(byLift.slice(0, 50)).toEqual(byDot.slice(0, 50));
    const byCosine = weighted.map((x, i) => ({ i, s: dot(x, data.vectors[500]) / norm(x) })).sort((a, b) => b.s - a.s).map((r) => r.i);
    expect(byCosine.slice(0, 10)).not.toEqual(byDot.slice(0, 10));
  });

  it('lifts a vector longer than U as if its norm were U: its direction, and 0', () => {
    const x = weighted[0].map((v) => v * 10);
    const px = liftStored(x, mipsNormOf([weighted[0]]));
    expect(px[x.length]).toBe(0);
    expect(norm(px)).toBeCloseTo(1, 5);
  });

  it('hashes a dot collection with a frame in dimension + 1, and a cosine one as before', () => {
    // GIVEN the frame of a dot batch and of a cosine batch
    const dotFrame = frameOf(weighted, 'dot');
    const cosFrame = frameOf(weighted, 'cosine');
    // THEN the dot frame carries U and a lifted centre; the cosine frame is the old centre
    expect(dotFrame.mipsNorm).toBeCloseTo(mipsNormOf(weighted), 6);
    expect(dotFrame.centre.length).toBe(data.dimension + 1);
    expect(cosFrame.mipsNorm).toBeUndefined();
    expect(Array.from(cosFrame.centre)).toEqual(Array.from(centreOf(weighted, 'cosine')));
    // AND a hasher with the dot frame hashes in dimension + 1; a frame's centre of the wrong length is refused
    const hasher = new Hasher(data.dimension, 'dot', DEFAULT_INDEX_PARAMS, 3, PRNG_VERSION, dotFrame.centre, dotFrame.mipsNorm);
    expect(hasher.space).toBe(data.dimension + 1);
    expect(hasher.encode(weighted[1]).codes.length).toBe(DEFAULT_INDEX_PARAMS.hashTables);
    expect(() => new Hasher(data.dimension, 'dot', DEFAULT_INDEX_PARAMS, 3, PRNG_VERSION, cosFrame.centre, dotFrame.mipsNorm)).toThrow(/centre has 384 dimensions, expected 385/);
    expect(() => new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 3, PRNG_VERSION, dotFrame.centre, dotFrame.mipsNorm)).toThrow(/dot metric only/);
  });
});
