// The LSH collision model: the chance that one hash table, with query-directed probes, finds a vector at a given
// angle from the query, estimated over sampled query margins.
import { INDEX_PARAM_BOUNDS } from './limits';
import { perturbationSets } from './multiprobe';
import { CODE_BITS } from './params';
import { fillGaussian } from './prng';

/**
 * How likely one hash table finds a vector at angle θ from the query: the collision model behind
 * the query planner (`planner.ts`).
 *
 * With Gaussian random hyperplanes the outcome depends on θ alone: on each hyperplane the query's
 * and the vector's projections (u, v) are a standard bivariate normal pair with correlation
 * cos θ, so a bit differs with probability θ/π (Charikar, STOC 2002) and exact-match buckets of
 * depth d find the vector with probability (1 − θ/π)^d. Query-directed probing (Lv et al.,
 * VLDB 2007) also finds it when the set of bits where the codes differ is one of the `probes`
 * cheapest perturbation sets of the query (`perturbationSets`), which depend on the query's
 * margins |u|. That has no closed form; it is estimated by averaging over sampled query margins
 * the exact conditional probability: given u, the bits differ independently, bit j with
 * probability Φ(−|u_j| cot θ), so the chance that the differing set is S is
 * Π_{j∈S} f_j · Π_{j∉S} (1 − f_j). (Averaging a conditional probability instead of counting
 * simulated hits keeps the estimate precise where it is small.) The margins come from the pinned
 * PRNG, so the model, and every plan made from it, is deterministic.
 */

/** Sampled query margin vectors: the largest relative error of a probability is about 1.5 % (against 8,192). */
export const COLLISION_TRIALS = 1024;

/** The most extra buckets per hash table the model covers: every `probes` an index or a query may set. */
export const MAX_PROBE_RANK = INDEX_PARAM_BOUNDS.probes[1];

/** Seed of the sampled margins (any fixed value; pinned so plans are reproducible). */
const MARGIN_SEED = 0x5eed;

/**
 * Probe ranks modelled first: the planner rarely asks beyond a few probes per table, and the ranks
 * past these (up to MAX_PROBE_RANK) cost most of the model's time; they are added when asked for.
 */
const FIRST_RANKS = 8;

/** |u_j| of the sampled query margins: margins[t * CODE_BITS + j] for trial t, code bit j. */
let margins: Float32Array | undefined;

/**
 * masksByRanks.get(R)[(t * (CODE_BITS + 1) + d) * R + r] = bit mask (bit j = code bit j) of trial
 * t's r-th cheapest perturbation set at depth d, r < R. The first R sets are the same
 * for any larger R (`perturbationSets` yields them cheapest first).
 */
const masksByRanks = new Map<number, Uint32Array>();

function sampledMargins(): Float32Array {
  margins ??= fillGaussian(new Float32Array(COLLISION_TRIALS * CODE_BITS), MARGIN_SEED).map(Math.abs);
  return margins;
}

function sampledMasks(ranks: number): Uint32Array {
  const cached = masksByRanks.get(ranks);
  if (cached) return cached;
  const all = sampledMargins();
  const masks = new Uint32Array(COLLISION_TRIALS * (CODE_BITS + 1) * ranks);
  for (let t = 0; t < COLLISION_TRIALS; t++) {
    const m = all.subarray(t * CODE_BITS, (t + 1) * CODE_BITS);
    for (let d = 1; d <= CODE_BITS; d++) {
      const sets = perturbationSets(m, d, ranks);
      const base = (t * (CODE_BITS + 1) + d) * ranks;
      sets.forEach((set, r) => {
        masks[base + r] = set.reduce((mask, j) => (mask | (1 << j)) >>> 0, 0);
      });
    }
  }
  masksByRanks.set(ranks, masks);
  return masks;
}

/**
 * Standard normal CDF, Φ(x) = erfc(−x/√2)/2, with erfc from Numerical Recipes' Chebyshev fit
 * (`erfcc`, fractional error below 1.2e-7 everywhere).
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/**
 * Per whole degree: cumulative[d * (MAX_PROBE_RANK + 1) + r] = P(found in the home bucket or the
 * first r probes at depth d), for r up to `ranks`.
 */
const byDegree = new Map<number, { readonly ranks: number; readonly cumulative: Float64Array }>();

// Bound once: inside a vm context (Jest's), a global lookup in a hot loop costs a property interceptor call.
const clz32 = Math.clz32;
/** Largest probability that a bit differs used (keeps f / (1 - f) finite at 180 degrees). */
const MAX_DIFFER = 1 - 1e-12;

/** The cumulative probabilities at whole degree `degrees` (`byDegree`) for at least `probes` ranks. */
function cumulativeAt(degrees: number, probes: number): Float64Array {
  const cached = byDegree.get(degrees);
  if (cached && cached.ranks >= probes) return cached.cumulative;
  const ranks = probes <= FIRST_RANKS ? FIRST_RANKS : MAX_PROBE_RANK;
  const margins = sampledMargins();
  const masks = sampledMasks(ranks);
  const theta = (degrees * Math.PI) / 180;
  const cot = Math.cos(theta) / Math.sin(theta);
  const out = new Float64Array((CODE_BITS + 1) * (MAX_PROBE_RANK + 1));
  const f = new Float64Array(CODE_BITS);
  const ratio = new Float64Array(CODE_BITS);
  for (let t = 0; t < COLLISION_TRIALS; t++) {
    for (let j = 0; j < CODE_BITS; j++) {
      // P(bit j differs | margin): Φ(−|u| cot θ); θ = 0: never, θ = 180°: always
      let fj = degrees <= 0 ? 0 : degrees >= 180 ? 1 : normalCdf(-margins[t * CODE_BITS + j] * cot);
      if (fj > MAX_DIFFER) fj = MAX_DIFFER;
      f[j] = fj;
      ratio[j] = fj / (1 - fj);
    }
    let agree = 1; // P(the first d bits all agree)
    for (let d = 0; d <= CODE_BITS; d++) {
      if (d > 0) agree *= 1 - f[d - 1];
      const row = d * (MAX_PROBE_RANK + 1);
      let cum = agree;
      out[row] += cum;
      const base = (t * (CODE_BITS + 1) + d) * ranks;
      for (let r = 0; r < ranks; r++) {
        let mask = d > 0 ? masks[base + r] : 0;
        if (mask !== 0) {
          let p = agree;
          while (mask !== 0) {
            const j = 31 - clz32(mask);
            p *= ratio[j];
            mask ^= 1 << j;
          }
          cum += p;
        }
        out[row + r + 1] += cum > 1 ? 1 : cum;
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] /= COLLISION_TRIALS;
  byDegree.set(degrees, { ranks, cumulative: out });
  return out;
}

/**
 * Probability that one hash table puts a vector at `angle` from the query into one of the
 * buckets the query reads: its home bucket of `depth` bits and `probes` more.
 * @param angle radians, 0..π (interpolated between whole degrees)
 * @param depth bucket depth, 0..CODE_BITS
 * @param probes extra buckets per table, 0..MAX_PROBE_RANK
 * @throws RangeError when depth or probes is out of range
 */
export function tableHitProbability(angle: number, depth: number, probes: number): number {
  if (!Number.isInteger(depth) || depth < 0 || depth > CODE_BITS) throw new RangeError(`depth must be an integer in 0..${CODE_BITS}, got ${depth}`);
  if (!Number.isInteger(probes) || probes < 0 || probes > MAX_PROBE_RANK) throw new RangeError(`probes must be an integer in 0..${MAX_PROBE_RANK}, got ${probes}`);
  const deg = Math.min(180, Math.max(0, (angle * 180) / Math.PI));
  const lo = Math.floor(deg);
  const w = deg - lo;
  const at = (g: number) => cumulativeAt(g, probes)[depth * (MAX_PROBE_RANK + 1) + probes];
  return w === 0 ? at(lo) : at(lo) * (1 - w) + at(lo + 1) * w;
}

/**
 * Probability that at least one of `tables` independent hash tables finds a vector at `angle`:
 * 1 − (1 − s·p)^(L − e) (1 − s·p⁺)^e, p from `tableHitProbability` at `probes` and p⁺ at one
 * probe more, for the e = `extraProbes` tables that probe one bucket more (`tableProbes`).
 * @param hitScale s, the factor a collection's own hash tables hit by (`table-hits.ts`), s·p at most 1. @default 1
 * @param extraProbes e, 0..L−1. @default 0
 */
export function findProbability(angle: number, depth: number, probes: number, tables: number, hitScale = 1, extraProbes = 0): number {
  const miss = (p: number) => 1 - Math.min(1, hitScale * tableHitProbability(angle, depth, p));
  const more = extraProbes > 0 ? Math.pow(miss(probes + 1), extraProbes) : 1;
  return 1 - Math.pow(miss(probes), tables - extraProbes) * more;
}
