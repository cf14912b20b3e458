// The measured units the cost model starts from, read from the bench results.
/**
 * The measured units the cost model starts from, read defensively from every `npm run bench` result
 * in bench/results (the shape of bench/report.ts `BenchResult`): whatever is present is used, and
 * each figure names its file and commit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isBenchResult, type BenchResult } from '../report';
import type { Summary } from '../summary';
import { HASH_TABLE_PARAMS } from '../../lambda/core/params';
import type { IndexMethod, IndexParams } from '../../lambda/core/types';

/** One system's measured figures from one result file. */
export interface MeasuredSystem {
  readonly file: string;
  readonly commit: string;
  readonly date: string;
  readonly dataset: string;
  readonly dim: number;
  /** Vectors in the collection. */
  readonly base: number;
  readonly queries: number;
  readonly label: string;
  readonly recall: number;
  readonly readUnits: number;
  readonly candidates: number;
  readonly p50Ms: number;
  readonly bytesRead?: number;
  readonly writeUnitsPerVector?: number;
  /** The index parameters the run used (`settings.index`), when the result records them. */
  readonly index?: Record<string, unknown>;
  /** The run's index method (`settings.indexMethod`): 'lsh' when the result does not record one (it predates k-means lists). */
  readonly indexMethod: IndexMethod;
  /** Stored bytes per vector a model system reports (`settings.storedBytesPerVector`), when present. */
  readonly storedBytesPerVector?: number;
}

/** A numeric `*exponent*` field found in a result file (e.g. the fitted growth of read units with N). */
export interface FoundExponent {
  readonly file: string;
  /** JSON path, e.g. `scaling.whiplash.readUnitsExponent`. */
  readonly path: string;
  readonly value: number;
}

function measured(file: string, r: BenchResult, s: Summary): MeasuredSystem {
  return {
    file,
    commit: r.commit,
    date: r.date,
    dataset: r.dataset.name,
    dim: r.dataset.dim,
    base: r.dataset.base,
    queries: s.queries,
    label: s.label,
    recall: s.recall,
    readUnits: s.readUnits,
    candidates: s.candidates,
    p50Ms: s.p50Ms,
    bytesRead: s.bytesRead,
    writeUnitsPerVector: s.writeUnitsPerVector,
    index: (s.settings as { index?: Record<string, unknown> } | undefined)?.index,
    indexMethod: (s.settings as { indexMethod?: IndexMethod } | undefined)?.indexMethod ?? 'lsh',
    storedBytesPerVector: (s.settings as { storedBytesPerVector?: number } | undefined)?.storedBytesPerVector,
  };
}

/** Index parameters on which two runs differ (`key: a vs b`); empty when they agree or either is unknown. */
export function indexDifferences(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): string[] {
  if (!a || !b) return [];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => `${k}: ${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])}`);
}

/**
 * True for Whiplash at its default settings (no per-query overrides, the index method the store
 * chose); `system` 'model' for the benchmark's model of it. A result that does not say whether its
 * index method was given predates the k-means lists default: there only hash tables were the default.
 */
export function isWhiplashDefault(s: Summary, system = 'whiplash'): boolean {
  const settings = s.settings as { overrides?: object; indexMethod?: string; indexMethodGiven?: boolean } | undefined;
  const defaultIndex = settings?.indexMethodGiven === undefined ? settings?.indexMethod !== 'ivf' : !settings.indexMethodGiven;
  return s.system === system && Object.keys(settings?.overrides ?? {}).length === 0 && defaultIndex;
}

/**
 * The create request's `index` and `indexMethod` that make a collection like the run's: its index
 * parameters as the store resolved them, less the hash table parameters in k-means lists (the
 * store refuses them there).
 */
export function createdLike(m: Pick<MeasuredSystem, 'index' | 'indexMethod'>): { index?: Partial<IndexParams>; indexMethod: IndexMethod } {
  const index = m.index && m.indexMethod === 'ivf' ? Object.fromEntries(Object.entries(m.index).filter(([k]) => !(HASH_TABLE_PARAMS as readonly string[]).includes(k))) : m.index;
  return { index: index as Partial<IndexParams> | undefined, indexMethod: m.indexMethod };
}

/**
 * Every system of every bench result in `dir` (files that are not bench results are skipped), and
 * every numeric field whose name contains "exponent" anywhere in any JSON file there.
 */
export function readMeasurements(dir: string, skip: readonly string[] = []): { systems: (MeasuredSystem & { system: string; isDefault: boolean; isModelDefault: boolean })[]; exponents: FoundExponent[] } {
  const systems: (MeasuredSystem & { system: string; isDefault: boolean; isModelDefault: boolean })[] = [];
  const exponents: FoundExponent[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && !skip.includes(f)).sort()) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch {
      continue;
    }
    exponents.push(...findExponents(json, file));
    if (!isBenchResult(json)) continue;
    for (const s of json.systems) {
      if (typeof s.readUnits !== 'number' || !Number.isFinite(s.readUnits)) continue;
      systems.push({ ...measured(file, json, s), system: s.system, isDefault: isWhiplashDefault(s), isModelDefault: isWhiplashDefault(s, 'model') });
    }
  }
  return { systems, exponents };
}

/**
 * Numeric fields named like `*exponent*` (case-insensitive) anywhere in `value`, with their JSON
 * paths; an object that names itself (a string `system`, `label` or `name`) adds that name to the
 * path in brackets, so that `scaling.0[whiplash].fit.exponent` says whose exponent it is.
 */
export function findExponents(value: unknown, file: string, at = ''): FoundExponent[] {
  if (value === null || typeof value !== 'object') return [];
  const out: FoundExponent[] = [];
  const obj = value as Record<string, unknown>;
  const tag = [obj.system, obj.label, obj.name].filter((x): x is string => typeof x === 'string').join(' / ');
  const here = tag ? `${at}[${tag}]` : at;
  for (const [k, v] of Object.entries(obj)) {
    const p = here ? `${here}.${k}` : k;
    if (/exponent/i.test(k) && typeof v === 'number' && Number.isFinite(v)) out.push({ file, path: p, value: v });
    else out.push(...findExponents(v, file, p));
  }
  return out;
}

/**
 * The measurement to scale from: on `dataset` (Fashion-MNIST by default: 784-d, the nearest to
 * 768-d), the largest collection, then the latest run (it reflects the current layout), then the most queries.
 */
export function pickAnchor<T extends MeasuredSystem>(candidates: readonly T[], dataset = 'fashion-mnist'): T | undefined {
  return [...candidates]
    .filter((c) => c.dataset === dataset)
    .sort((a, b) => b.base - a.base || b.date.localeCompare(a.date) || b.queries - a.queries)[0];
}

/**
 * The exponent of a system's read-unit growth, if a result file carries one: for `whose` 'whiplash',
 * paths naming Whiplash or its model (`fits.model`), not the original, exact search or HNSW; for
 * 'original', paths naming the original. Read-unit fits beat others (e.g. candidates); a fit from
 * `preferFile` (the file the anchor came from) beats one from another file of the same data set
 * (`dataset` prefix), which beats any other.
 */
export function pickExponent(found: readonly FoundExponent[], whose: 'whiplash' | 'original' = 'whiplash', preferFile?: string, dataset?: string): FoundExponent | undefined {
  const mine = (e: FoundExponent) => (whose === 'original' ? /original/i.test(e.path) : !/original|exact|hnsw/i.test(e.path));
  const score = (e: FoundExponent) =>
    (e.file === preferFile ? 8 : 0) +
    (dataset !== undefined && e.file.startsWith(dataset) ? 4 : 0) +
    (whose === 'whiplash' && /whiplash|model/i.test(e.path) ? 2 : 0) +
    (/read/i.test(e.path) ? 1 : 0);
  return [...found].filter(mine).sort((a, b) => score(b) - score(a))[0];
}
