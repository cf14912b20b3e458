// `exportCollection`: writes every vector of a collection as JSON Lines, a page of ids at a time read with batch gets.
import { once } from 'node:events';
import { shortestFloat32 } from '../../lambda/core/float32-text';
import type { CollectionHandle } from '../client/types';

/**
 * Ids per page of an export: a page's vectors are held in memory at once. Not a limit of the API
 * (a page may hold up to `MAX_LIST_LIMIT` ids), a memory bound of the export.
 */
export const EXPORT_PAGE_SIZE = 500;

/** The shortest decimal that reads back as the same float32 (`lambda/core/float32-text.ts`). */
export { shortestFloat32 };

/**
 * Writes every vector of a collection as JSON Lines (`{"id", "vector", "metadata"}`, the format
 * `whiplash import` reads), a page of ids at a time, reading the vectors of a page with batch gets
 * (`getMany`: `MAX_GET_BATCH` ids a request, `concurrency` requests in flight).
 * Components are printed with the fewest digits that read back as the same float32, so an
 * export re-imports bit for bit and is about half the size of full double precision.
 * A vector deleted between its page of ids and its read is left out (it is no longer in the collection).
 * Memory holds one page (`EXPORT_PAGE_SIZE` ids unless `pageSize` says otherwise). Respects backpressure of `out`.
 * @returns the number of vectors written
 */
export async function exportCollection(
  collection: CollectionHandle,
  out: NodeJS.WritableStream,
  options: { pageSize?: number; concurrency?: number; onPage?: (written: number) => void } = {},
): Promise<number> {
  let written = 0;
  for await (const page of collection.pages({ limit: options.pageSize ?? EXPORT_PAGE_SIZE })) {
    const { vectors } = await collection.getMany(page.ids, { concurrency: options.concurrency ?? 8 });
    for (const v of vectors) {
      if (!out.write(JSON.stringify({ id: v.id, vector: v.vector!.map(shortestFloat32), metadata: v.metadata ?? {} }) + '\n')) await once(out, 'drain');
      written++;
    }
    options.onPage?.(written);
  }
  return written;
}
