// Tests the choice of candidates to re-rank from the bounds of their sketch estimates, including on real embeddings.
import fc from 'fast-check';
import { centreOf, Hasher } from '../../lambda/core/hasher';
import { SketchEstimator } from '../../lambda/core/sketch-estimator';
import { packSketch, unpackSketch } from '../../lambda/core/sketch-format';
import { PRNG_VERSION } from '../../lambda/core/prng';
import { DEFAULT_INDEX_PARAMS } from '../../lambda/core/params';
import { RERANK_CONFIDENCE, selectForRerank } from '../../lambda/core/rerank';
import { exactTopK, loadMiniLm } from '../support/minilm';

const c = (est: number, spread: number) => ({ est, lower: est - spread, upper: est + spread });

describe('selectForRerank', () => {
  it('fetches only the top-k when the bounds separate them from the rest', () => {
    // GIVEN two clear winners and distant losers
    const cands = [c(5, 1), c(1, 1), c(2, 1), c(20, 1), c(30, 1)];
    // WHEN k = 2
    // THEN only the two winners are fetched, closest first
    expect(selectForRerank(cands, 2, 100).map((x) => x.est)).toEqual([1, 2]);
  });

  it('fetches every candidate whose bound overlaps the k-th upper bound, up to the cap', () => {
    const cands = [c(1, 1), c(2, 1), c(3.5, 1), c(4.5, 1), c(10, 1)];
    // k = 1: the bound is 2; candidates with lower <= 2 are 1, 2 and 3.5 (lower 2.5? no): 1 and 2
    expect(selectForRerank(cands, 1, 100).map((x) => x.est)).toEqual([1, 2]);
    // k = 2: the bound is 3; lowers 0, 1, 2.5 qualify
    expect(selectForRerank(cands, 2, 100).map((x) => x.est)).toEqual([1, 2, 3.5]);
    // the cap wins
    expect(selectForRerank(cands, 2, 2).map((x) => x.est)).toEqual([1, 2]);
  });

  it('returns at least min(k, candidates), at most the cap, closest estimate first, and never drops a candidate that could reach the top-k (property)', () => {
    const est = fc.record({ est: fc.double({ min: -1e6, max: 1e6, noNaN: true }), spread: fc.double({ min: 0, max: 1e5, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(est, { maxLength: 60 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 40 }), (raw, k, extra) => {
        const cands = raw.map((r) => c(r.est, r.spread));
        const max = k + extra;
        const out = selectForRerank(cands, k, max);
        expect(out.length).toBeGreaterThanOrEqual(Math.min(k, cands.length));
        expect(out.length).toBeLessThanOrEqual(max);
        for (let i = 1; i < out.length; i++) expect(out[i - 1].est).toBeLessThanOrEqual(out[i].est);
        if (cands.length > k && out.length < max) {
          const bound = cands.map((x) => x.upper).sort((a, b) => a - b)[k - 1];
          expect(out.length).toBe(cands.filter((x) => x.lower <= bound).length);
        }
      }),
    );
  });

  it('keeps the true nearest neighbours on real embeddings (all-MiniLM-L6-v2) while fetching fewer vectors than candidates', () => {
    // GIVEN every vector of the set as a candidate of a query, estimated from 512-bit sketches
    const data = loadMiniLm();
    const hasher = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 7, PRNG_VERSION, centreOf(data.vectors, 'cosine'));
    const stored = data.vectors.map((v) => unpackSketch(packSketch(hasher.encode(v)), DEFAULT_INDEX_PARAMS.sketchBits));
    let kept = 0;
    let fetched = 0;
    const queries = data.vectors.slice(0, 50);
    queries.forEach((q, qi) => {
      const estimator = new SketchEstimator('cosine', hasher.encodeQuery(q));
      const cands = stored
        .map((s, i) => ({ i, ...estimator.withBounds(s, RERANK_CONFIDENCE) }))
        .filter((x) => x.i !== qi);
      const exact = exactTopK(data.vectors, q, 10, qi);
      // WHEN the re-rank set for k = 10 is chosen
      const chosen = new Set(selectForRerank(cands, 10, 500).map((x) => x.i));
      kept += exact.filter((i) => chosen.has(i)).length;
      fetched += chosen.size;
    });
    // THEN most true neighbours survive, and far fewer vectors than candidates are fetched
    expect(kept / (10 * queries.length)).toBeGreaterThan(0.95);
    expect(fetched / queries.length).toBeLessThan(50); // of 777 candidates per query (the cap is 500)
  });
});
