// A collection's data profile (neighbour distances, local dimension, pair angles of a sample) and the neighbour
// angles it predicts at any collection size.
/**
 * A collection's data profile: how far apart its vectors lie in angle as the hash tables see them
 * (centred, unit length), measured once on a sample of its first writes. The query planner
 * (`planner.ts`) reads it to predict, for any collection size N, the angles at which a query's
 * nearest neighbours lie and how many vectors share a bucket with it.
 */

/** Smallest sample a profile is measured on; smaller batches leave the collection unprofiled. */
export const PROFILE_MIN_SAMPLE = 100;

/** Largest sample a profile is measured on (the pairwise angles cost m² dot products). */
export const PROFILE_MAX_SAMPLE = 500;

/** Neighbour ranks the profile records: the top-10 the planner aims at. */
export const PROFILE_NEIGHBOURS = 10;

/** Pair-angle histogram bins: whole degrees, 0..180. */
export const ANGLE_BINS = 181;

export interface DataProfile {
  /** Vectors in the sample (m). */
  readonly sampleSize: number;
  /**
   * Chord distances (2 sin(θ/2), the Euclidean distance between centred unit vectors) from each
   * sample vector to its 10 nearest sample vectors, ascending: m x 10, row-major.
   */
  readonly neighbourChords: Float64Array;
  /**
   * Local intrinsic dimension at each sample vector: the maximum-likelihood estimate of Levina
   * and Bickel ("Maximum likelihood estimation of intrinsic dimension", NIPS 2004) from its 10
   * neighbour distances. The share of vectors within distance r of a point grows as r^D, so its
   * k-th neighbour distance shrinks as N^(-1/D).
   */
  readonly localDimension: Float64Array;
  /** Share of the sample's ordered pairs at each whole-degree angle, 0..180 (sums to 1). */
  readonly pairAngles: Float64Array;
  /**
   * Only when the codes see a subspace (`profileOf`'s `rankBy`): the whole-space chord of each
   * neighbour recorded in `neighbourChords`, in the same order (m x 10).
   */
  readonly rankChords?: Float64Array;
  /**
   * Only with `rankChords`: at each whole-degree angle in the whole space (0..180), the mean ratio
   * of a sample pair's chord where the codes see it to its chord in the whole space (`chordRatios`).
   */
  readonly chordRatio?: Float64Array;
}

/**
 * Fewest sample pairs at one whole-space degree for their mean chord ratio to stand for that
 * degree (`chordRatios`).
 */
const RATIO_MIN_PAIRS = 30;

/** Smallest and largest local dimension used; a point with duplicates has no finite estimate. */
const DIMENSION_RANGE = [1, 1000] as const;

/** The chord (Euclidean distance between unit vectors) of an angle in radians. */
export const chord = (theta: number) => 2 * Math.sin(theta / 2);
/** The angle in radians of a chord, at most π. */
export const angleOfChord = (c: number) => 2 * Math.asin(Math.min(1, c / 2));

/** Adds weight `w` at `deg` degrees to a whole-degree histogram, split between the two degrees around it. */
export function addToAngleHistogram(hist: Float64Array, deg: number, w: number): void {
  const lo = Math.min(ANGLE_BINS - 1, Math.floor(deg));
  const f = deg - lo;
  hist[lo] += w * (1 - f);
  if (f > 0) hist[lo + 1] += w * f;
}

/**
 * Measures the profile of a sample of centred, unit-length vectors as the hash codes see them
 * (`Hasher.hashView`). Costs m² / 2 dot products, twice with `rankBy`.
 * @param sample at least PROFILE_MIN_SAMPLE vectors; only the first PROFILE_MAX_SAMPLE are used
 * @param rankBy the same vectors in the whole space (`Hasher.centredUnit`), when the codes see a
 *   subspace: each vector's 10 nearest are chosen by their angles there (the neighbours a query
 *   wants), and their local dimension too; their chords are measured in `sample` (where they
 *   collide), with their chords in the whole space beside them and the sample's chord ratio
 *   between the two views (`chordRatios`), so that `neighbourAngles` can shrink them as the whole
 *   space's do (BENCHMARKS.md, "Hashing in a subspace" and "The first plan of a subspace, and a
 *   margin for calibration")
 * @throws RangeError when the sample is smaller than PROFILE_MIN_SAMPLE, or rankBy has another length
 */
export function profileOf(sample: readonly Float32Array[], rankBy?: readonly Float32Array[]): DataProfile {
  if (sample.length < PROFILE_MIN_SAMPLE) throw new RangeError(`a profile needs at least ${PROFILE_MIN_SAMPLE} vectors, got ${sample.length}`);
  if (rankBy && rankBy.length !== sample.length) throw new RangeError(`rankBy has ${rankBy.length} vectors, the sample ${sample.length}`);
  const xs = sample.slice(0, PROFILE_MAX_SAMPLE);
  const m = xs.length;
  const angles = pairwiseAngles(xs);
  const pairAngles = new Float64Array(ANGLE_BINS);
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) pairAngles[Math.round((angles[i][j] * 180) / Math.PI)] += 2 / (m * (m - 1));
  const ranking = rankBy ? pairwiseAngles(rankBy.slice(0, PROFILE_MAX_SAMPLE)) : angles;
  const chordRatio = rankBy ? chordRatios(angles, ranking) : undefined;
  const k = PROFILE_NEIGHBOURS;
  const neighbourChords = new Float64Array(m * k);
  const rankChords = rankBy ? new Float64Array(m * k) : undefined;
  const localDimension = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    ranking[i][i] = Infinity;
    const order = Array.from(ranking[i].keys()).sort((a, b) => ranking[i][a] - ranking[i][b]).slice(0, k);
    // recorded nearest first where the codes see them, each beside its whole-space chord
    const byChord = [...order].sort((a, b) => angles[i][a] - angles[i][b]);
    neighbourChords.set(byChord.map((j) => chord(angles[i][j])), i * k);
    rankChords?.set(byChord.map((j) => chord(ranking[i][j])), i * k);
    // how distances shrink as N grows is the neighbours' own structure: measured where they were chosen
    const nearest = order.map((j) => chord(ranking[i][j]));
    let acc = 0;
    for (let j = 0; j < k - 1; j++) acc += Math.log(nearest[k - 1] / Math.max(nearest[j], 1e-9));
    const d = acc > 0 ? (k - 1) / acc : DIMENSION_RANGE[1];
    localDimension[i] = Math.min(DIMENSION_RANGE[1], Math.max(DIMENSION_RANGE[0], d));
  }
  return { sampleSize: m, neighbourChords, localDimension, pairAngles, ...(rankChords && chordRatio ? { rankChords, chordRatio } : {}) };
}

/**
 * At each whole-space angle (whole degrees), the mean ratio of a pair's chord where the codes see
 * it (`angles`) to its chord in the whole space (`ranking`), over the sample's pairs at that angle.
 * A subspace keeps the directions along which vectors differ most, so the nearer a pair, the more
 * of its difference lies off the subspace and the smaller the ratio. Degrees with fewer than
 * `RATIO_MIN_PAIRS` pairs take the nearest measured degree's ratio above them (below the sample's
 * nearest pairs, the ratio is held rather than extrapolated: the chords it predicts are then too
 * long, and the plan reads more); undefined when no degree has enough pairs.
 */
function chordRatios(angles: readonly Float64Array[], ranking: readonly Float64Array[]): Float64Array | undefined {
  const sum = new Float64Array(ANGLE_BINS);
  const count = new Float64Array(ANGLE_BINS);
  for (let i = 0; i < angles.length; i++) {
    for (let j = i + 1; j < angles.length; j++) {
      const whole = chord(ranking[i][j]);
      if (!(whole > 1e-9)) continue;
      const b = Math.round((ranking[i][j] * 180) / Math.PI);
      sum[b] += chord(angles[i][j]) / whole;
      count[b]++;
    }
  }
  const ratio = new Float64Array(ANGLE_BINS).fill(NaN);
  for (let b = ANGLE_BINS - 1; b >= 0; b--) {
    if (count[b] >= RATIO_MIN_PAIRS) ratio[b] = sum[b] / count[b];
    else if (b + 1 < ANGLE_BINS) ratio[b] = ratio[b + 1];
  }
  const first = ratio.findIndex((r) => !Number.isNaN(r));
  if (first < 0) return undefined;
  // degrees past the last measured one (pairs that far apart are rare) keep the last measured ratio
  for (let b = first + 1; b < ANGLE_BINS; b++) if (Number.isNaN(ratio[b])) ratio[b] = ratio[b - 1];
  return ratio;
}

/** The chord ratio (`chordRatios`) at a whole-space chord, interpolated between whole degrees. */
function ratioAt(ratio: Float64Array, wholeChord: number): number {
  const deg = (angleOfChord(wholeChord) * 180) / Math.PI;
  const lo = Math.min(ANGLE_BINS - 1, Math.floor(deg));
  const f = deg - lo;
  return lo + 1 < ANGLE_BINS ? ratio[lo] * (1 - f) + ratio[lo + 1] * f : ratio[lo];
}

/** The m x m angles in radians between unit vectors (the diagonal 0). */
function pairwiseAngles(xs: readonly Float32Array[]): Float64Array[] {
  const m = xs.length;
  const angles = xs.map(() => new Float64Array(m));
  for (let i = 0; i < m; i++) {
    const a = xs[i];
    for (let j = i + 1; j < m; j++) {
      const b = xs[j];
      let s = 0;
      for (let t = 0; t < a.length; t++) s += a[t] * b[t];
      const theta = Math.acos(Math.max(-1, Math.min(1, s)));
      angles[i][j] = theta;
      angles[j][i] = theta;
    }
  }
  return angles;
}

/**
 * The angles (radians) at which a query's 1st..10th nearest neighbours lie in a collection of
 * `vectorCount` vectors, as a histogram over whole degrees (0..180, sums to 1; an angle between
 * two degrees is split between them): each sample vector's neighbour distances scaled by
 * (m / N)^(1/D) with its own local dimension D. When the codes see a subspace, that is how the
 * neighbours' whole-space chords shrink; the chord the codes see shrinks further, as the sample's
 * chord ratio falls from the whole-space chord at m to the one at N (`chordRatios`).
 */
export function neighbourAngles(profile: DataProfile, vectorCount: number): Float64Array {
  const { sampleSize: m, neighbourChords, localDimension, rankChords, chordRatio } = profile;
  const shrink = Math.min(1, m / Math.max(1, vectorCount));
  const hist = new Float64Array(ANGLE_BINS);
  const w = 1 / neighbourChords.length;
  for (let i = 0; i < m; i++) {
    const scale = Math.pow(shrink, 1 / localDimension[i]);
    for (let j = i * PROFILE_NEIGHBOURS; j < (i + 1) * PROFILE_NEIGHBOURS; j++) {
      const whole = rankChords?.[j];
      const narrowing = chordRatio && whole && whole > 1e-9 ? ratioAt(chordRatio, whole * scale) / ratioAt(chordRatio, whole) : 1;
      addToAngleHistogram(hist, (angleOfChord(neighbourChords[j] * scale * narrowing) * 180) / Math.PI, w);
    }
  }
  return hist;
}

/** The median of the sample's local dimensions. */
export function medianDimension(profile: DataProfile): number {
  const d = Array.from(profile.localDimension).sort((a, b) => a - b);
  return d[Math.floor(d.length / 2)];
}
