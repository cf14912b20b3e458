// Explores issue #17's index layout through the cost model: hash tables x bucket depth x probes (and sketch
// bits, re-rank cap, hash codes in the hashing subspace or the whole space), with recall@10 and where the read units go.
/**
 * `npx tsx bench/explore/layout-sweep.ts --help`. For each layout (hash tables L, sketch bits, hash
 * space) it encodes the data set once with the cost model (`bench/model/whiplash-model.ts`, the
 * store's own functions), runs the planner's own choice at the recall target, then every
 * (depth, probes, rerank) of the grid, and prints one row per point: recall@10, read units split
 * into bucket reads and re-rank fetches, candidates, vectors re-ranked, write units and bytes
 * stored per vector. Nothing here changes the store: depth is forced by giving the model a view
 * whose index has `bucketSize = N / 2^depth` (the store's own `bucketDepth` rule) and no plans.
 *
 * `--hash-space whole,auto`: `auto` hashes as the store does (in the hashing subspace of the first
 * batch when it has one, `lambda/core/subspace.ts`), `whole` in the whole space, as collections
 * whose first write predates the subspace do. `--prng-versions 2,3`: whole-space sketches (version
 * 2) against the split sketches of version 3 in a subspace (`splitSketchLayout`).
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { resolveIndexParams } from '../../lambda/core/params';
import { PRNG_VERSION } from '../../lambda/core/prng';
import { packSketch } from '../../lambda/core/sketch-format';
import { IndexParams } from '../../lambda/core/types';
import { writeUnits } from '../../lambda/core/capacity';
import { DATASET_NAMES, DatasetName, loadDataset } from '../datasets';
import { int, intList } from '../../lib/cli/parse';
import { Dataset, row } from '../datasets/types';
import { distance } from '../distance';
import { groundTruth, GroundTruth } from '../ground-truth';
import { StoreItems } from '../model/store-layout';
import { atDepth, WhiplashModel } from '../model/whiplash-model';
import { log } from '../progress';
import { recallAgainst } from '../recall';
import { BENCH_PROJECT, collectionName } from '../systems/context';
import { probesCell } from '../systems/probes-text';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const ints = intList(0);

/** One measured point: means over the queries. */
interface Point {
  layout: string;
  hashTables: number;
  sketchBits: number;
  hashSpace: string;
  kind: 'planner' | 'grid';
  depth: number;
  probes: number;
  /** Tables that probe one bucket more (`QueryShape.extraProbes`). */
  extraProbes: number;
  rerank: number;
  expectedRecall?: number;
  recall: number;
  readUnits: number;
  bucketReadUnits: number;
  fetchReadUnits: number;
  candidates: number;
  entriesRead: number;
  reranked: number;
  truncatedReads: number;
  truthInCandidates: number;
  writeUnits: number;
  storedBytes: number;
}

/** Write units and stored bytes per vector (no metadata), over the first 200 rows: items of at most 1 KB cost 1 WCU each. */
function writeCost(model: WhiplashModel, items: StoreItems, ds: Dataset): { writeUnits: number; storedBytes: number } {
  const n = Math.min(200, ds.base.rows);
  let wcu = 0;
  for (let r = 0; r < n; r++) {
    const e = model.hasher.encode(row(ds.base, r));
    const packed = packSketch(e);
    for (let t = 0; t < model.params.hashTables; t++) wcu += writeUnits(items.bucketEntryBytes(t, e.codes[t], String(r), packed));
    wcu += writeUnits(items.vectorItemBytes(String(r), row(ds.base, r)));
  }
  return { writeUnits: wcu / n, storedBytes: model.storedBytesPerVector() };
}

function measure(model: WhiplashModel, ds: Dataset, gt: GroundTruth, k: number, opts: { probes?: number; rerank?: number }) {
  const acc = { recall: 0, readUnits: 0, bucketReadUnits: 0, fetchReadUnits: 0, candidates: 0, entriesRead: 0, reranked: 0, truncatedReads: 0, truthInCandidates: 0 };
  let shape = { depth: 0, probes: 0, extraProbes: 0, expectedRecall: undefined as number | undefined };
  const Q = ds.queries.rows;
  for (let q = 0; q < Q; q++) {
    const query = row(ds.queries, q);
    const m = model.query(query, { topK: k, ...opts, truth: gt.ids.subarray(q * gt.k, q * gt.k + k) });
    shape = { depth: m.depth, probes: m.probes, extraProbes: m.extraProbes, expectedRecall: m.expectedRecall };
    acc.recall += recallAgainst(gt, q, m.ids, k, (id) => distance(ds.metric, query, row(ds.base, id)));
    acc.readUnits += m.readUnits;
    acc.bucketReadUnits += m.bucketReadUnits;
    acc.fetchReadUnits += m.fetchReadUnits;
    acc.candidates += m.candidates;
    acc.entriesRead += m.entriesRead;
    acc.reranked += m.reranked;
    acc.truncatedReads += m.truncatedReads;
    acc.truthInCandidates += (m.truthInCandidates ?? 0) / k;
  }
  const mean = Object.fromEntries(Object.entries(acc).map(([key, v]) => [key, v / Q])) as typeof acc;
  return { ...shape, ...mean };
}

const fmt = (p: Point) =>
  [p.layout, p.kind, p.depth, probesCell(p), p.rerank, p.expectedRecall ?? '-', p.recall.toFixed(3), p.readUnits.toFixed(1), p.bucketReadUnits.toFixed(1), p.fetchReadUnits.toFixed(1), Math.round(p.candidates), Math.round(p.entriesRead), p.reranked.toFixed(1), p.truncatedReads.toFixed(2), p.truthInCandidates.toFixed(3), p.writeUnits.toFixed(1), Math.round(p.storedBytes)].join(' | ');

async function main(): Promise<void> {
  const program = new Command()
    .name('layout-sweep')
    .description("Issue #17: recall@10 and read/write cost of index layouts through the cost model (hash tables x depth x probes, sketch bits, re-rank cap, hashing subspace or whole space)")
    .option('--dataset <name>', `data set (${DATASET_NAMES.join(', ')})`, 'fashion-mnist')
    .option('--size <n>', 'first N base vectors (default: all)', int(1))
    .option('--queries <n>', 'queries', int(1), 300)
    .option('--tables <list>', 'hash tables (L) to try', ints, [32])
    .option('--sketch-bits <list>', 'sketch bits to try (default: the data set default)', ints)
    .option('--hash-space <list>', 'auto (as the store: the first batch\'s hashing subspace, if any) and/or whole (the whole space)', list, ['auto'])
    .option('--prng-versions <list>', 'collections\' PRNG versions (2: whole-space sketches, 3: split sketches in a subspace)', ints, [PRNG_VERSION])
    .option('--depths <list>', 'bucket depths of the grid (default: none, planner only)', ints, [])
    .option('--probes <list>', 'probes per table of the grid', ints, [0, 1, 2, 4, 8, 16, 32, 64])
    .option('--rerank <list>', 'per-query re-rank caps of the grid (default: the index rerank)', ints)
    .option('--seed <n>', 'hyperplane seed', int(0), 1)
    .option('--target <r>', 'recall target of the floor (cheapest grid point at or above it)', (v) => Number(v), 0.95)
    .option('--out <file>', 'also write the points as JSON')
    .parse();
  const o = program.opts<{ dataset: DatasetName; size?: number; queries: number; tables: number[]; sketchBits?: number[]; hashSpace: string[]; prngVersions: number[]; depths: number[]; probes: number[]; rerank?: number[]; seed: number; target: number; out?: string }>();
  const k = 10;
  const ds = loadDataset(o.dataset, { size: o.size, queries: o.queries, log });
  log(`${ds.name}: ${ds.base.rows} x ${ds.dim} (${ds.metric}), ${ds.queries.rows} queries`);
  const gt = groundTruth(ds, k, { log });
  const points: Point[] = [];
  console.log('layout | kind | depth | probes | rerank | expected | recall@10 | RU | bucket RU | fetch RU | candidates | entries read | re-ranked | truncated reads | top10 in candidates | WCU/vector | bytes/vector');
  for (const [space, version] of o.hashSpace.flatMap((h) => o.prngVersions.map((v) => [h, v] as const))) {
    if (space !== 'auto' && space !== 'whole') throw new Error(`--hash-space ${space}: use auto or whole`);
    for (const L of o.tables) {
      for (const sb of o.sketchBits ?? [undefined]) {
        const params: IndexParams = resolveIndexParams({ hashTables: L, ...(sb === undefined ? {} : { sketchBits: sb }) }, 'index', ds.dim);
        const items = new StoreItems(params, ds.dim, BENCH_PROJECT, collectionName(ds));
        const t0 = performance.now();
        const model = new WhiplashModel(ds.base, ds.metric, params, o.seed, items, 500, undefined, space, version);
        const layout = `L=${L} sketch=${params.sketchBits} ${space} v${version}${model.hasher.split ? ' split' : ''}`;
        const rows = (model.hasher.subspace?.length ?? 0) / model.hasher.space;
        log(`${layout}: encoded in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${rows ? `codes in a subspace of ${rows} dimensions` : 'codes in the whole space'}`);
        const cost = writeCost(model, items, ds);
        const base = { layout, hashTables: L, sketchBits: params.sketchBits, hashSpace: space, ...cost };
        const emit = (p: Point) => {
          points.push(p);
          console.log(fmt(p));
        };
        emit({ ...base, kind: 'planner', rerank: params.rerank, ...measure(model, ds, gt, k, {}) });
        const grid: Point[] = [];
        for (const depth of o.depths) {
          const view = atDepth(model, depth);
          for (const rerank of o.rerank ?? [params.rerank]) {
            for (const probes of o.probes) {
              const p: Point = { ...base, kind: 'grid', rerank, ...measure(view, ds, gt, k, { probes, rerank }) };
              grid.push(p);
              emit(p);
              if (p.recall >= Math.min(0.995, o.target + 0.03)) break; // more probes only cost more
            }
          }
        }
        const floor = grid.filter((p) => p.recall >= o.target).sort((a, b) => a.readUnits - b.readUnits)[0];
        if (floor) console.log(`FLOOR ${layout} at recall >= ${o.target}: ${fmt(floor)}`);
        else if (grid.length > 0) console.log(`FLOOR ${layout}: no grid point reaches ${o.target}`);
      }
    }
  }
  if (o.out) writeFileSync(o.out, JSON.stringify({ dataset: ds.name, rows: ds.base.rows, queries: ds.queries.rows, seed: o.seed, points }, null, 1));
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
