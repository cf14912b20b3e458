// The HNSW system: hnswlib-node in memory (installed on demand), swept over efSearch.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Metric } from '../../lambda/core/types';
import { row } from '../datasets/types';
import { CACHE_DIR } from '../ground-truth';
import { log, progress } from '../progress';
import { QueryRecord, SystemRun } from '../summary';
import { RunContext } from './context';

/** The in-memory anchor, pinned: hnswlib-node 3.0.0 (Malkov & Yashunin, TPAMI 2018), built from source by node-gyp. */
export const HNSWLIB_PACKAGE = 'hnswlib-node@3.0.0';
/** Where it is installed on demand (gitignored): not a dependency, so `npm ci` needs no compiler. */
export const HNSWLIB_DIR = path.join(CACHE_DIR, 'hnswlib');

/** The parts of hnswlib-node's `HierarchicalNSW` the benchmark uses (its lib/index.d.ts). */
interface HierarchicalNSW {
  initIndex(maxElements: number, m?: number, efConstruction?: number, randomSeed?: number): void;
  addPoint(point: number[], label: number): void;
  setEf(ef: number): void;
  searchKnn(query: number[], k: number): { distances: number[]; neighbors: number[] };
  writeIndexSync(file: string): void;
}
type HnswModule = { HierarchicalNSW: new (space: 'l2' | 'ip' | 'cosine', dim: number) => HierarchicalNSW };

/** Loads hnswlib-node from `dir`, installing it there first (`npm install --prefix`, which builds its C++ addon with node-gyp) when absent. */
export function loadHnswlib(dir = HNSWLIB_DIR): HnswModule {
  const pkg = path.join(dir, 'node_modules', 'hnswlib-node', 'package.json');
  if (!existsSync(path.join(dir, 'node_modules', 'hnswlib-node', 'build', 'Release', 'addon.node'))) {
    log(`installing ${HNSWLIB_PACKAGE} into ${path.relative(process.cwd(), dir)} (builds with node-gyp)`);
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', HNSWLIB_PACKAGE], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return createRequire(pkg)('hnswlib-node') as HnswModule;
}

/** HNSW settings: M and efConstruction fixed at the values, efSearch swept. */
export interface HnswOptions {
  /** @default 16 */
  readonly m?: number;
  /** @default 200 */
  readonly efConstruction?: number;
  /** efSearch values; the first is the reference ("default") point. @default [64] */
  readonly ef?: readonly number[];
  /** @default 100 */
  readonly seed?: number;
}

const SPACE: Record<Metric, 'l2' | 'cosine' | 'ip'> = { euclidean: 'l2', cosine: 'cosine', dot: 'ip' };

/**
 * HNSW in memory with hnswlib-node: builds the index over the base vectors (one thread), then
 * answers every query at each efSearch. Reads no DynamoDB: 0 read units, 0 round trips. Latency is
 * `searchKnn` in this process; memory is the size of the serialised index (vectors and graph).
 */
export function runHnsw(ctx: RunContext, opts: HnswOptions = {}): SystemRun[] {
  const { dataset: ds, k } = ctx;
  const m = opts.m ?? 16;
  const efc = opts.efConstruction ?? 200;
  const efs = opts.ef && opts.ef.length > 0 ? opts.ef : [64];
  const { HierarchicalNSW } = loadHnswlib();
  const index = new HierarchicalNSW(SPACE[ds.metric], ds.dim);
  index.initIndex(ds.base.rows, m, efc, opts.seed ?? 100);
  const bar = progress('hnsw: build', ds.base.rows);
  const t0 = performance.now();
  for (let i = 0; i < ds.base.rows; i++) {
    index.addPoint(Array.from(row(ds.base, i)), i);
    if ((i + 1) % 1000 === 0) bar.update(i + 1);
  }
  bar.stop();
  const seconds = (performance.now() - t0) / 1000;
  const file = path.join(CACHE_DIR, `hnsw-${process.pid}.bin`);
  index.writeIndexSync(file);
  const indexBytes = statSync(file).size;
  rmSync(file);
  log(`hnsw: ${ds.base.rows} vectors in ${seconds.toFixed(1)} s; index ${(indexBytes / 2 ** 20).toFixed(1)} MiB`);

  const queries = Array.from({ length: ds.queries.rows }, (_, q) => Array.from(row(ds.queries, q)));
  return efs.map((ef, i) => {
    index.setEf(ef);
    const records: QueryRecord[] = queries.map((qv) => {
      const t = performance.now();
      const res = index.searchKnn(qv, k);
      const ms = performance.now() - t;
      return { ids: res.neighbors, candidates: NaN, readUnits: 0, roundTrips: 0, ms, bytesRead: 0 };
    });
    return {
      system: 'hnsw',
      label: i === 0 ? `hnsw in memory (ef ${ef})` : `hnsw ef=${ef}`,
      settings: { m, efConstruction: efc, efSearch: ef, indexBytes, buildSeconds: seconds, library: HNSWLIB_PACKAGE, ...(i === 0 ? {} : { overrides: { ef } }) },
      ingest: { vectors: ds.base.rows, seconds },
      queries: records,
      notes: [
        `hnsw: ${HNSWLIB_PACKAGE} in this process, one thread, M=${m}, efConstruction=${efc}; built in ${seconds.toFixed(1)} s; index ${(indexBytes / 2 ** 20).toFixed(1)} MiB (${(indexBytes / ds.base.rows).toFixed(0)} bytes per vector, vectors included); no DynamoDB (0 read units); latency is searchKnn alone.`,
      ],
    };
  });
}
