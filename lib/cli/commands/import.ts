// `whiplash import`: streams a file of vectors (JSONL, JSON, CSV, .npy, .fvecs, Parquet; gzip or not; or stdin) into a
// collection, resumably.
import { Command, Option } from 'commander';
import { MAX_UPSERT_BATCH } from '../../../lambda/core/limits';
import type { IndexMethod, Metric } from '../../../lambda/core/types';
import type { CliContext } from '../context';
import { DEFAULT_IMPORT_BATCH, DEFAULT_IMPORT_CONCURRENCY, importFile } from '../import';
import { int, METRICS } from '../parse';
import { addIndexMethodOptions, indexMethodOf } from '../index-method';
import { createProgress, ProgressMode } from '../progress';
import { FORMATS, VECTOR_FIELDS } from '../readers';

/** Registers `import` on `program`. */
export function registerImportCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('import <collection> <file>')
    .description(
      'stream a file of vectors into a collection, resumably: JSONL ({id, vector, metadata} per line), JSON (an array of those), CSV (id,x0,x1,...), ' +
        'NumPy .npy (2-D float32/float64), .fvecs or Parquet (a list-of-floats vector column, an id column, other columns as metadata); ' +
        'gzip (.gz) in any format; - reads stdin',
    )
    .addOption(new Option('--format <format>', 'input format (default: from the extension, before .gz; for stdin from the first bytes)').choices([...FORMATS]))
    .option('--ids <file>', 'npy/fvecs: file of ids, one per line (default: row numbers)')
    .option('--id-field <name>', 'jsonl/json/parquet: field or column of the ids (default: id)')
    .option('--vector-field <name>', `jsonl/json/parquet: field or column of the vectors (default: the first of ${VECTOR_FIELDS.join(', ')})`)
    .option('-b, --batch-size <n>', `vectors per request, 1 to ${MAX_UPSERT_BATCH}`, int(1, MAX_UPSERT_BATCH), DEFAULT_IMPORT_BATCH)
    .option('-c, --concurrency <n>', 'requests in flight', int(1, 64), DEFAULT_IMPORT_CONCURRENCY)
    .option('--checkpoint <file>', 'checkpoint file (default: <file>.whiplash-import.json; stdin is not resumable)')
    .option('--restart', 'ignore an existing checkpoint and start from the first row', false)
    .option('--create', 'create the collection if it does not exist, with the file\'s dimension', false)
    .addOption(new Option('-m, --metric <metric>', 'metric of a collection made by --create').choices(METRICS).default('cosine'));
  addIndexMethodOptions(command, ' of a collection made by --create')
    .addOption(new Option('--progress <mode>', 'progress display').choices(['auto', 'bar', 'plain', 'none']).default('auto'))
    .action(
      async (
        name: string,
        file: string,
        o: { format?: string; ids?: string; idField?: string; vectorField?: string; batchSize: number; concurrency: number; checkpoint?: string; restart: boolean; create: boolean; metric: Metric; indexMethod?: IndexMethod; listSize?: number; progress: ProgressMode },
        cmd: Command,
      ) => {
        const { client: c, cfg } = ctx.client(cmd);
        const r = await importFile(c, {
          apiUrl: cfg.apiUrl!,
          projectId: ctx.project(cfg),
          collection: name,
          file,
          stdin: ctx.io.stdin,
          format: o.format,
          idsPath: o.ids,
          idField: o.idField,
          vectorField: o.vectorField,
          batchSize: o.batchSize,
          concurrency: o.concurrency,
          checkpointPath: o.checkpoint,
          restart: o.restart,
          create: o.create,
          metric: o.metric,
          ...indexMethodOf(o),
          progress: createProgress(o.progress, ctx.io.stderr, 'import'),
          log: (line) => ctx.io.stderr.write(`${line}\n`),
        });
        ctx.out(cmd).done(
          `imported ${r.imported} vectors into ${name}` + (r.skipped > 0 ? ` (${r.skipped} skipped: acknowledged by an earlier run)` : ''),
          { ...r },
        );
      },
    );
}
