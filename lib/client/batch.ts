// Splitting an upsert into batch requests within the API's limits, sent with bounded concurrency.
import { MAX_LAMBDA_PAYLOAD_BYTES, MAX_UPSERT_BATCH } from '../../lambda/core/limits';
import type { VectorInput } from '../../lambda/core/types';
import { WhiplashBatchError, WhiplashError } from './errors';
import type { BatchAck, UpsertBatchOptions, UpsertBatchResult } from './types';

/** Most vectors the API accepts in one batch request (`POST .../items/batch`): `MAX_UPSERT_BATCH` (500). */
export const API_MAX_BATCH = MAX_UPSERT_BATCH;
/**
 * Room left in the proxy event for all but the vectors: the path, the headers (API Gateway REST
 * allows 10,240 bytes of request line and headers; the event carries them twice, in `headers` and
 * `multiValueHeaders`) and the request context.
 */
const EVENT_ENVELOPE_BYTES = 64 * 1024;
/**
 * Default upper bound of the estimated vectors of one batch request ({@link estimateJsonBytes}), in
 * bytes: Lambda's 6 MB invocation payload limit (`MAX_LAMBDA_PAYLOAD_BYTES`) less room for the rest
 * of the proxy event. It stays below API Gateway's 10 MB body limit (`MAX_BODY_BYTES`) too.
 */
export const DEFAULT_MAX_BATCH_BYTES = MAX_LAMBDA_PAYLOAD_BYTES - EVENT_ENVELOPE_BYTES;
/** Default number of batch requests in flight. */
export const DEFAULT_CONCURRENCY = 4;

/**
 * Upper bound of the bytes one vector adds to the Lambda proxy event that carries its batch: a
 * float32 printed as a JavaScript number takes at most 24 characters plus a comma; id and metadata
 * are measured as the event carries them, inside the body's JSON string, where every quote,
 * backslash and control character is escaped once more.
 */
export function estimateJsonBytes(item: VectorInput): number {
  const meta = item.metadata === undefined ? 0 : inEventBytes(item.metadata);
  return 64 + inEventBytes(String(item.id)) + (item.vector?.length ?? 0) * 25 + meta;
}

/** Bytes of a value's JSON once it is escaped again as part of a JSON string (the proxy event's `body`). */
function inEventBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(JSON.stringify(value))) - 2;
}

interface Chunk {
  readonly offset: number;
  readonly items: VectorInput[];
}

/**
 * Splits `items` into requests of at most `batchSize` vectors (the first, `firstBatchSize` when
 * given, sent alone) and `maxBatchBytes` estimated bytes, without an id twice in one request, and
 * hands them to `send`, at most `concurrency` at a time. Reads the input lazily: no more than
 * `concurrency + 1` chunks are held in memory.
 *
 * On the first failed request no further chunks are started; requests in flight finish; then a
 * {@link WhiplashBatchError} lists every id that was not acknowledged.
 */
export async function upsertInChunks(
  items: Iterable<VectorInput> | AsyncIterable<VectorInput>,
  send: (chunk: readonly VectorInput[]) => Promise<void>,
  options: UpsertBatchOptions = {},
): Promise<UpsertBatchResult> {
  const batchSize = Math.max(1, Math.min(options.batchSize ?? API_MAX_BATCH, API_MAX_BATCH));
  const firstBatchSize = options.firstBatchSize === undefined ? undefined : Math.max(1, Math.min(options.firstBatchSize, API_MAX_BATCH));
  const maxBytes = Math.max(1, options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));

  const iterator: AsyncIterator<VectorInput> | Iterator<VectorInput> =
    Symbol.asyncIterator in items ? (items as AsyncIterable<VectorInput>)[Symbol.asyncIterator]() : (items as Iterable<VectorInput>)[Symbol.iterator]();
  let carry: VectorInput | undefined;
  let position = 0;
  let exhausted = false;

  const nextChunk = async (size: number): Promise<Chunk | undefined> => {
    const chunk: VectorInput[] = [];
    const ids = new Set<string>();
    const offset = position;
    let bytes = 0;
    // A full chunk goes out before the next item is read: a failing input still delivers it.
    while (chunk.length < size) {
      let item = carry;
      carry = undefined;
      if (item === undefined) {
        if (exhausted) break;
        const r = await iterator.next();
        if (r.done) {
          exhausted = true;
          break;
        }
        item = r.value;
      }
      const size = estimateJsonBytes(item);
      // The API refuses an id twice in one request: a repeated id starts the next request.
      if (chunk.length > 0 && (bytes + size > maxBytes || ids.has(String(item.id)))) {
        carry = item;
        break;
      }
      chunk.push(item);
      ids.add(String(item.id));
      bytes += size;
      position++;
    }
    return chunk.length > 0 ? { offset, items: chunk } : undefined;
  };

  let upserted = 0;
  let requests = 0;
  const failed: Chunk[] = [];
  let firstError: unknown;
  let invalidId: string | undefined;
  const inflight = new Set<Promise<void>>();

  const run = async (chunk: Chunk): Promise<void> => {
    try {
      requests++;
      await send(chunk.items);
      upserted += chunk.items.length;
      const ack: BatchAck = { ids: chunk.items.map((i) => String(i.id)), offset: chunk.offset };
      await options.onBatch?.(ack);
    } catch (err) {
      failed.push(chunk);
      if (firstError === undefined) {
        firstError = err;
        // The API names the refused vector by its index in the request (`vectors[3].vector`).
        const index = err instanceof WhiplashError ? /^vectors\[(\d+)\]/.exec(err.field ?? '')?.[1] : undefined;
        if (index !== undefined) invalidId = chunk.items[Number(index)]?.id;
      }
    }
  };

  for (let first = firstBatchSize !== undefined; firstError === undefined; first = false) {
    let chunk: Chunk | undefined;
    try {
      chunk = await nextChunk(first ? firstBatchSize! : batchSize);
    } catch (err) {
      // The input itself failed (e.g. a broken line in a file): let the requests in flight
      // finish (their acknowledgements reach onBatch), then report the input's error as is.
      await Promise.all(inflight);
      throw err;
    }
    if (!chunk) break;
    const p = run(chunk).finally(() => inflight.delete(p));
    inflight.add(p);
    if (first || inflight.size >= concurrency) await Promise.race(inflight);
  }
  await Promise.all(inflight);

  if (firstError === undefined) return { upserted, requests };

  // Everything read but not acknowledged: failed chunks, and the item held back for the next chunk.
  const notWritten: { offset: number; ids: string[] }[] = failed.map((c) => ({ offset: c.offset, ids: c.items.map((i) => String(i.id)) }));
  if (carry !== undefined) notWritten.push({ offset: position, ids: [String(carry.id)] });
  // An array is known in full: its unread rest was not written either.
  if (Array.isArray(items)) {
    const rest = (items as readonly VectorInput[]).slice(position + (carry !== undefined ? 1 : 0)).map((i) => String(i.id));
    notWritten.push({ offset: position + 1, ids: rest });
    exhausted = true;
  } else if (!exhausted) {
    await (iterator as AsyncIterator<VectorInput>).return?.();
  }
  notWritten.sort((a, b) => a.offset - b.offset);
  const failedIds = notWritten.flatMap((c) => c.ids);
  const cause = toWhiplashError(firstError);
  throw new WhiplashBatchError(cause, failedIds, upserted, exhausted, invalidId);
}

/** Wraps a non-Whiplash failure (e.g. an `onBatch` callback that threw) so callers see one type. */
function toWhiplashError(err: unknown): WhiplashError {
  if (err instanceof WhiplashError) return err;
  return new WhiplashError({ status: 0, code: 'ClientError', message: err instanceof Error ? err.message : String(err), cause: err });
}
