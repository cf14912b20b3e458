/**
 * Runs `fn` over `xs` with at most `limit` calls in flight (at least one); results keep input order.
 * The first rejection rejects the whole call; calls already started run to their end.
 */
export async function mapLimit<T, R>(xs: readonly T[], limit: number, fn: (x: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await fn(xs[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), xs.length) }, worker));
  return out;
}
