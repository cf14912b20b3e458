// Tests the planner's calibration by a collection's own queries on DynamoDB Local: which queries are observed,
// how they and their results' hits per hash table reach the counter item, and that queries unlike the stored
// vectors get a plan that finds their neighbours.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CALIBRATION_MIN_QUERIES } from '../../lambda/core/calibration';
import { OBSERVATION_FLUSH_QUERIES } from '../../lambda/core/observations';
import { PROFILE_NEIGHBOURS } from '../../lambda/core/profile';
import { HIT_SCALES, hitScaleOf } from '../../lambda/core/table-hits';
import { counterKey } from '../../lambda/store/key-format';
import { keyItem, toQueryAngles } from '../../lambda/store/records';
import { WhiplashStore } from '../../lambda/store/store';
import { exactTopK, loadMiniLm } from '../support/minilm';
import { useTestTables } from '../support/tables';

const data = loadMiniLm();
const rows = (from: number, to: number) => data.vectors.slice(from, to).map((v, i) => ({ id: data.ids[from + i], vector: Array.from(v), metadata: { source: data.sources[from + i] } }));

/**
 * Queries unlike the stored chunks: each is the sum of two chunks' embeddings from far-apart places
 * in the docs, as a question that spans two topics. Their nearest chunks lie farther away than a
 * chunk's own neighbours, which is what the first batch's profile measures.
 */
function twoTopicQuery(i: number): Float32Array {
  const a = data.vectors[(i * 7) % data.vectors.length];
  const b = data.vectors[(i * 131 + 50) % data.vectors.length];
  return a.map((x, j) => x + b[j]);
}

describe('the planner calibrated by the collection’s own queries, against DynamoDB Local', () => {
  const db = useTestTables();
  let store: WhiplashStore;

  beforeAll(async () => {
    store = new WhiplashStore(db);
    await store.createProject({ projectId: 'cal' });
    // Four hash tables, so that at 778 vectors the plan's probes depend on how far neighbours lie.
    await store.createCollection('cal', { name: 'docs', dimension: data.dimension, seed: 5, index: { hashTables: 4 } });
    await store.upsert('cal', 'docs', rows(0, 500));
    await store.upsert('cal', 'docs', rows(500, data.vectors.length));
  });

  const truths = new Map<number, Set<string>>();
  const recallOf = async (queries: readonly number[]) => {
    let found = 0;
    const shapes: { probes: number; depth: number }[] = [];
    for (const i of queries) {
      const q = twoTopicQuery(i);
      if (!truths.has(i)) truths.set(i, new Set(exactTopK(data.vectors, q, 10).map((r) => data.ids[r])));
      const truth = truths.get(i)!;
      const r = await store.query('cal', 'docs', { vector: q, topK: 10 });
      found += r.matches.filter((m) => truth.has(m.id)).length;
      shapes.push({ probes: r.stats.probes, depth: r.stats.depth });
    }
    return { recall: found / (10 * queries.length), shapes };
  };

  it('observes only unfiltered queries of top-k 10 or more, and plans from them once there are enough', async () => {
    // GIVEN filtered queries and queries of top-k 5, more than would otherwise calibrate the plan
    for (let i = 0; i < (CALIBRATION_MIN_QUERIES + OBSERVATION_FLUSH_QUERIES) / 2; i++) {
      await store.query('cal', 'docs', { vector: twoTopicQuery(i), topK: 10, filter: { source: data.sources[i] } });
      await store.query('cal', 'docs', { vector: twoTopicQuery(i), topK: 5 });
    }
    // THEN the collection still follows its profile's plan
    const profiled = (await store.getCollection('cal', 'docs')).queryPlan;
    expect(profiled.profiled).toBe(true);
    expect(profiled.calibratedBy).toBeUndefined();

    // WHEN fewer unfiltered top-10 queries than calibrate run: they follow the profile's plan
    const evaluation = Array.from({ length: CALIBRATION_MIN_QUERIES - OBSERVATION_FLUSH_QUERIES }, (_, i) => 1000 + i);
    const before = await recallOf(evaluation);
    expect(before.shapes.every((s) => s.probes === profiled.probes && s.depth === profiled.depth)).toBe(true);
    expect((await store.getCollection('cal', 'docs')).queryPlan.calibratedBy).toBeUndefined();

    // AND more queries of the same kind run, until the counter holds CALIBRATION_MIN_QUERIES of them
    for (let i = 0; i < CALIBRATION_MIN_QUERIES; i++) await store.query('cal', 'docs', { vector: twoTopicQuery(2000 + i) });

    // THEN the plan is made from the observed queries, for the recall target, in every instance
    const calibrated = (await store.getCollection('cal', 'docs')).queryPlan;
    expect(calibrated.calibratedBy).toBeGreaterThanOrEqual(CALIBRATION_MIN_QUERIES);
    expect(calibrated.calibratedBy! % OBSERVATION_FLUSH_QUERIES).toBe(0);
    // (had the filtered and top-5 queries counted, there would be more)
    expect(calibrated.calibratedBy).toBeLessThanOrEqual(evaluation.length + CALIBRATION_MIN_QUERIES);
    expect(calibrated.expectedRecall).toBeGreaterThanOrEqual(0.95);
    // (an instance plans again only at steps of the observed count, so its predicted recall may
    // come from fewer observations than another's: the shape is what they agree on)
    const elsewhere = (await new WhiplashStore(db).getCollection('cal', 'docs')).queryPlan;
    expect(elsewhere).toMatchObject({ depth: calibrated.depth, probes: calibrated.probes, calibratedBy: calibrated.calibratedBy });
    // AND its queries read more than the profile's plan did and find more of their neighbours
    expect(calibrated.probes).toBeGreaterThan(profiled.probes);
    const after = await recallOf(evaluation);
    expect(after.shapes.every((s) => s.probes === calibrated.probes && s.depth === calibrated.depth)).toBe(true);
    expect(after.recall).toBeGreaterThan(before.recall);
  }, 180_000);

  it('keeps on the counter item, beside the observed angles, the hash tables that held each observed result', async () => {
    // GIVEN the queries the test above observed, flushed to the counter item
    const counter = (await db.client.send(new GetItemCommand({ TableName: db.tables.metadata, Key: keyItem(counterKey('cal', 'docs')), ConsistentRead: true }))).Item!;
    const observed = toQueryAngles(counter)!;
    expect(observed.queries).toBeGreaterThanOrEqual(CALIBRATION_MIN_QUERIES);
    // THEN each observed result arrived from at least one of the 4 hash tables, and at most all of them
    const results = PROFILE_NEIGHBOURS * observed.queries;
    expect(observed.hits!.observed).toBeGreaterThanOrEqual(results);
    expect(observed.hits!.observed).toBeLessThanOrEqual(4 * results);
    expect(Number.isInteger(observed.hits!.observed)).toBe(true);
    // AND the hits expected given a find, at each factor, lie between as many and 4 times as many, growing with the factor
    const expected = Array.from(observed.hits!.expected);
    expect(expected).toHaveLength(HIT_SCALES.length);
    expect(expected[0]).toBeGreaterThanOrEqual(results);
    expect(expected[expected.length - 1]).toBeLessThanOrEqual(4 * results);
    expected.slice(1).forEach((x, j) => expect(x).toBeGreaterThan(expected[j]));
    // AND the description gives the factor they fit
    const { queryPlan } = await new WhiplashStore(db).getCollection('cal', 'docs');
    expect(queryPlan.calibratedBy).toBe(observed.queries);
    expect(queryPlan.hitScale).toBeCloseTo(hitScaleOf(observed.hits), 3);
  });

  it('reads a counter item written before table hits were kept as observations without them', () => {
    const counter = { pk: { S: 'p' }, sk: { S: 'c' }, n: { N: '9' }, q: { N: '64' }, a20: { N: '640' } };
    const observed = toQueryAngles(counter)!;
    expect(observed.queries).toBe(64);
    expect(observed.counts[20]).toBe(640);
    expect(observed.hits).toBeUndefined();
    expect(hitScaleOf(observed.hits)).toBe(1);
  });
});
