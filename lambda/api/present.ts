// Response shapes of collections and search matches, with the original whiplash clients' fields (`n_features`, `dist`).
import type { CollectionInfo, QueryMatch } from '../core/types';

/**
 * Response shapes, compatible with the original whiplash clients: a collection carries its
 * `name` and `n_features` (= `dimension`); a search match carries `dist` (= distance).
 */
export function presentCollection(c: CollectionInfo): Record<string, unknown> {
  const { uid: _uid, ...rest } = c;
  return { ...rest, n_features: c.dimension };
}

export function presentMatch(m: QueryMatch): Record<string, unknown> {
  const out: Record<string, unknown> = { id: m.id, dist: m.distance, score: m.score };
  if (m.vector !== undefined) out.vector = m.vector;
  if (m.metadata !== undefined) out.metadata = m.metadata;
  return out;
}
