import { once } from 'node:events';
import type { StoredVector } from '../../lambda/core/types';
import type { CollectionHandle } from '../client/types';

/** Runs `fn` over `inputs` with at most `concurrency` calls at once; results keep input order. */
async function mapLimit<T, R>(inputs: readonly T[], concurrency: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      out[i] = await fn(inputs[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), inputs.length) }, worker));
  return out;
}

/**
 * Writes every vector of a collection as JSON Lines (`{"id", "vector", "metadata"}`, the format
 * `whiplash import` reads), a page of ids at a time, fetching the vectors of a page in parallel.
 * Memory holds one page. Respects backpressure of `out`.
 * @returns the number of vectors written
 */
export async function exportCollection(
  collection: CollectionHandle,
  out: NodeJS.WritableStream,
  options: { pageSize?: number; concurrency?: number; onPage?: (written: number) => void } = {},
): Promise<number> {
  let written = 0;
  for await (const page of collection.pages({ limit: options.pageSize ?? 500 })) {
    const vectors = await mapLimit<string, StoredVector>(page.ids, options.concurrency ?? 8, (id) => collection.get(id));
    for (const v of vectors) {
      if (!out.write(JSON.stringify({ id: v.id, vector: v.vector, metadata: v.metadata }) + '\n')) await once(out, 'drain');
      written++;
    }
    options.onPage?.(written);
  }
  return written;
}
