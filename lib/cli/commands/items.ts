// `whiplash items list|get|delete`: the vectors of a collection, by id.
import type { Command } from 'commander';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '../../../lambda/core/limits';
import type { CliContext } from '../context';
import { previewVector } from '../output';
import { int } from '../parse';

/** Registers the `items` commands on `program`. */
export function registerItemsCommands(program: Command, ctx: CliContext): void {
  const items = program.command('items').description('vectors of a collection');
  items
    .command('list <collection>')
    .description('list vector ids, a page at a time (or all with --all)')
    .option('-l, --limit <n>', `ids per page, 1 to ${MAX_LIST_LIMIT}`, int(1, MAX_LIST_LIMIT), DEFAULT_LIST_LIMIT)
    .option('--cursor <cursor>', 'cursor of the page to read (printed after each page)')
    .option('--all', 'read every page', false)
    .action(async (name: string, o: { limit: number; cursor?: string; all: boolean }, cmd: Command) => {
      const { client: c, cfg } = ctx.client(cmd);
      const coll = c.collection(ctx.project(cfg), name);
      if (o.all) {
        const ids: string[] = [];
        for await (const id of coll.ids({ limit: o.limit, cursor: o.cursor })) ids.push(id);
        ctx.out(cmd).table(ids.map((id) => ({ id })), ['id'], { ids });
        return;
      }
      const page = await coll.listIds({ limit: o.limit, cursor: o.cursor });
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
    .description('delete vectors by id')
    .action(async (name: string, ids: string[], _o, cmd: Command) => {
      const { client: c, cfg } = ctx.client(cmd);
      const coll = c.collection(ctx.project(cfg), name);
      for (const id of ids) await coll.delete(id);
      ctx.out(cmd).done(`deleted ${ids.length} vector(s)`, { deleted: ids });
    });
}
