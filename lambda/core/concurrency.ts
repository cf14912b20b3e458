// `mapLimit`: runs an async function over a list with a bound on the calls in flight, results in input order.
/**
 * Runs `fn` over `xs` with at most `limit` calls in flight (at least one); results keep input order.
 * After the first rejection no further call starts, and the whole call rejects with that first
 * error only once every call already started has ended: when a request fails, no write of it can
 * land after its answer.
 */
export async function mapLimit<T, R>(xs: readonly T[], limit: number, fn: (x: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < xs.length) {
      const i = next++;
      try {
        out[i] = await fn(xs[i], i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), xs.length) }, worker));
  if (failure) throw failure.error;
  return out;
}
