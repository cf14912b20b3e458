// Tests run summaries, the target check, the sweep points, the SVG plot and the rendering of results into BENCHMARKS.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { GroundTruth } from '../../bench/ground-truth';
import { recallCostSvg } from '../../bench/plot';
import { BenchResult, checkTarget, costTargetLine, heldOutLine, markdownTable, renderBenchmarksMd, writeReports } from '../../bench/report';
import { sweepPoints } from '../../bench/benchmark';
import { summarise, Summary, SystemRun } from '../../bench/summary';
import { tempDir } from './fixtures';

// Two queries, k = 2: query 0's neighbours are rows 0 and 1, query 1's rows 2 and 3.
const gt: GroundTruth = { k: 2, queries: 2, ids: Int32Array.from([0, 1, 2, 3]), distances: Float64Array.from([1, 2, 1, 2]) };
const distanceOf = (q: number, id: number) => (q === 0 ? [1, 2, 5, 6][id] : [5, 6, 1, 2][id]);

function run(system: string, ids: number[][], readUnits: number[], overrides: object = {}): SystemRun {
  return {
    system,
    label: system,
    settings: { overrides },
    ingest: { vectors: 100, seconds: 4, writeUnits: 300 },
    queries: ids.map((r, q) => ({ ids: r, candidates: 10 * (q + 1), readUnits: readUnits[q], roundTrips: q + 1, ms: 10 * (q + 1) })),
  };
}

describe('summaries', () => {
  test('mean recall@k, candidates, read units and round trips, max round trips, ingest rate and write units per vector', () => {
    const s = summarise(run('whiplash', [[0, 1], [2, 9]], [10, 20]), gt, 2, distanceOf);
    expect(s.recall).toBe(0.75);
    expect([s.candidates, s.readUnits, s.roundTrips, s.maxRoundTrips]).toEqual([15, 15, 1.5, 2]);
    expect([s.p50Ms, s.p95Ms]).toEqual([10, 20]);
    expect([s.ingestVectorsPerSecond, s.writeUnitsPerVector]).toEqual([25, 3]);
    expect(s.bytesRead).toBeUndefined();
  });

  test('records of several seeds name their query, and recall follows that query', () => {
    const r: SystemRun = { ...run('original', [], []), queries: [
      { q: 1, ids: [2, 3], candidates: 1, readUnits: 1, roundTrips: 1, ms: 1 },
      { q: 0, ids: [0, 9], candidates: 1, readUnits: 1, roundTrips: 1, ms: 1 },
      { q: 1, ids: [9, 9], candidates: 1, readUnits: 1, roundTrips: 1, ms: 1 },
    ] };
    expect(summarise(r, gt, 2, distanceOf).recall).toBeCloseTo((1 + 0.5 + 0) / 3);
  });

  test('the target is met only with enough recall and at least 20x fewer read units than the original, and applies at 60,000 vectors', () => {
    const wl = (recall: number, readUnits: number) => ({ system: 'whiplash', queries: 100, recall, readUnits }) as unknown as Summary;
    const orig = { system: 'original', queries: 100, recall: 0.8, readUnits: 5700 } as unknown as Summary;
    expect(checkTarget('fashion-mnist', 60000, wl(0.96, 280), orig)).toMatchObject({ met: true, applies: true, queries: 100, readUnits: 280, originalReadUnits: 5700 });
    expect(checkTarget('fashion-mnist', 60000, wl(0.94, 280), orig)?.met).toBe(false);
    expect(checkTarget('fashion-mnist', 60000, wl(0.96, 300), orig)?.met).toBe(false);
    expect(checkTarget('fashion-mnist', 10000, wl(0.96, 100), orig)?.applies).toBe(false);
    expect(checkTarget('minilm', 678, wl(0.96, 100), orig)).toBeUndefined();
  });

  test('the sweep measures the defaults first, then every combination of the overrides', () => {
    expect(sweepPoints()).toEqual([{}]);
    expect(sweepPoints([0, 4])).toEqual([{}, { probes: 0 }, { probes: 4 }]);
    expect(sweepPoints([4], [100, 200])).toEqual([{}, { probes: 4, rerank: 100 }, { probes: 4, rerank: 200 }]);
    expect(sweepPoints([4], undefined, [0.9, 0.8])).toEqual([{}, { probes: 4 }, { recallTarget: 0.9 }, { recallTarget: 0.8 }]);
  });
});

describe('plot', () => {
  test('one point per system, placed by log read units and recall; higher recall is higher up', () => {
    const systems = [summarise(run('whiplash', [[0, 1], [2, 3]], [100, 100]), gt, 2, distanceOf), summarise(run('original', [[0, 5], [2, 9]], [10000, 10000]), gt, 2, distanceOf)];
    const svg = recallCostSvg('t', systems, 2);
    const circles = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(circles).toHaveLength(2);
    expect(circles[0][0]).toBeLessThan(circles[1][0]); // 100 units left of 10,000
    expect(circles[0][1]).toBeLessThan(circles[1][1]); // recall 1 above recall 0.5 (SVG y grows downwards)
    expect(svg).toContain('recall@2');
  });
});

describe('BENCHMARKS.md', () => {
  test('renders every result file: command, table row per system and the target verdict', () => {
    const dir = path.join(tempDir(), 'results');
    mkdirSync(dir);
    const systems = [summarise(run('whiplash', [[0, 1], [2, 3]], [100, 100]), gt, 2, distanceOf), summarise(run('original', [[0, 5], [2, 3]], [5000, 5000]), gt, 2, distanceOf)];
    const result: BenchResult = {
      dataset: { name: 'fashion-mnist', source: 'x', metric: 'euclidean', dim: 784, base: 60000, queries: 2, fullSize: true },
      k: 2,
      command: 'npm run bench',
      date: '2026-11-22T00:00:00.000Z',
      commit: 'abc1234',
      engine: 'DynamoDB Local (java, in memory)',
      machine: { cpus: 2, node: '20' },
      systems,
      target: checkTarget('fashion-mnist', 60000, systems[0], systems[1]),
    };
    writeFileSync(path.join(dir, 'fashion-mnist.json'), JSON.stringify(result));
    writeFileSync(path.join(dir, 'load.json'), JSON.stringify({ tool: 'another tool', runs: [] })); // not ours: left alone
    writeFileSync(path.join(dir, 'load.md'), '## Load (local mode)\n\nfigures of another benchmark\n'); // its section, included as is
    writeFileSync(path.join(dir, 'fashion-mnist.svg'), recallCostSvg('fashion-mnist', systems, 2));
    const md = renderBenchmarksMd(dir);
    expect(md).toContain('![recall@2 against read units per query](bench/results/fashion-mnist.svg)');
    expect(md).toContain('## fashion-mnist: 60,000 vectors x 784 (euclidean), 2 queries');
    expect(md).toContain('```sh\nnpm run bench\n```');
    expect(md).toMatch(/\| whiplash \| 2 \| 1\.000 \|/);
    expect(md).toMatch(/\| original \| 2 \| 0\.750 \|/);
    expect(md).toContain('Measured on the 2 queries both ran: Whiplash recall@10 1.000 at 100.0 read units per query; the original layout reads 5000.0, 50.0x as many. **MET**');
    expect(markdownTable(systems).split('\n')).toHaveLength(4);
    expect(md).not.toContain('another tool');
    expect(md.trimEnd().endsWith('## Load (local mode)\n\nfigures of another benchmark')).toBe(true);
    const mdFile = path.join(dir, '..', 'BENCHMARKS.md');
    writeReports(dir, mdFile);
    expect(readFileSync(mdFile, 'utf8')).toContain('bench/results/fashion-mnist.svg');
  });
});

describe("#17's cost targets", () => {
  const result = (readUnits: number, storedBytesPerVector: number, base = 60000): BenchResult => {
    const wl = summarise(run('whiplash', [[0, 1], [2, 3]], [readUnits, readUnits]), gt, 2, distanceOf);
    const model = { ...summarise(run('model', [[0, 1], [2, 9]], [readUnits, readUnits]), gt, 2, distanceOf), settings: { overrides: {}, storedBytesPerVector } };
    return {
      dataset: { name: 'fashion-mnist', source: 'x', metric: 'euclidean', dim: 784, base, queries: 2, fullSize: base === 60000 },
      k: 2, command: 'npm run bench', date: '2026-12-01T00:00:00.000Z', commit: 'abc1234', engine: 'DynamoDB Local (java, in memory)', machine: { cpus: 2, node: '20' },
      systems: [wl, model],
    };
  };

  test('read units and stored bytes against the targets, from the measured run first and the model for the bytes', () => {
    // 784 x 4 = 3,136 float32 bytes: 2x is 6,272
    expect(costTargetLine(result(100, 6272))).toContain('recall@10 1.000 at 100.0 read units per query (target >= 0.95 at <= 100): **met**; 6,272 bytes stored per vector, 2.00x the 3,136-byte float32 vector (target <= 2x): **met**');
    expect(costTargetLine(result(100.5, 6273))).toContain('(target >= 0.95 at <= 100): **not met**; 6,273 bytes stored per vector, 2.00x the 3,136-byte float32 vector (target <= 2x): **not met**');
  });

  test('says nothing on a subset, where the target is not defined', () => {
    expect(costTargetLine(result(50, 4000, 10000))).toBe('');
  });
});

describe("#17's recall target on the data set kept aside", () => {
  // recall 0.75 on two queries: query 0 finds both neighbours, query 1 one of them
  const result = (recallTarget: number | undefined, base = 9000): BenchResult => ({
    dataset: { name: 'mnist-digits', source: 'x', metric: 'euclidean', dim: 784, base, queries: 2, fullSize: base === 9000 },
    k: 2, command: 'npm run bench -- --dataset mnist-digits', date: '2026-12-01T00:00:00.000Z', commit: 'abc1234', engine: 'DynamoDB Local (java, in memory)', machine: { cpus: 2, node: '20' },
    systems: [{ ...summarise(run('whiplash', [[0, 1], [2, 9]], [10, 10]), gt, 2, distanceOf), settings: { overrides: {}, ...(recallTarget === undefined ? {} : { index: { recallTarget } }) } }],
  });

  test('is met within 0.01 of the collection\'s recall target, above or below, and not beyond', () => {
    expect(heldOutLine(result(0.76))).toContain('recall@10 0.750 against recallTarget 0.76, -0.010 (target: within 0.01): **met**');
    expect(heldOutLine(result(0.74))).toContain('+0.010 (target: within 0.01): **met**');
    expect(heldOutLine(result(0.95))).toContain('-0.200 (target: within 0.01): **not met**');
    expect(heldOutLine(result(undefined))).toContain('against recallTarget 0.95');
  });

  test('says nothing on a subset', () => {
    expect(heldOutLine(result(0.75, 5000))).toBe('');
  });
});

describe('HNSW, the models, validation and scaling in the report', () => {
  const wl = summarise(run('whiplash', [[0, 1], [2, 3]], [100, 100]), gt, 2, distanceOf);
  const hnswRun = run('hnsw', [[0, 1], [2, 9]], [0, 0]);
  const hnsw = { ...summarise({ ...hnswRun, queries: hnswRun.queries.map((q) => ({ ...q, candidates: NaN })) }, gt, 2, distanceOf), label: 'hnsw in memory (ef 64)', settings: { efSearch: 64 } };

  test('HNSW reads nothing from DynamoDB: no point on the log axis but a labelled line at its recall', () => {
    const svg = recallCostSvg('t', [wl, hnsw], 2);
    expect([...svg.matchAll(/<circle /g)]).toHaveLength(1);
    expect(svg).toContain('hnsw in memory (ef 64): recall 0.750, 0 read units (in memory)');
    const y = (r: number) => 440 - 60 - r * (440 - 40 - 60);
    expect(svg).toContain(`y1="${y(0.75).toFixed(1)}"`);
  });

  test('GloVe: recall 0.90 with at most a quarter of the original layout\'s read units, on the models when asked', () => {
    const s = (recall: number, readUnits: number) => ({ queries: 300, recall, readUnits }) as unknown as Summary;
    expect(checkTarget('glove-100', 340479, s(0.91, 900), s(0.2, 3600), 'model')).toMatchObject({ met: true, applies: true, basis: 'model' });
    expect(checkTarget('glove-100', 340479, s(0.91, 901), s(0.2, 3600))?.met).toBe(false);
    expect(checkTarget('glove-100', 50000, s(0.91, 100), s(0.2, 3600))?.applies).toBe(false);
  });

  test('a section shows the model against the measurement and the fitted growth with its points', () => {
    const result: BenchResult = {
      dataset: { name: 'glove-100', source: 'x', metric: 'cosine', dim: 100, base: 340479, queries: 2, fullSize: true },
      k: 2,
      command: 'npm run bench -- --dataset glove-100',
      date: '2026-11-22T00:00:00.000Z',
      commit: 'abc1234',
      engine: 'in process (no DynamoDB)',
      machine: { cpus: 2, node: '20' },
      systems: [wl, hnsw],
      validation: [
        { measured: 'whiplash (defaults)', model: 'whiplash (model)', queries: 2, measuredReadUnits: 100, modelReadUnits: 100, modelBilledReadUnits: 100.5, relativeDifference: 0, exactQueries: 2, sameResults: 2, measuredCandidates: 10, modelCandidates: 10, measuredRecall: 0.9, modelRecall: 0.9 },
      ],
      scaling: {
        queries: 2,
        points: [
          { n: 50000, system: 'model', label: 'whiplash (model)', recall: 0.9, readUnits: 100, candidates: 1000, bytesRead: 102400, depth: 13 },
          { n: 200000, system: 'model', label: 'whiplash (model)', recall: 0.88, readUnits: 200, candidates: 2000, bytesRead: 204800, depth: 15 },
        ],
        fits: { model: { readUnits: { exponent: 0.5, coefficient: 0.44, r2: NaN, points: 2 }, candidates: { exponent: 0.5, coefficient: 4.4, r2: NaN, points: 2 } } },
      },
    };
    const dir = tempDir();
    writeFileSync(path.join(dir, 'glove-100.json'), JSON.stringify(result));
    const md = renderBenchmarksMd(dir);
    expect(md).toContain('| whiplash (defaults) | whiplash (model) | 2 | 100.00 | 100.00 | 0.00 % | 2 / 2 | 2 / 2 | 0.900 | 0.900 | 100.50 |');
    expect(md).toContain('| 200,000 | whiplash (model) | 0.880 | 2,000 | 200.0 | 200.0 | 15 |');
    expect(md).toContain('- whiplash (model): read units per query grow as N^0.500 (least squares on log RU against log N over 2 sizes); candidates as N^0.500.');
    expect(md).toMatch(/\| hnsw in memory \(ef 64\) \| 2 \| 0\.750 \| - \|/);
  });
});
