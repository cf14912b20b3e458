// `whiplash export`: writes every vector of a collection as JSONL (what `whiplash import` reads).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { exportCollection } from '../export';
import { int } from '../parse';

/** Registers `export` on `program`. */
export function registerExportCommand(program: Command, ctx: CliContext): void {
  program
    .command('export <collection>')
    .description('write every vector of a collection as JSONL ({id, vector, metadata} per line; what import reads)')
    .option('-o, --out <file>', 'output file (default: stdout)')
    .option('-c, --concurrency <n>', 'item reads in flight', int(1, 64), 8)
    .action(async (name: string, o: { out?: string; concurrency: number }, cmd: Command) => {
      const { client: c, cfg } = ctx.client(cmd);
      const coll = c.collection(ctx.project(cfg), name);
      if (!o.out) {
        await exportCollection(coll, ctx.io.stdout, { concurrency: o.concurrency });
        return;
      }
      const stream = createWriteStream(o.out);
      const n = await exportCollection(coll, stream, { concurrency: o.concurrency });
      stream.end();
      await once(stream, 'finish');
      ctx.out(cmd).done(`exported ${n} vectors to ${o.out}`, { exported: n, file: o.out });
    });
}
