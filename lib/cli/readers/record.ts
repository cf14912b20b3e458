// Checks one `{id, vector, metadata?}` record read from a file, so a bad record stops the import with its location.
import type { Metadata, VectorInput } from '../../../lambda/core/types';
import { UsageError } from '../errors';

/** Field (column) names the vector is looked for under, in order, when `--vector-field` is not given. */
export const VECTOR_FIELDS = ['vector', 'values', 'embedding'] as const;

/** Which fields of a record hold the id and the vector. */
export interface RecordFields {
  /** @default 'id' */
  readonly id?: string;
  /** @default the first of {@link VECTOR_FIELDS} the record has */
  readonly vector?: string;
}

/** The name of the vector field of `r`: `fields.vector`, else the first of {@link VECTOR_FIELDS} present. */
export function vectorFieldOf(r: Record<string, unknown>, fields: RecordFields): string {
  return fields.vector ?? VECTOR_FIELDS.find((f) => r[f] !== undefined) ?? VECTOR_FIELDS[0];
}

/**
 * Checks one record read from a file, so that a broken line stops the import with its location
 * instead of failing a whole batch on the server. The server checks dimension and limits.
 * The vector is under `fields.vector`, or `vector`, `values` (Pinecone) or `embedding`.
 * @throws UsageError `<where>: "<field>" <rule>`
 */
export function checkRecord(raw: unknown, where: string, fields: RecordFields = {}): VectorInput {
  const idField = fields.id ?? 'id';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${where}: must be a JSON object {"${idField}", "vector", "metadata"?}`);
  const r = raw as Record<string, unknown>;
  const id = typeof r[idField] === 'number' && Number.isInteger(r[idField]) ? String(r[idField]) : r[idField];
  if (typeof id !== 'string' || id === '') throw new UsageError(`${where}: "${idField}" must be a non-empty string`);
  const vf = vectorFieldOf(r, fields);
  const vector = r[vf];
  if (!Array.isArray(vector) || vector.length === 0) {
    throw new UsageError(`${where}: "${vf}" must be a non-empty array of numbers${fields.vector ? '' : ` (the vector is read from "${VECTOR_FIELDS.join('", "')}" or --vector-field)`}`);
  }
  for (let i = 0; i < vector.length; i++) {
    if (typeof vector[i] !== 'number' || !Number.isFinite(vector[i])) throw new UsageError(`${where}: "${vf}[${i}]" must be a finite number`);
  }
  if (r.metadata !== undefined && (typeof r.metadata !== 'object' || r.metadata === null || Array.isArray(r.metadata))) {
    throw new UsageError(`${where}: "metadata" must be a JSON object`);
  }
  const item: { id: string; vector: number[]; metadata?: Metadata } = { id, vector: vector as number[] };
  if (r.metadata !== undefined) item.metadata = r.metadata as Metadata;
  return item;
}
