// Checks one `{id, vector, metadata?}` record read from a file, so a bad record stops the import with its location.
import type { Metadata, VectorInput } from '../../../lambda/core/types';
import { UsageError } from '../errors';

/**
 * Checks one record read from a file, so that a broken line stops the import with its location
 * instead of failing a whole batch on the server. The server checks dimension and limits.
 * @throws UsageError `<where>: "<field>" <rule>`
 */
export function checkRecord(raw: unknown, where: string): VectorInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${where}: must be a JSON object {"id", "vector", "metadata"?}`);
  const r = raw as Record<string, unknown>;
  const id = typeof r.id === 'number' && Number.isInteger(r.id) ? String(r.id) : r.id;
  if (typeof id !== 'string' || id === '') throw new UsageError(`${where}: "id" must be a non-empty string`);
  if (!Array.isArray(r.vector) || r.vector.length === 0) throw new UsageError(`${where}: "vector" must be a non-empty array of numbers`);
  for (let i = 0; i < r.vector.length; i++) {
    if (typeof r.vector[i] !== 'number' || !Number.isFinite(r.vector[i])) throw new UsageError(`${where}: "vector[${i}]" must be a finite number`);
  }
  if (r.metadata !== undefined && (typeof r.metadata !== 'object' || r.metadata === null || Array.isArray(r.metadata))) {
    throw new UsageError(`${where}: "metadata" must be a JSON object`);
  }
  const item: { id: string; vector: number[]; metadata?: Metadata } = { id, vector: r.vector as number[] };
  if (r.metadata !== undefined) item.metadata = r.metadata as Metadata;
  return item;
}
