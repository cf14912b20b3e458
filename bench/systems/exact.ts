// The exact-scan system: one full Scan of the vector table, the cost of answering a query by reading every vector.
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { capacityUnits } from '../ddb';
import { log } from '../progress';
import { QueryRecord, SystemRun } from '../summary';
import { RunContext } from './context';

/**
 * Exact search: what answering a query by reading every vector costs. One full Scan of a vector
 * table of the original's format (`{id, vector: float32 bytes}`, eventually consistent), with
 * ReturnConsumedCapacity TOTAL, timed once; every query costs the same, and its results are the
 * ground truth (recall 1 by construction).
 */
export async function runExact(ctx: RunContext, vectorTable: string): Promise<SystemRun> {
  let readUnits = 0;
  let pages = 0;
  let items = 0;
  let bytes = 0;
  let ExclusiveStartKey: Record<string, any> | undefined;
  const t0 = performance.now();
  do {
    const out = await ctx.client.send(new ScanCommand({ TableName: vectorTable, ReturnConsumedCapacity: 'TOTAL', ExclusiveStartKey }));
    readUnits += capacityUnits(out.ConsumedCapacity);
    pages++;
    for (const it of out.Items ?? []) {
      items++;
      bytes += 2 + (it.id.S?.length ?? 0) + 6 + (it.vector.B?.byteLength ?? 0);
    }
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const ms = performance.now() - t0;
  log(`exact: one Scan of ${items} vectors: ${readUnits} read units, ${pages} pages, ${(ms / 1000).toFixed(1)} s`);
  const { gt, k } = ctx;
  const queries: QueryRecord[] = Array.from({ length: gt.queries }, (_, q) => ({
    ids: Array.from(gt.ids.subarray(q * gt.k, q * gt.k + k)),
    candidates: items,
    readUnits,
    roundTrips: pages,
    ms,
    bytesRead: bytes,
    reranked: items,
  }));
  return {
    system: 'exact',
    label: 'exact scan',
    settings: { scan: 'one segment, eventually consistent, 1 MB pages' },
    queries,
    notes: ['exact: one measured Scan of every vector (float32 bytes); its pages are sequential round trips; its latency is that one Scan (a parallel Scan would cut latency, not read units).'],
  };
}
