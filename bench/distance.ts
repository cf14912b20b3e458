// The distance of each metric as the store reports it, for the ground truth and the recall check.
import type { Metric } from '../lambda/core/types';

/**
 * Distances as the store reports them (`QueryMatch.distance`): cosine `1 - cos`, Euclidean L2,
 * dot product `-dot`. Smaller is closer. Accumulates in float64.
 */
export function distance(metric: Metric, a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (metric === 'euclidean') {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = a[i] - b[i];
      s += d * d;
    }
    return Math.sqrt(s);
  }
  let dot = 0;
  if (metric === 'dot') {
    for (let i = 0; i < n; i++) dot += a[i] * b[i];
    return -dot;
  }
  let na = 0;
  let nb = 0;
  for (let i = 0; i < n; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 1 : 1 - dot / Math.sqrt(na * nb);
}
