// Tests the planner's calibration by observed queries: the histogram of result angles, moved between collection
// sizes, the basis kept for planning again, and plans that find the neighbours of queries unlike the stored vectors.
import {
  CALIBRATION_MAX_QUERIES,
  CALIBRATION_MIN_QUERIES,
  calibratedPlan,
  calibratedPlanner,
  calibrationStep,
  decodePlanBasis,
  encodePlanBasis,
  isCalibrated,
  observedAngles,
  observedBins,
  planBasisOf,
  QueryAngles,
} from '../../lambda/core/calibration';
import { findProbability } from '../../lambda/core/collision';
import { centreOf, Hasher } from '../../lambda/core/hasher';
import { resolveIndexParams } from '../../lambda/core/params';
import { bucketReadUnits, planForAngles, planQuery, QueryPlan, recallAtAngles } from '../../lambda/core/planner';
import { HIT_SCALES, hitScaleOf, tableHitsOf } from '../../lambda/core/table-hits';
import { ANGLE_BINS, medianDimension, PROFILE_NEIGHBOURS, profileOf } from '../../lambda/core/profile';
import { calibrationMargin } from '../../lambda/core/sampling-margin';
import { exactTopK, loadMiniLm } from '../support/minilm';

const degrees = (rad: number) => (rad * 180) / Math.PI;
const radians = (deg: number) => (deg * Math.PI) / 180;

describe('calibration by observed queries', () => {
  const data = loadMiniLm();
  // four hash tables: at 778 vectors the plan's probes then depend on how far neighbours lie
  const index = resolveIndexParams({ hashTables: 4 }, 'index', data.dimension);
  const hasher = new Hasher(data.dimension, 'cosine', index, 5, 1, centreOf(data.vectors.slice(0, 500), 'cosine'));
  const profile = profileOf(data.vectors.slice(0, 500).map((v) => hasher.centredUnit(v)));
  const basis = planBasisOf(profile, 120);
  const N = data.vectors.length;
  const { hashTables, partitionBits, recallTarget } = index;

  /** Angles of a query's exact 10 nearest chunks in the hash frame, nearest first. */
  const neighbourAngles = (q: Float32Array) => hasher.anglesFrom(q, exactTopK(data.vectors, q, PROFILE_NEIGHBOURS).map((r) => data.vectors[r]));
  const observe = (queries: readonly Float32Array[]): { observed: QueryAngles; angles: number[][] } => {
    const counts = new Float64Array(ANGLE_BINS);
    const angles = queries.map(neighbourAngles);
    for (const a of angles) for (const b of observedBins(basis, N, a)) counts[b]++;
    return { observed: { queries: queries.length, counts }, angles };
  };
  /** The collision model's share found of the given true angles: the recall a plan gets on them. */
  const recallOn = (angles: number[][], plan: QueryPlan) => {
    const all = angles.flat();
    return all.reduce((s, a) => s + findProbability(a, plan.depth, plan.probes, hashTables, 1, plan.extraProbes), 0) / all.length;
  };

  it('keeps the first 10 result angles of a query, moved to the sample size; none of a query with fewer', () => {
    const angles = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110].map(radians);
    expect(observedBins(basis, basis.sampleSize, angles)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(observedBins(basis, N, angles.slice(0, 9))).toEqual([]);
    // in a larger collection the same angles stand for farther neighbours at the sample size
    const grown = observedBins(basis, 100 * basis.sampleSize, angles);
    grown.forEach((b, j) => expect(b).toBeGreaterThanOrEqual(10 * (j + 1)));
    expect(grown[0]).toBeGreaterThan(10);
    expect(Math.max(...grown)).toBeLessThanOrEqual(ANGLE_BINS - 1);
  });

  it('moves the observed angles back to any size: as observed at the size observed, nearer as N grows', () => {
    const { observed, angles } = observe(data.vectors.slice(0, 50).map((v, i) => v.map((x, j) => x + data.vectors[(i * 131 + 50) % N][j])));
    const meanOf = (hist: Float64Array) => hist.reduce((s, w, b) => s + w * b, 0);
    const atN = observedAngles(basis, observed, N);
    expect(atN.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 9);
    // whole-degree bins at the sample size, moved back and split between two degrees: within a degree
    const all = angles.flat().map(degrees);
    expect(Math.abs(meanOf(atN) - all.reduce((s, a) => s + a, 0) / all.length)).toBeLessThan(1);
    expect(meanOf(observedAngles(basis, observed, 1e6))).toBeLessThan(meanOf(atN) - 1);
    expect(() => observedAngles(basis, { queries: 0, counts: new Float64Array(ANGLE_BINS) }, N)).toThrow(/no observed angles/);
  });

  it('stores the basis as JSON and reads it back; refuses what is not one', () => {
    const back = decodePlanBasis(encodePlanBasis(basis));
    expect(back).toMatchObject({ sampleSize: 500, dimension: medianDimension(profile), entryBytes: 120 });
    back.pairAngles.forEach((x, b) => expect(x).toBeCloseTo(basis.pairAngles[b], 6));
    expect(() => decodePlanBasis('{"sampleSize":500}')).toThrow(/not a plan basis/);
  });

  it('plans again from a minimum of observed queries, then at each doubling, up to the maximum', () => {
    const at = (queries: number) => ({ queries, counts: new Float64Array(ANGLE_BINS) });
    expect(isCalibrated(undefined)).toBe(false);
    expect(isCalibrated(at(CALIBRATION_MIN_QUERIES - 1))).toBe(false);
    expect(calibrationStep(at(CALIBRATION_MIN_QUERIES - 1))).toBe(0);
    expect(calibrationStep(at(CALIBRATION_MIN_QUERIES))).toBe(1);
    expect(calibrationStep(at(2 * CALIBRATION_MIN_QUERIES - 1))).toBe(1);
    expect(calibrationStep(at(2 * CALIBRATION_MIN_QUERIES))).toBe(2);
    expect(calibrationStep(at(10 * CALIBRATION_MAX_QUERIES))).toBe(calibrationStep(at(CALIBRATION_MAX_QUERIES)));
  });

  it('gives queries unlike the stored vectors a plan that reaches the target where the profile’s does not', () => {
    // GIVEN queries that span two topics (the sum of two far-apart chunks' embeddings)
    const twoTopics = Array.from({ length: 200 }, (_, i) => data.vectors[(i * 7) % N].map((x, j) => x + data.vectors[(i * 131 + 50) % N][j]));
    const { observed, angles } = observe(twoTopics);
    // WHEN the planner plans from the profile, and from the observed queries
    const fromProfile = planQuery(profile, N, { hashTables, partitionBits, recallTarget, entryBytes: basis.entryBytes });
    const calibrated = calibratedPlan(basis, observed, N, { hashTables, partitionBits, recallTarget });
    // THEN on the queries' true neighbour angles the profile's plan falls short and the calibrated one does not
    expect(recallOn(angles, fromProfile)).toBeLessThan(recallTarget);
    expect(calibrated.probes).toBeGreaterThan(fromProfile.probes);
    expect(recallOn(angles, calibrated)).toBeGreaterThanOrEqual(recallTarget);
    // AND its prediction is within 0.01 of what it gets
    expect(Math.abs(calibrated.recall - recallOn(angles, calibrated))).toBeLessThan(0.01);
    // AND the planner on demand gives the plan of the nearest half octave of sizes
    const halfOctave = Math.pow(2, Math.round(2 * Math.log2(N)) / 2);
    expect(calibratedPlanner(basis, observed, { hashTables, partitionBits, recallTarget })(N)).toEqual(calibratedPlan(basis, observed, halfOctave, { hashTables, partitionBits, recallTarget }));
  });

  it('aims above the target by one standard error of the observed recall, less as more queries are observed', () => {
    // GIVEN the binomial standard error of n queries' 10 neighbours at the target
    expect(calibrationMargin(32, 0.95)).toBeCloseTo(Math.sqrt((0.95 * 0.05) / 320), 12);
    expect(calibrationMargin(128, 0.95)).toBeCloseTo(calibrationMargin(32, 0.95) / 2, 12);
    expect(calibrationMargin(CALIBRATION_MAX_QUERIES, 0.95)).toBeLessThan(0.001);
    // WHEN plans are made from the first 32 and from all 200 of the same queries
    const twoTopics = Array.from({ length: 200 }, (_, i) => data.vectors[(i * 7) % N].map((x, j) => x + data.vectors[(i * 131 + 50) % N][j]));
    const few = observe(twoTopics.slice(0, 32)).observed;
    const many = observe(twoTopics).observed;
    const o = { hashTables, partitionBits, recallTarget };
    // THEN each predicts, on the angles it was made from, at least the target plus its margin
    expect(calibratedPlan(basis, few, N, o).recall).toBeGreaterThanOrEqual(recallTarget + calibrationMargin(32, recallTarget) - 0.0005);
    expect(calibratedPlan(basis, many, N, o).recall).toBeGreaterThanOrEqual(recallTarget + calibrationMargin(200, recallTarget) - 0.0005);
    // AND where the cheapest plan for the target alone predicts less than target + margin (0.97 here),
    // the calibrated plan is the one for target + margin instead
    const high = { ...o, recallTarget: 0.97 };
    const margin = calibrationMargin(32, high.recallTarget);
    const targetAlone = planForAngles(basis, observedAngles(basis, few, N), N, { ...high, entryBytes: basis.entryBytes });
    const aimed = planForAngles(basis, observedAngles(basis, few, N), N, { ...high, recallTarget: high.recallTarget + margin, entryBytes: basis.entryBytes });
    expect(targetAlone.recall).toBeLessThan(high.recallTarget + margin);
    expect(calibratedPlan(basis, few, N, high)).toMatchObject({ depth: aimed.depth, probes: aimed.probes, extraProbes: aimed.extraProbes });
    expect(calibratedPlan(basis, few, N, high).recall).toBeGreaterThanOrEqual(high.recallTarget + margin - 0.0005);
  });

  it('scales each hash table’s hit probability by the factor the observed results’ hits show', () => {
    // GIVEN the same observed queries, once with their results held by fewer hash tables than the
    // collision model expects (as a draw of hyperplanes that hits 0.85 times as often), once with none kept
    const twoTopics = Array.from({ length: 200 }, (_, i) => data.vectors[(i * 7) % N].map((x, j) => x + data.vectors[(i * 131 + 50) % N][j]));
    const { observed, angles } = observe(twoTopics);
    const profiled = calibratedPlan(basis, observed, N, { hashTables, partitionBits, recallTarget });
    const hits = tableHitsOf({ ...profiled, hashTables }, angles.flat(), angles.flat().map(() => 1));
    const fewer = { ...observed, hits: { observed: hits.expected[HIT_SCALES.indexOf(0.85)], expected: hits.expected } };
    expect(hitScaleOf(fewer.hits)).toBeCloseTo(0.85, 9);
    // WHEN plans are made from each
    const scaled = calibratedPlan(basis, fewer, N, { hashTables, partitionBits, recallTarget });
    // THEN the unscaled plan falls short on the queries' angles at the scaled probabilities, and the scaled one does not
    const scaledRecall = (plan: QueryPlan) => recallAtAngles(observedAngles(basis, observed, N), plan.depth, plan.probes, hashTables, 0.85, plan.extraProbes);
    expect(scaledRecall(profiled)).toBeLessThan(recallTarget);
    expect(scaledRecall(scaled)).toBeGreaterThanOrEqual(recallTarget);
    expect(scaled.recall).toBeCloseTo(scaledRecall(scaled), 3);
    // AND it reads more to get there
    expect(bucketReadUnits(basis, N, scaled.depth, scaled.probes, { hashTables, entryBytes: basis.entryBytes }, scaled.extraProbes)).toBeGreaterThan(
      bucketReadUnits(basis, N, profiled.depth, profiled.probes, { hashTables, entryBytes: basis.entryBytes }, profiled.extraProbes),
    );
  });
});
