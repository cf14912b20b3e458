// `importFile`: streams a file of vectors into a collection in batches, with a checkpoint to resume from.
import { MAX_UPSERT_BATCH } from '../../lambda/core/limits';
import type { Metric, VectorInput } from '../../lambda/core/types';
import type { WhiplashClient } from '../client/client';
import { WhiplashError } from '../client/errors';
import { defaultCheckpointPath, ImportCheckpoint, importIdentity } from './checkpoint';
import type { Progress } from './progress';
import { openSource } from './readers';

/** Options of {@link importFile}. */
export interface ImportOptions {
  /** Base URL of the API; part of the checkpoint's identity. */
  readonly apiUrl: string;
  readonly projectId: string;
  readonly collection: string;
  readonly file: string;
  /** @default guessed from the extension */
  readonly format?: string;
  /** Sidecar of ids for npy / fvecs, one per line. @default row numbers */
  readonly idsPath?: string;
  /** Vectors per request, 1 to `MAX_UPSERT_BATCH`. @default MAX_UPSERT_BATCH */
  readonly batchSize?: number;
  /** @default 4 */
  readonly concurrency?: number;
  /** @default `<file>.whiplash-import.json` */
  readonly checkpointPath?: string;
  /** Ignore an existing checkpoint and start from the first row. @default false */
  readonly restart?: boolean;
  /** Create the collection when it does not exist, with the file's dimension. @default false */
  readonly create?: boolean;
  /** Metric of a collection created by `create`. @default 'cosine' */
  readonly metric?: Metric;
  readonly progress: Progress;
  /** Messages for the user (stderr). */
  readonly log: (line: string) => void;
}

/** What an import did. */
export interface ImportResult {
  /** Vectors sent and acknowledged by this run. */
  readonly imported: number;
  /** Vectors skipped because an earlier, interrupted run had them acknowledged. */
  readonly skipped: number;
  /** Vectors acknowledged in total (this run and earlier ones). */
  readonly total: number;
  readonly resumed: boolean;
  readonly collectionCreated: boolean;
}

/**
 * Streams a file of vectors into a collection: reads lazily (constant memory), sends batches with
 * bounded concurrency, and records every acknowledged batch in a checkpoint beside the input.
 * After an interruption, the same command resumes: acknowledged rows are skipped; the rest,
 * including batches that were in flight, are sent again (upserts are idempotent). The checkpoint
 * is removed when the import completes.
 *
 * @throws UsageError for a bad file or a checkpoint of another import
 * @throws WhiplashBatchError when the server did not acknowledge some vectors (progress is kept)
 */
export async function importFile(client: WhiplashClient, opts: ImportOptions): Promise<ImportResult> {
  const source = openSource(opts.file, { format: opts.format, idsPath: opts.idsPath });
  let collectionCreated = false;
  if (opts.create) collectionCreated = await ensureCollection(client, opts, source.dimension ?? (await firstDimension(source.records())));
  // the collection's identity binds the checkpoint: a re-created collection starts over
  const { createdAt } = await client.getCollection(opts.projectId, opts.collection);
  const identity = importIdentity(opts.file, source.format, { apiUrl: opts.apiUrl, projectId: opts.projectId, collection: opts.collection, collectionCreatedAt: createdAt });
  const cpPath = opts.checkpointPath ?? defaultCheckpointPath(opts.file);
  const checkpoint = ImportCheckpoint.open(cpPath, identity, opts.restart ?? false, opts.log);
  const resumed = checkpoint.resumed;
  if (resumed) opts.log(`resuming from ${cpPath}: ${checkpoint.rowsDone} vectors already acknowledged`);

  // Filtered position (as upsertBatch counts) -> row and end byte, for rows read and not yet acknowledged.
  const pending = new Map<number, { row: number; end: number }>();
  let position = 0;
  let skipped = 0;
  const rowsBefore = checkpoint.rowsDone;
  async function* items(): AsyncGenerator<VectorInput> {
    for await (const rec of source.records(checkpoint.position)) {
      if (checkpoint.isAcked(rec.row)) {
        skipped++;
        continue;
      }
      pending.set(position++, { row: rec.row, end: rec.end });
      yield rec.item;
    }
  }

  opts.progress.start(source.totalBytes, checkpoint.bytesDone, checkpoint.rowsDone);
  try {
    await client.collection(opts.projectId, opts.collection).upsertBatch(items(), {
      batchSize: opts.batchSize ?? MAX_UPSERT_BATCH,
      concurrency: opts.concurrency,
      onBatch: ({ ids, offset }) => {
        const rows: { row: number; end: number }[] = [];
        for (let k = 0; k < ids.length; k++) {
          rows.push(pending.get(offset + k)!);
          pending.delete(offset + k);
        }
        checkpoint.ack(rows);
        opts.progress.update(checkpoint.bytesDone, checkpoint.rowsDone);
      },
    });
  } finally {
    opts.progress.stop();
  }
  const total = checkpoint.rowsDone;
  checkpoint.remove();
  return { imported: total - rowsBefore, skipped, total, resumed, collectionCreated };
}

async function firstDimension(records: AsyncGenerator<{ item: VectorInput }>): Promise<number> {
  const first = await records.next();
  await records.return(undefined);
  return first.done ? 0 : first.value.item.vector.length;
}

/** Creates the collection unless it exists. @returns true when it was created */
async function ensureCollection(client: WhiplashClient, opts: ImportOptions, dimension: number): Promise<boolean> {
  try {
    await client.getCollection(opts.projectId, opts.collection);
    return false;
  } catch (err) {
    if (!(err instanceof WhiplashError) || err.status !== 404) throw err;
  }
  await client.createCollection(opts.projectId, { name: opts.collection, dimension, metric: opts.metric ?? 'cosine' });
  opts.log(`created collection ${opts.collection} (dimension ${dimension}, metric ${opts.metric ?? 'cosine'})`);
  return true;
}
