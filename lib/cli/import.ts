// `importFile`: streams a file of vectors (or stdin) into a collection in batches, with a checkpoint to resume from.
import { join } from 'node:path';
import { MAX_UPSERT_BATCH } from '../../lambda/core/limits';
import { PROFILE_MAX_SAMPLE } from '../../lambda/core/profile';
import type { IndexMethod, Metric, VectorInput } from '../../lambda/core/types';
import type { WhiplashClient } from '../client/client';
import { WhiplashError } from '../client/errors';
import { defaultCheckpointPath, ImportCheckpoint, importIdentity } from './checkpoint';
import { indexMethodOf } from './index-method';
import type { Progress } from './progress';
import { OpenedSource, openSource } from './readers';

/**
 * Default vectors per request and requests in flight. A request's work grows with both: local mode
 * on disk (DynamoDB Local's SQLite) writes far slower than DynamoDB, and local mode answers 504
 * past API Gateway's 29 s integration timeout as AWS does, so the defaults keep one request well
 * inside it there (BENCHMARKS.md, local mode ingest). On AWS larger batches and more in flight
 * import faster: `--batch-size` up to `MAX_UPSERT_BATCH` (`lambda/core/limits.ts`), `--concurrency`.
 */
export const DEFAULT_IMPORT_BATCH = 100;
export const DEFAULT_IMPORT_CONCURRENCY = 2;

/**
 * Vectors of the first request into an empty collection, sent alone before the others: the store
 * fixes a collection's hash frame and profiles it for the planner from its first write, up to
 * `PROFILE_MAX_SAMPLE` vectors (`lambda/core/profile.ts`). With batches of 100, two in flight, the
 * index would learn from whichever 100 landed first.
 */
export const FIRST_IMPORT_BATCH = Math.min(PROFILE_MAX_SAMPLE, MAX_UPSERT_BATCH);

/** Options of {@link importFile}. */
export interface ImportOptions {
  /** Base URL of the API; part of the checkpoint's identity. */
  readonly apiUrl: string;
  readonly projectId: string;
  readonly collection: string;
  /** A file (gzip or not), or `-` for `stdin`. */
  readonly file: string;
  /** What `-` reads. */
  readonly stdin?: NodeJS.ReadableStream;
  /** @default guessed from the extension (before `.gz`), or from the first bytes */
  readonly format?: string;
  /** Sidecar of ids for npy / fvecs, one per line. @default row numbers */
  readonly idsPath?: string;
  /** Field or column of the ids (JSONL, JSON, Parquet). @default 'id' */
  readonly idField?: string;
  /** Field or column of the vectors (JSONL, JSON, Parquet). @default the first of `vector`, `values`, `embedding` present */
  readonly vectorField?: string;
  /** Vectors per request, 1 to `MAX_UPSERT_BATCH`. @default DEFAULT_IMPORT_BATCH */
  readonly batchSize?: number;
  /** Requests in flight. @default DEFAULT_IMPORT_CONCURRENCY */
  readonly concurrency?: number;
  /** @default `<file>.whiplash-import.json`; none for stdin, which cannot be read again */
  readonly checkpointPath?: string;
  /** Ignore an existing checkpoint and start from the first row. @default false */
  readonly restart?: boolean;
  /** Create the collection when it does not exist, with the file's dimension. @default false */
  readonly create?: boolean;
  /** Metric of a collection created by `create`. @default 'cosine' */
  readonly metric?: Metric;
  /** Index method of a collection created by `create` (`CreateCollectionRequest.indexMethod`). @default the API's ('ivf' for cosine and euclidean, 'lsh' for dot) */
  readonly indexMethod?: IndexMethod;
  /** With `indexMethod` 'ivf': the list size of a collection created by `create`. @default the API's */
  readonly listSize?: number;
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
 * bounded concurrency (into an empty collection, the first `FIRST_IMPORT_BATCH` vectors alone),
 * and records every acknowledged batch in a checkpoint beside the input.
 * After an interruption, the same command resumes: acknowledged rows are skipped; the rest,
 * including batches that were in flight, are sent again (upserts are idempotent). The checkpoint
 * is removed when the import completes.
 *
 * @throws UsageError for a bad file or a checkpoint of another import
 * @throws WhiplashBatchError when the server did not acknowledge some vectors (progress is kept)
 */
export async function importFile(client: WhiplashClient, opts: ImportOptions): Promise<ImportResult> {
  const source = await openSource(opts.file, { format: opts.format, idsPath: opts.idsPath, idField: opts.idField, vectorField: opts.vectorField, stdin: opts.stdin });
  try {
    return await importSource(client, source, opts);
  } finally {
    source.close();
  }
}

async function importSource(client: WhiplashClient, source: OpenedSource, opts: ImportOptions): Promise<ImportResult> {
  let collectionCreated = false;
  if (opts.create) collectionCreated = await ensureCollection(client, opts, source.dimension ?? (await firstDimension(source.records())));
  // the collection's identity binds the checkpoint: a re-created collection starts over
  const { createdAt, vectorCount } = await client.getCollection(opts.projectId, opts.collection);
  const target = { apiUrl: opts.apiUrl, projectId: opts.projectId, collection: opts.collection, collectionCreatedAt: createdAt };
  // Standard input cannot be read again: its checkpoint lives with its spooled copy and goes with it.
  const stdin = source.input.stdin;
  const identity = importIdentity(stdin ? source.path : opts.file, source.format, target);
  const cpPath = stdin ? join(source.input.tempDir!, 'checkpoint.json') : (opts.checkpointPath ?? defaultCheckpointPath(opts.file));
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
      batchSize: opts.batchSize ?? DEFAULT_IMPORT_BATCH,
      concurrency: opts.concurrency ?? DEFAULT_IMPORT_CONCURRENCY,
      ...(vectorCount === 0 && !resumed ? { firstBatchSize: FIRST_IMPORT_BATCH } : {}),
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
  await client.createCollection(opts.projectId, { name: opts.collection, dimension, metric: opts.metric ?? 'cosine', ...indexMethodOf(opts) });
  opts.log(`created collection ${opts.collection} (dimension ${dimension}, metric ${opts.metric ?? 'cosine'})`);
  return true;
}
