// Metadata-table and vector items to and from the domain's shapes: collection configs, their
// plans, API key bindings, stored vectors. Keys come from `key-format.ts`.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DEFAULT_INDEX_PARAMS } from '../core/params';
import type { HashFrame } from '../core/hasher';
import { decodePlanBasis, PlanBasis, QueryAngles } from '../core/calibration';
import type { CalibrationQuery } from '../core/list-calibration';
import { PlanTable } from '../core/planner';
import { ANGLE_BINS } from '../core/profile';
import { HIT_SCALES } from '../core/table-hits';
import { CollectionConfig, IndexParams, Metadata, Metric, StoredVector } from '../core/types';
import { bytesToVector } from '../core/vector';
import type { Item } from './batch';
import { MetadataKey, projectItemOf } from './key-format';
import type { ListShare } from './list-layout';
import { storedVector } from './vector-bytes';

export const S = (s: string): AttributeValue => ({ S: s });

/** A key as DynamoDB takes it. */
export const keyItem = (k: MetadataKey): Item => ({ pk: S(k.pk), sk: S(k.sk) });

/** An API key's binding to a project. Holds the key's id, never its value. */
export interface ApiKeyBinding {
  readonly apiKeyId: string;
  readonly projectId: string;
  /** ISO 8601 */
  readonly createdAt: string;
}

export function bindingAttributes(b: ApiKeyBinding): Item {
  return { apiKeyId: S(b.apiKeyId), projectId: S(b.projectId), createdAt: S(b.createdAt) };
}

export function toBinding(i: Item): ApiKeyBinding {
  return { apiKeyId: i.apiKeyId.S!, projectId: i.projectId.S!, createdAt: i.createdAt.S! };
}

/** The attributes of a collection's config item (besides its key). */
export function configAttributes(c: CollectionConfig): Item {
  return {
    uid: S(c.uid),
    dimension: { N: String(c.dimension) },
    metric: S(c.metric),
    index: { M: Object.fromEntries(Object.entries(c.index).flatMap(([k, v]) => (v === undefined ? [] : [[k, { N: String(v) }]]))) },
    seed: { N: String(c.seed) },
    prngVersion: { N: String(c.prngVersion) },
    createdAt: S(c.createdAt),
    ...(c.filterIndex === undefined ? {} : { fi: { N: String(c.filterIndex) } }),
    ...(c.bucketLayout === undefined ? {} : { bl: { N: String(c.bucketLayout) } }),
    ...(c.listSize === undefined ? {} : { ls: { N: String(c.listSize) } }),
    ...(c.metadataConfiguration === undefined ? {} : { nf: { L: c.metadataConfiguration.nonFilterableMetadataKeys.map(S) } }),
  };
}

/** A collection's config from its item. */
export function toConfig(projectId: string, i: Item): CollectionConfig {
  return {
    projectId,
    name: projectItemOf(i.sk.S!)!.name,
    uid: i.uid.S!,
    dimension: Number(i.dimension.N),
    metric: i.metric.S as Metric,
    index: {
      recallTarget: DEFAULT_INDEX_PARAMS.recallTarget, // collections made before the planner
      ...(Object.fromEntries(Object.entries(i.index.M!).map(([k, v]) => [k, Number(v.N)])) as Partial<IndexParams>),
    } as IndexParams,
    seed: Number(i.seed.N),
    prngVersion: Number(i.prngVersion.N),
    createdAt: i.createdAt.S!,
    ...(i.fi?.N ? { filterIndex: Number(i.fi.N) } : {}),
    ...(i.bl?.N ? { bucketLayout: Number(i.bl.N) } : {}),
    ...(i.ls?.N ? { listSize: Number(i.ls.N) } : {}),
    ...(i.nf?.L ? { metadataConfiguration: { nonFilterableMetadataKeys: i.nf.L.map((k) => k.S!) } } : {}),
  };
}

/** The query plans a config item holds, if its collection was profiled. */
export function toPlans(i: Item): PlanTable | undefined {
  return i.plans?.S ? (JSON.parse(i.plans.S) as PlanTable) : undefined;
}

/** The basis a config item keeps for planning again (`calibration.ts`); absent on collections profiled before it existed. */
export function toPlanBasis(i: Item): PlanBasis | undefined {
  return i.basis?.S ? decodePlanBasis(i.basis.S) : undefined;
}

/** Counter item attribute of the count of observed queries; `a<degree>` attributes hold the histogram. */
export const OBSERVED_QUERIES_ATTRIBUTE = 'q';
/** Counter item attribute of the observed results at one whole degree (`QueryAngles.counts`). */
export const observedAngleAttribute = (degree: number) => `a${degree}`;

/** Counter item attribute of the observed results' hits per hash table (`TableHits.observed`). */
export const OBSERVED_HITS_ATTRIBUTE = 'ht';
/** Counter item attribute of the observed results' expected hits at `HIT_SCALES[j]` (`TableHits.expected`). */
export const expectedHitsAttribute = (j: number) => `he${j}`;
// `ho` and `hx0`-`hx8` held hits at factors 0.8-1.2 only (before `HIT_SCALES` widened): not read.

/** The queries a counter item has observed (`calibration.ts`); undefined before the first. */
export function toQueryAngles(counter: Item): QueryAngles | undefined {
  const q = counter[OBSERVED_QUERIES_ATTRIBUTE]?.N;
  if (q === undefined) return undefined;
  const counts = new Float64Array(ANGLE_BINS);
  for (let b = 0; b < ANGLE_BINS; b++) {
    const c = counter[observedAngleAttribute(b)]?.N;
    if (c !== undefined) counts[b] = Number(c);
  }
  const ht = counter[OBSERVED_HITS_ATTRIBUTE]?.N;
  // observed before table hits were kept, or kept under `ho` and `hx*`: none
  if (ht === undefined) return { queries: Number(q), counts };
  const expected = Float64Array.from(HIT_SCALES, (_, j) => Number(counter[expectedHitsAttribute(j)]?.N ?? 0));
  return { queries: Number(q), counts, hits: { observed: Number(ht), expected } };
}

/**
 * The attributes of a config item a listing of collections reads: all but the hashing subspace's
 * rows (up to 128 KB), whose size `hd` gives.
 */
export const LISTED_CONFIG_ATTRIBUTES = ['pk', 'sk', 'uid', 'dimension', 'metric', 'index', 'seed', 'prngVersion', 'createdAt', 'fi', 'bl', 'ls', 'nf', 'plans', 'basis', 'hd', 'centre'] as const;

/**
 * The dimensions a collection's hash codes see (`hd`, set with its hash frame: the hashing
 * subspace's, or the whole space's); undefined before its first write.
 */
export function toHashDimensions(i: Item): number | undefined {
  if (i.hd?.N) return Number(i.hd.N);
  // a frame set before `hd` existed hashes in the whole space, the centre's
  return i.centre?.B ? i.centre.B.byteLength / 4 : undefined;
}

/** The hash frame (centre, the lift's norm under `dot`, the hashing subspace) a config item holds, once the collection's first write set it. */
export function toFrame(i: Item): HashFrame | undefined {
  if (!i.centre?.B) return undefined;
  return {
    centre: bytesToVector(i.centre.B),
    ...(i.mipsNorm?.N ? { mipsNorm: Number(i.mipsNorm.N) } : {}),
    ...(i.subspace?.B ? { subspace: bytesToVector(i.subspace.B) } : {}),
  };
}

/**
 * What a counter item says of a collection's centroid set (bucket layout 3): its version, the share
 * of its lists a query reads and the calibration queries it rests on (`nq`, which a calibration
 * sets), and how many lists it has.
 */
export interface ListSet extends ListShare {
  readonly version: number;
  /** Lists in the set; absent from counters written before the count was kept there. */
  readonly count?: number;
}

/** The `ListSet` a counter item holds, once the first batch trained the lists. */
export function toListSet(i: Item): ListSet | undefined {
  if (!i.lv?.N) return undefined;
  return { version: Number(i.lv.N), share: Number(i.ns.N), ...(i.nq?.N ? { calibratedOn: Number(i.nq.N) } : {}), ...(i.lc?.N ? { count: Number(i.lc.N) } : {}) };
}

/** The counter item's attributes of a `ListSet` (`lv`, `ns`, `lc`, and `nq` once calibrated), as the training of the first lists, a split and a calibration set them. */
export function listSetAttributes(set: ListSet & { count: number }): Item {
  return { lv: { N: String(set.version) }, ns: { N: String(set.share) }, lc: { N: String(set.count) }, ...(set.calibratedOn === undefined ? {} : { nq: { N: String(set.calibratedOn) } }) };
}

/**
 * A calibration window (`CalibrationQuery[]`) as the bytes of its item's `w`: per query, its width,
 * its count of ranks and the ranks, each an unsigned LEB128 varint (most ranks are below 128: one
 * byte each, and the item's read and write units follow its bytes).
 */
export function encodeCalibrationWindow(queries: readonly CalibrationQuery[]): Uint8Array {
  const bytes: number[] = [];
  const put = (n: number) => {
    for (; n >= 0x80; n = Math.floor(n / 0x80)) bytes.push(0x80 | n % 0x80);
    bytes.push(n);
  };
  for (const q of queries) [q.width, q.ranks.length, ...q.ranks].forEach(put);
  return Uint8Array.from(bytes);
}

/**
 * The calibration window `encodeCalibrationWindow` wrote.
 * @throws RangeError when the bytes end inside a query
 */
export function decodeCalibrationWindow(bytes: Uint8Array): CalibrationQuery[] {
  let at = 0;
  const next = (): number => {
    let n = 0;
    for (let scale = 1; ; scale *= 0x80) {
      if (at >= bytes.length) throw new RangeError(`a calibration window ends inside a number at byte ${at}`);
      const b = bytes[at++];
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
    }
  };
  const queries: CalibrationQuery[] = [];
  while (at < bytes.length) {
    const width = next();
    queries.push({ width, ranks: Array.from({ length: next() }, next) });
  }
  return queries;
}

/** The metadata of a vector item (empty when it has none). */
export function toMetadata(i: Item): Metadata {
  return i.m?.S ? (JSON.parse(i.m.S) as Metadata) : {};
}

export function toStoredVector(i: Item): StoredVector {
  return { id: i.sk.S!, vector: Array.from(storedVector(i)), metadata: toMetadata(i) };
}

/** Metadata as bucket entries and vector items store it: JSON, or nothing when empty. */
export function metadataJson(m: Metadata): string | undefined {
  return Object.keys(m).length > 0 ? JSON.stringify(m) : undefined;
}
