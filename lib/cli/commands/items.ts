// `whiplash items list|get|delete`: the vectors of a collection, by id (deletes in batches, with progress).
import { Command, Option } from 'commander';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '../../../lambda/core/limits';
import { WhiplashBatchError, WhiplashError } from '../../client/errors';
import type { CliContext } from '../context';
import { createCountProgress } from '../count-progress';
import { UsageError } from '../errors';
import { previewVector } from '../output';
import { int } from '../parse';
import type { ProgressMode } from '../progress';

/** How many ids a message lists before it says how many there are in all. */
const SHOWN_IDS = 10;
const listed = (ids: readonly string[]): string => ids.slice(0, SHOWN_IDS).join(', ') + (ids.length > SHOWN_IDS ? `, ... (${ids.length} in all)` : '');

/** Registers the `items` commands on `program`. */
export function registerItemsCommands(program: Command, ctx: CliContext): void {
  const items = program.command('items').description('vectors of a collection');
  items
    .command('list <collection>')
    .description('list vector ids, a page at a time (or all with --all)')
    .option('-l, --limit <n>', `ids per page, 1 to ${MAX_LIST_LIMIT}`, int(1, MAX_LIST_LIMIT), DEFAULT_LIST_LIMIT)
    .option('--cursor <cursor>', 'cursor of the page to read (printed after each page)')
    .option('--prefix <prefix>', 'only ids that start with this')
    .option('--all', 'read every page', false)
    .action(async (name: string, o: { limit: number; cursor?: string; prefix?: string; all: boolean }, cmd: Command) => {
      const { client: c, cfg } = ctx.client(cmd);
      const coll = c.collection(ctx.project(cfg), name);
      if (o.all) {
        const ids: string[] = [];
        for await (const id of coll.ids({ limit: o.limit, cursor: o.cursor, prefix: o.prefix })) ids.push(id);
        ctx.out(cmd).table(ids.map((id) => ({ id })), ['id'], { ids });
        return;
      }
      const page = await coll.listIds({ limit: o.limit, cursor: o.cursor, prefix: o.prefix });
      ctx.out(cmd).table(page.ids.map((id) => ({ id })), ['id'], page);
      if (page.cursor && !ctx.globals(cmd).json) ctx.io.stderr.write(`more: --cursor ${page.cursor}\n`);
    });
  items
    .command('get <collection> <id>')
    .description('print one vector and its metadata')
    .action(async (name: string, id: string, _o, cmd: Command) => {
      const { client: c, cfg } = ctx.client(cmd);
      const v = await c.collection(ctx.project(cfg), name).get(id);
      ctx.out(cmd).record({ id: v.id, dimension: v.vector.length, vector: previewVector(v.vector), metadata: v.metadata }, v);
    });
  items
    .command('delete <collection> <ids...>')
    .description('delete vectors by id, in batches of up to 500; ids that do not exist are reported (exit code 1) after the others are deleted')
    .addOption(new Option('--progress <mode>', 'progress display (on stderr)').choices(['auto', 'bar', 'plain', 'none']).default('auto'))
    .action(async (name: string, ids: string[], o: { progress: ProgressMode }, cmd: Command) => {
      const { client: c, cfg } = ctx.client(cmd);
      const coll = c.collection(ctx.project(cfg), name);
      const unique = [...new Set(ids)];
      const progress = createCountProgress(o.progress, ctx.io.stderr, 'delete');
      progress.start(unique.length, 0, 0);
      let result: { deleted: number; notFound: string[] };
      try {
        result = await coll.deleteMany(unique, { concurrency: 1, onProgress: (done) => progress.update(done, done) });
      } catch (err) {
        if (!(err instanceof WhiplashBatchError)) throw err;
        // what the failed request held may be deleted in part: re-running the command is safe
        throw new WhiplashError({
          status: err.status,
          code: err.code,
          message: `${(err.cause as WhiplashError).message}; not acknowledged: ${listed(err.failedIds)} (run the command again for them)`,
          requestId: err.requestId,
          retryAfterSeconds: err.retryAfterSeconds,
        });
      } finally {
        progress.stop();
      }
      ctx.out(cmd).done(`deleted ${result.deleted} vector(s)`, { deleted: result.deleted, notFound: result.notFound });
      if (result.notFound.length > 0) throw new UsageError(`not found: ${listed(result.notFound)}`);
    });
}
