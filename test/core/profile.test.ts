// Tests the data profile of a sample: neighbour distances, local dimension, and the neighbour angles it predicts for a whole set.
import { centreOf, frameOf, Hasher } from '../../lambda/core/hasher';
import { DEFAULT_INDEX_PARAMS } from '../../lambda/core/params';
import { ANGLE_BINS, medianDimension, neighbourAngles, PROFILE_MIN_SAMPLE, PROFILE_NEIGHBOURS, profileOf } from '../../lambda/core/profile';
import { PRNG_VERSION } from '../../lambda/core/prng';
import { dot } from '../../lambda/core/vector';
import { loadMiniLm } from '../support/minilm';

/** The angle (degrees) below which a share `q` of a whole-degree histogram lies. */
function quantile(hist: Float64Array, q: number): number {
  let acc = 0;
  for (let b = 0; b < hist.length; b++) {
    acc += hist[b];
    if (acc >= q) return b;
  }
  return hist.length - 1;
}

describe('data profile', () => {
  const data = loadMiniLm();
  const sampleSize = 250;
  const hasher = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 5, 1, centreOf(data.vectors.slice(0, sampleSize), 'cosine'));
  const centred = data.vectors.map((v) => hasher.centredUnit(v));
  const profile = profileOf(centred.slice(0, sampleSize));

  it('records each sample vector’s 10 nearest chord distances, a local dimension and the pair angles', () => {
    expect(profile.sampleSize).toBe(sampleSize);
    expect(profile.neighbourChords).toHaveLength(sampleSize * PROFILE_NEIGHBOURS);
    for (let i = 0; i < sampleSize; i++) {
      const row = profile.neighbourChords.subarray(i * PROFILE_NEIGHBOURS, (i + 1) * PROFILE_NEIGHBOURS);
      for (let j = 1; j < row.length; j++) expect(row[j]).toBeGreaterThanOrEqual(row[j - 1]);
    }
    expect(profile.pairAngles).toHaveLength(ANGLE_BINS);
    expect(profile.pairAngles.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    // sentence embeddings: far fewer dimensions locally than their 384 coordinates
    expect(medianDimension(profile)).toBeGreaterThan(3);
    expect(medianDimension(profile)).toBeLessThan(60);
  });

  it('predicts the neighbour angles of the whole set from a third of it (real all-MiniLM-L6-v2 embeddings)', () => {
    // GIVEN the actual angles from every vector to its 10 nearest in the whole set
    const actual = new Float64Array(ANGLE_BINS);
    centred.forEach((a, i) => {
      const angles = centred
        .map((b, j) => (i === j ? Infinity : Math.acos(Math.max(-1, Math.min(1, a.reduce((s, x, t) => s + x * b[t], 0))))))
        .sort((x, y) => x - y)
        .slice(0, PROFILE_NEIGHBOURS);
      for (const t of angles) actual[Math.round((t * 180) / Math.PI)] += 1 / (centred.length * PROFILE_NEIGHBOURS);
    });
    // WHEN the profile of the first 250 predicts them at the whole set's size
    const predicted = neighbourAngles(profile, data.vectors.length);
    // THEN the quartiles agree within 3 degrees, and the sample's own (unscaled) angles are clearly wider
    for (const q of [0.25, 0.5, 0.75]) expect(Math.abs(quantile(predicted, q) - quantile(actual, q))).toBeLessThanOrEqual(3);
    expect(quantile(neighbourAngles(profile, sampleSize), 0.5)).toBeGreaterThan(quantile(actual, 0.5) + 2);
    expect(predicted.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('with a hashing subspace, measures the whole space\'s nearest vectors where the codes see them, shrinking as in the whole space', () => {
    // GIVEN the sample as a subspace's codes see it, and in the whole space
    const frame = frameOf(data.vectors.slice(0, sampleSize), 'cosine');
    const sub = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 5, PRNG_VERSION, frame.centre, undefined, frame.subspace);
    const sample = data.vectors.slice(0, sampleSize);
    const views = sample.map((v) => sub.hashView(v));
    // WHEN profiled with and without ranking by the whole space
    const ranked = profileOf(views, sample.map((v) => sub.centredUnit(v)));
    const own = profileOf(views);
    // THEN each vector's recorded chords are those of its whole-space neighbours, measured in the subspace
    const i = 7;
    const truth = sample
      .map((_, j) => j)
      .filter((j) => j !== i)
      .sort((a, b) => dot(sub.centredUnit(sample[b]), sub.centredUnit(sample[i])) - dot(sub.centredUnit(sample[a]), sub.centredUnit(sample[i])))
      .slice(0, PROFILE_NEIGHBOURS)
      .map((j) => 2 * Math.sin(Math.acos(Math.max(-1, Math.min(1, dot(views[i], views[j])))) / 2))
      .sort((a, b) => a - b);
    const row = Array.from(ranked.neighbourChords.subarray(i * PROFILE_NEIGHBOURS, (i + 1) * PROFILE_NEIGHBOURS));
    row.forEach((c, j) => expect(c).toBeCloseTo(truth[j], 5));
    // and they lie no nearer than the subspace's own nearest, and farther on the whole
    const sum = (p: typeof own) => p.neighbourChords.reduce((a, b) => a + b, 0);
    for (let r = 0; r < sampleSize; r++) expect(ranked.neighbourChords[r * PROFILE_NEIGHBOURS]).toBeGreaterThanOrEqual(own.neighbourChords[r * PROFILE_NEIGHBOURS] - 1e-9);
    expect(sum(ranked)).toBeGreaterThan(sum(own));
    expect(Array.from(ranked.pairAngles)).toEqual(Array.from(own.pairAngles));
    // and how those chords shrink with N is taken from the whole space, where the neighbours were chosen
    expect(Array.from(ranked.localDimension)).toEqual(Array.from(profileOf(sample.map((v) => sub.centredUnit(v))).localDimension));
  });

  it('with a hashing subspace, shrinks the chords the codes see by the sample\'s chord ratio as well (real all-MiniLM-L6-v2 embeddings)', () => {
    // GIVEN the subspace of the first 250 vectors, and every vector's 10 nearest in the whole space measured where the codes see them
    const frame = frameOf(data.vectors.slice(0, sampleSize), 'cosine');
    const sub = new Hasher(data.dimension, 'cosine', DEFAULT_INDEX_PARAMS, 5, PRNG_VERSION, frame.centre, undefined, frame.subspace);
    const views = data.vectors.map((v) => sub.hashView(v));
    const whole = data.vectors.map((v) => sub.centredUnit(v));
    const actual = new Float64Array(ANGLE_BINS);
    whole.forEach((a, i) => {
      const nearest = whole.map((b, j) => ({ j, c: i === j ? -Infinity : dot(a, b) })).sort((x, y) => y.c - x.c).slice(0, PROFILE_NEIGHBOURS);
      for (const { j } of nearest) actual[Math.round((Math.acos(Math.max(-1, Math.min(1, dot(views[i], views[j])))) * 180) / Math.PI)] += 1 / (whole.length * PROFILE_NEIGHBOURS);
    });
    // WHEN the sample's profile records the ratio of subspace to whole-space chords, and predicts the whole set with and without it
    const ranked = profileOf(views.slice(0, sampleSize), whole.slice(0, sampleSize));
    const ratio = ranked.chordRatio!;
    const withRatio = neighbourAngles(ranked, data.vectors.length);
    const withoutRatio = neighbourAngles({ ...ranked, chordRatio: undefined }, data.vectors.length);
    // THEN the ratio falls as pairs lie nearer (a subspace keeps the directions in which far vectors differ)
    expect(ratio).toHaveLength(ANGLE_BINS);
    expect(ratio[20]).toBeLessThan(ratio[90] - 0.05);
    expect(ranked.rankChords).toHaveLength(ranked.neighbourChords.length);
    // AND the prediction with it lies nearer the actual angles, still no nearer than they are (the ratio is held below the sample's nearest pairs)
    const mean = (hist: Float64Array) => hist.reduce((s, w, b) => s + w * b, 0);
    expect(mean(withRatio)).toBeLessThan(mean(withoutRatio) - 0.5);
    expect(mean(withRatio)).toBeGreaterThan(mean(actual));
    // AND a profile without a subspace has no ratio: its chords shrink as before
    expect(profile.chordRatio).toBeUndefined();
    expect(profile.rankChords).toBeUndefined();
  });

  it('needs at least PROFILE_MIN_SAMPLE vectors', () => {
    expect(() => profileOf(centred.slice(0, PROFILE_MIN_SAMPLE - 1))).toThrow(/a profile needs at least 100 vectors, got 99/);
    expect(() => profileOf(centred.slice(0, PROFILE_MIN_SAMPLE), centred.slice(0, PROFILE_MIN_SAMPLE + 1))).toThrow(/rankBy has 101 vectors, the sample 100/);
  });
});
