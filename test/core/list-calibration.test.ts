// Tests the nprobe calibration of k-means lists: how much of the exact neighbours a wide read
// missed (`referenceMiss`), and the share of lists chosen from wide reads (`calibratedShare`), on MiniLM.
import { calibrationMargin, spreadMargin } from '../../lambda/core/sampling-margin';
import {
  CALIBRATION_EVERY,
  CALIBRATION_K,
  CALIBRATION_QUERIES,
  CALIBRATION_WINDOW,
  calibratedShare,
  calibrationPhase,
  CalibrationQuery,
  CalibrationSampler,
  FIRST_CALIBRATION_EVERY,
  foundShares,
  FIRST_CALIBRATION_QUERIES,
  joinWindow,
  QUERIES_TO_FILL,
  QUERIES_TO_FIRST_SETTING,
  RECALIBRATION_EVERY,
  referenceMiss,
  windowMargin,
} from '../../lambda/core/list-calibration';
import { coverageNprobe, listOrder, listSpace, meanCoverageNprobe, nearestList, trainLists } from '../../lambda/core/lists';
import { xoshiro128ss } from '../../lambda/core/prng';
import { loadMiniLmMatrix } from '../support/minilm';

/** Calibration queries of `width` lists whose results lie at the given ranks. */
const at = (width: number, ...ranks: number[][]): CalibrationQuery[] => ranks.map((r) => ({ width, ranks: r }));

describe('CalibrationSampler and the window', () => {
  /** The positions (1-based) of the queries among the next `n` that read wide, with `pooled` in the window. */
  const wideAmong = (sampler: CalibrationSampler, n: number, pooled: number | undefined) => Array.from({ length: n }, () => sampler.wide(pooled)).flatMap((w, i) => (w ? [i + 1] : []));
  /** A calibration query told apart from others by its width. */
  const query = (i: number): CalibrationQuery => ({ width: i + 1, ranks: [0] });

  it('tells a collection with no setting, one whose window fills and one whose window is full apart', () => {
    expect(calibrationPhase(undefined)).toBe('first');
    expect(calibrationPhase(FIRST_CALIBRATION_QUERIES)).toBe('filling');
    expect(calibrationPhase(CALIBRATION_WINDOW - 1)).toBe('filling');
    expect(calibrationPhase(CALIBRATION_WINDOW)).toBe('full');
  });

  /** The queries of each block of `every` after an instance's first that read wide, as places in the block (0-based). */
  const placesInBlocks = (wide: readonly number[], every: number, blocks: number) =>
    Array.from({ length: blocks }, (_, b) => wide.filter((p) => p >= 2 + b * every && p < 2 + (b + 1) * every).map((p) => p - 2 - b * every));

  it.each([
    ['before a setting', undefined, FIRST_CALIBRATION_EVERY],
    ['while the window fills', FIRST_CALIBRATION_QUERIES, CALIBRATION_EVERY],
    ['once the window is full', CALIBRATION_WINDOW, RECALIBRATION_EVERY],
  ] as const)('reads wide no first query of an instance, then one query in each block of the phase\'s period (%s)', (_, pooled, every) => {
    // GIVEN an instance's sampler
    const blocks = 100 * every;
    // WHEN it serves its first query and `blocks` blocks' worth after it
    const wide = wideAmong(new CalibrationSampler(7), 1 + blocks * every, pooled);
    // THEN the first does not read wide, and each block has one query that does
    expect(wide).not.toContain(1);
    const places = placesInBlocks(wide, every, blocks);
    expect(places.every((p) => p.length === 1)).toBe(true);
    // AND its place in the block is not fixed: each place comes up about as often as any other (100 times each, give or take 5 sd)
    const counts = Array.from({ length: every }, (_, i) => places.filter(([p]) => p === i).length);
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
  });

  it('places the wide queries by the collection\'s seed: the same seed, the same places', () => {
    const places = (seed: number) => wideAmong(new CalibrationSampler(seed), 1 + 64 * CALIBRATION_EVERY, FIRST_CALIBRATION_QUERIES);
    expect(places(3)).toEqual(places(3));
    expect(places(3)).not.toEqual(places(4));
  });

  it.each([
    ['100 queries while the window fills', 100, FIRST_CALIBRATION_QUERIES, QUERIES_TO_FILL],
    ['128 queries once the window is full', 128, CALIBRATION_WINDOW, 64 * CALIBRATION_WINDOW],
  ] as const)('reads wide most of a small set of queries a client asks in turn (%s), not the same few each time', (_, size, pooled, served) => {
    // GIVEN a client that asks the same `size` queries in turn, a multiple of the period
    // WHEN an instance serves `served` of them
    const wide = wideAmong(new CalibrationSampler(11), served, pooled);
    // THEN the queries that read wide are most of the set (a fixed place in each block would read
    // the same size / period of them every time)
    const asked = new Set(wide.map((p) => (p - 1) % size));
    expect(asked.size).toBeGreaterThan(0.9 * size);
  });

  it('is due to join the window after FIRST_CALIBRATION_QUERIES until the window is full, then after CALIBRATION_QUERIES, and hands over what it gathered once', () => {
    const sampler = new CalibrationSampler(1);
    const due = (pooled: number | undefined, n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => {
        sampler.add(query(from + i));
        return sampler.due(pooled);
      }).flatMap((d, i) => (d ? [i + 1] : []));
    expect(due(undefined, FIRST_CALIBRATION_QUERIES)).toEqual([FIRST_CALIBRATION_QUERIES]);
    expect(sampler.take().map((q) => q.width)).toEqual(Array.from({ length: FIRST_CALIBRATION_QUERIES }, (_, i) => i + 1));
    expect(sampler.take()).toEqual([]);
    expect(due(CALIBRATION_WINDOW - 1, FIRST_CALIBRATION_QUERIES)).toEqual([FIRST_CALIBRATION_QUERIES]);
    sampler.take();
    expect(due(CALIBRATION_WINDOW, CALIBRATION_QUERIES)).toEqual([CALIBRATION_QUERIES]);
  });

  it('holds what it handed over again before what it gathered since, when a join did not land', () => {
    const sampler = new CalibrationSampler(1);
    [0, 1, 2].forEach((i) => sampler.add(query(i)));
    const taken = sampler.take();
    sampler.add(query(3));
    sampler.restore(taken);
    expect(sampler.take().map((q) => q.width)).toEqual([1, 2, 3, 4]);
  });

  it('keeps the latest CALIBRATION_WINDOW of the held and the fresh queries, oldest first', () => {
    const held = Array.from({ length: CALIBRATION_WINDOW - 2 }, (_, i) => query(i));
    const fresh = Array.from({ length: 5 }, (_, i) => query(CALIBRATION_WINDOW - 2 + i));
    expect(joinWindow(held.slice(0, 3), fresh.slice(0, 2)).map((q) => q.width)).toEqual([1, 2, 3, CALIBRATION_WINDOW - 1, CALIBRATION_WINDOW]);
    expect(joinWindow(held, fresh).map((q) => q.width)).toEqual(Array.from({ length: CALIBRATION_WINDOW }, (_, i) => i + 4));
  });

  it.each([1, 2, 3])('fills the window of a collection served by one instance within QUERIES_TO_FILL queries (seed %i)', (seed) => {
    // GIVEN one instance serving a new collection, its window joined whenever a join is due
    const sampler = new CalibrationSampler(seed);
    let window: CalibrationQuery[] = [];
    let pooled: number | undefined;
    let served = 0;
    let firstSetting = 0;
    // WHEN it serves queries until the window is full
    while (calibrationPhase(pooled) !== 'full' && served < 10 * QUERIES_TO_FILL) {
      served++;
      if (!sampler.wide(pooled)) continue;
      sampler.add(query(served));
      if (sampler.due(pooled)) pooled = (window = joinWindow(window, sampler.take())).length;
      if (firstSetting === 0 && pooled !== undefined) firstSetting = served;
    }
    // THEN the first setting's queries took at most QUERIES_TO_FIRST_SETTING queries, and the full window at most QUERIES_TO_FILL,
    // at least the last block's worth less
    expect(firstSetting).toBeLessThanOrEqual(QUERIES_TO_FIRST_SETTING);
    expect(firstSetting).toBeGreaterThan(QUERIES_TO_FIRST_SETTING - FIRST_CALIBRATION_EVERY);
    expect(served).toBeLessThanOrEqual(QUERIES_TO_FILL);
    expect(served).toBeGreaterThan(QUERIES_TO_FILL - CALIBRATION_EVERY);
  });
});

describe('referenceMiss', () => {
  it('is 0 when the queries read every list, or found nothing beyond the first half of their read', () => {
    expect(referenceMiss(at(8, [0, 7, 7, 7, 7, 7, 7, 7, 7, 7]), 8)).toBe(0);
    expect(referenceMiss(at(8, [0, 1, 2, 3, 3, 3, 3, 3, 3, 3]), 16)).toBe(0);
  });

  /** The share beyond a read of `width` of `lists` the falling share puts before the last list, from a (beyond the read, unbounded) and m2. */
  const withinLists = (a: number, m2: number, width: number, lists: number) => a * (1 - (a / (a + (1 - a) * m2)) ** Math.log2(lists / width));

  it('extrapolates the results beyond a quarter and a half of the read to what lay beyond it, up to the last list', () => {
    // GIVEN 20 queries of 16 lists of 100: 13 results in 200 beyond the first 4 lists, and 3 in 200 beyond the first 8
    const ranks = Array.from({ length: 20 }, (_, q) => Array.from({ length: 10 }, (_, i) => (i === 0 && q < 10 ? 5 : i === 0 && q < 13 ? 9 : 0)));
    const m1 = 13 / 200;
    const m2 = 3 / 200;
    // WHEN the share beyond the read is estimated
    const missed = referenceMiss(at(16, ...ranks), 100);
    // THEN it is the falling share's next steps: a x (a + (1 - a) m1) = (a + (1 - a) m2)^2, cut at the last list
    const a = (m2 * m2) / (m1 - 2 * m2 + m2 * m2);
    expect(a * (a + (1 - a) * m1)).toBeCloseTo((a + (1 - a) * m2) ** 2, 12);
    expect(missed).toBeCloseTo(withinLists(a, m2, 16, 100), 12);
    expect(missed).toBeLessThan(a);
    // AND the nearer the read comes to every list, the less lies beyond it
    expect(referenceMiss(at(16, ...ranks), 20)).toBeLessThan(missed);
    // AND queries that read every list count as missing nothing
    expect(referenceMiss([...at(16, ...ranks), ...at(100, ...ranks)], 100)).toBeCloseTo(missed / 2, 12);
  });

  it('takes the share beyond the first half as the share beyond the read when the results do not thin out', () => {
    const flat = at(16, [0, 0, 0, 0, 0, 0, 0, 5, 9, 13]);
    expect(referenceMiss(flat, 100)).toBeCloseTo(withinLists(0.2, 0.2, 16, 100), 12);
  });
});

describe('the margin of a window', () => {
  it('is the standard error of the queries\' own recall, at least that of as many independent neighbours', () => {
    // GIVEN 100 queries that found all or none of their neighbours, and 100 that each found the same share
    const together = [...Array<number>(80).fill(1), ...Array<number>(20).fill(0)];
    const alike = Array<number>(100).fill(0.8);
    // THEN the first spread by their own standard deviation over the square root of their number
    expect(spreadMargin(together, 0.8)).toBeCloseTo(Math.sqrt((80 * 0.2 ** 2 + 20 * 0.8 ** 2) / 99) / 10, 12);
    expect(spreadMargin(together, 0.8)).toBeGreaterThan(calibrationMargin(100, 0.8));
    // AND the second, which do not spread, take the margin of 1,000 independent neighbours
    expect(spreadMargin(alike, 0.8)).toBe(calibrationMargin(100, 0.8));
    expect(spreadMargin([0.5], 0.8)).toBe(calibrationMargin(1, 0.8));
    expect(() => spreadMargin([], 0.8)).toThrow(/at least one query/);
  });

  it('counts each query\'s results in the lists a mean nprobe reads, one list more in proportion to its fraction', () => {
    const window = at(8, [0, 0, 0, 0, 0, 1, 1, 2, 2, 7], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(foundShares(window, 1)).toEqual([0.5, 0]);
    expect(foundShares(window, 2)).toEqual([0.7, 1]);
    expect(foundShares(window, 1.25)[0]).toBeCloseTo(0.75 * 0.5 + 0.25 * 0.7, 12);
    expect(foundShares(window, 1.25)[1]).toBeCloseTo(0.25, 12);
  });

  it('makes a full window whose queries find their results together read more lists than one whose queries each find the same share', () => {
    // GIVEN two full windows over 8 lists whose queries find 80 % of their results in the nearest list and the rest in the fourth:
    // one query in 5 finds none near, or every query finds 8 of 10
    const together = at(8, ...Array.from({ length: CALIBRATION_WINDOW }, (_, i) => Array<number>(10).fill(i % 5 === 4 ? 3 : 0)));
    const alike = at(8, ...Array.from({ length: CALIBRATION_WINDOW }, () => [0, 0, 0, 0, 0, 0, 0, 0, 3, 3]));
    // WHEN calibrating both for a target of 0.8, which the nearest list alone reaches
    const nprobe = (window: CalibrationQuery[]) => calibratedShare(window, 8, 0.8) * 8;
    // THEN each aims at the target plus its own margin: the queries that found nothing near cost a wider one
    expect(windowMargin(together, 8, 0.8)).toBeCloseTo(spreadMargin(foundShares(together, 1), 0.8), 12);
    expect(windowMargin(together, 8, 0.8)).toBeGreaterThan(2 * calibrationMargin(CALIBRATION_WINDOW, 0.8));
    expect(windowMargin(alike, 8, 0.8)).toBe(calibrationMargin(CALIBRATION_WINDOW, 0.8));
    const aimed = (window: CalibrationQuery[], margin: number) => meanCoverageNprobe(window.map((q) => q.ranks), 8, 0.8 + margin);
    expect(nprobe(together)).toBeCloseTo(aimed(together, windowMargin(together, 8, 0.8)), 12);
    expect(nprobe(alike)).toBeCloseTo(aimed(alike, calibrationMargin(CALIBRATION_WINDOW, 0.8)), 12);
    expect(nprobe(together)).toBeGreaterThan(3);
    expect(nprobe(together)).toBeGreaterThan(nprobe(alike));
  });

  it('aims a window still filling by the sampling margin of as many independent neighbours', () => {
    // GIVEN a window one query short of full, whose queries find their results together
    const filling = at(8, ...Array.from({ length: CALIBRATION_WINDOW - 1 }, (_, i) => Array<number>(10).fill(i % 5 === 4 ? 3 : 0)));
    // THEN its margin is the least one, and its setting aims by it
    expect(windowMargin(filling, 8, 0.8)).toBe(calibrationMargin(CALIBRATION_WINDOW - 1, 0.8));
    expect(spreadMargin(foundShares(filling, 1), 0.8)).toBeGreaterThan(windowMargin(filling, 8, 0.8));
    expect(calibratedShare(filling, 8, 0.8) * 8).toBeCloseTo(meanCoverageNprobe(filling.map((q) => q.ranks), 8, 0.8 + calibrationMargin(CALIBRATION_WINDOW - 1, 0.8)), 12);
  });
});

describe('calibration from wide reads on MiniLM', () => {
  // GIVEN 64 lists over the MiniLM embeddings, and 128 of them as queries (each left out of its own neighbours)
  const { data: raw, dim } = loadMiniLmMatrix();
  const rows = listSpace(raw, dim, 'cosine');
  const n = rows.length / dim;
  const next = xoshiro128ss(3);
  const lists = trainLists(rows, dim, 'cosine', 64, { iterations: 8, random: () => next() / 4294967296 });
  const listOf = Int32Array.from({ length: n }, (_, r) => nearestList(lists, rows, r * dim));
  const queries = Array.from({ length: 128 }, (_, i) => i * 5);
  const rankOf = queries.map((q) => {
    const ranks = new Int32Array(lists.count);
    listOrder(lists, rows, q * dim).forEach((list, rank) => (ranks[list] = rank));
    return ranks;
  });
  const nearestFirst = queries.map((q) => {
    const d = Float64Array.from({ length: n }, (_, r) => {
      let s = 0;
      for (let j = 0; j < dim; j++) s += (rows[q * dim + j] - rows[r * dim + j]) ** 2;
      return s;
    });
    return Array.from({ length: n }, (_, r) => r).filter((r) => r !== q).sort((a, b) => d[a] - d[b]);
  });
  /** Mean recall@10 of reading each query's first `nprobe` lists against its exact top 10. */
  const exactRecall = (nprobe: number) => queries.reduce((s, _, i) => s + nearestFirst[i].slice(0, 10).filter((r) => rankOf[i][listOf[r]] < nprobe).length / 10, 0) / queries.length;
  /** What a store's wide read of `width` lists finds: each query's 10 nearest among them, as list ranks. */
  const wideReads = (width: number): CalibrationQuery[] =>
    queries.map((_, i) => ({ width, ranks: nearestFirst[i].filter((r) => rankOf[i][listOf[r]] < width).slice(0, CALIBRATION_K).map((r) => rankOf[i][listOf[r]]) }));

  it.each([8, 12, 16])('estimates at least the share of the exact top 10 that a read of %i lists missed', (width) => {
    const missed = 1 - exactRecall(width);
    expect(missed).toBeGreaterThan(0);
    expect(referenceMiss(wideReads(width), lists.count)).toBeGreaterThanOrEqual(missed);
  });

  it.each([
    [8, 0.9],
    [12, 0.95],
    [16, 0.95],
  ])('from reads of %i lists, chooses a share whose exact recall reaches %f, where the wide reads taken as exact fall short or tie', (width, target) => {
    // WHEN calibrating from the wide reads
    const reads = wideReads(width);
    const nprobe = Math.round(calibratedShare(reads, lists.count, target) * lists.count);
    // THEN reading that many lists finds the target share of the exact neighbours
    expect(exactRecall(nprobe)).toBeGreaterThanOrEqual(target);
    // AND it aims above the wide reads' own coverage, by at least the sampling margin
    const plain = coverageNprobe(reads.map((q) => q.ranks), lists.count, target);
    expect(nprobe).toBeGreaterThanOrEqual(plain);
    expect(nprobe).toBeGreaterThanOrEqual(coverageNprobe(reads.map((q) => q.ranks), lists.count, Math.min(1, target + calibrationMargin(reads.length, target))));
    if (width === 8) expect(exactRecall(plain)).toBeLessThan(target);
  });

  it('from reads too narrow to show the target, chooses their whole width, so that the next wide read is four times as wide', () => {
    const reads = wideReads(8);
    expect(exactRecall(8)).toBeLessThan(0.95);
    expect(calibratedShare(reads, lists.count, 0.95) * lists.count).toBe(8);
  });

  it('aims at the target plus the margin it is given, the window\'s own margin when none is', () => {
    // GIVEN wide reads of 16 lists
    const reads = wideReads(16);
    const ranks = reads.map((q) => q.ranks);
    const missed = referenceMiss(reads, lists.count);
    // WHEN calibrating with no margin, the default one, and a margin of 0.03
    const share = (margin?: number) => calibratedShare(reads, lists.count, 0.9, margin) * lists.count;
    // THEN each share is the mean nprobe at which the reads' coverage reaches (0.9 + margin) / (1 - missed)
    const aimed = (margin: number) => meanCoverageNprobe(ranks, lists.count, (0.9 + margin) / (1 - missed));
    expect(share(0)).toBeCloseTo(aimed(0), 12);
    expect(share()).toBeCloseTo(aimed(windowMargin(reads, lists.count, 0.9)), 12);
    expect(share(0.03)).toBeCloseTo(aimed(0.03), 12);
    // AND a wider margin never reads fewer lists
    expect(share(0)).toBeLessThanOrEqual(share());
    expect(share()).toBeLessThan(share(0.03));
  });

  it('refuses a target outside [0, 1]', () => {
    expect(() => calibratedShare(at(8, [0]), 8, 1.2)).toThrow(/target must be in \[0, 1\]/);
  });
});
