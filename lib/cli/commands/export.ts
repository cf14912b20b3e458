// `whiplash export`: writes every vector of a collection as JSONL (what `whiplash import` reads), with progress.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Command, Option } from 'commander';
import type { CliContext } from '../context';
import { createCountProgress } from '../count-progress';
import { exportCollection } from '../export';
import { int } from '../parse';
import type { ProgressMode } from '../progress';

/** Registers `export` on `program`. */
export function registerExportCommand(program: Command, ctx: CliContext): void {
  program
    .command('export <collection>')
    .description('write every vector of a collection as JSONL ({id, vector, metadata} per line; what import reads), reading 100 vectors a request')
    .option('-o, --out <file>', 'output file (default: stdout)')
    .option('-c, --concurrency <n>', 'batch reads in flight', int(1, 64), 8)
    .addOption(new Option('--progress <mode>', 'progress display (on stderr)').choices(['auto', 'bar', 'plain', 'none']).default('auto'))
    .action(async (name: string, o: { out?: string; concurrency: number; progress: ProgressMode }, cmd: Command) => {
      const { client: c, cfg } = ctx.client(cmd);
      const project = ctx.project(cfg);
      const coll = c.collection(project, name);
      // the count is approximate while writes settle; it only scales the bar
      const total = (await c.getCollection(project, name)).vectorCount;
      const progress = createCountProgress(o.progress, ctx.io.stderr, 'export');
      progress.start(total, 0, 0);
      const onPage = (written: number) => progress.update(written, written);
      try {
        if (!o.out) {
          await exportCollection(coll, ctx.io.stdout, { concurrency: o.concurrency, onPage });
          return;
        }
        const stream = createWriteStream(o.out);
        const n = await exportCollection(coll, stream, { concurrency: o.concurrency, onPage });
        stream.end();
        await once(stream, 'finish');
        ctx.out(cmd).done(`exported ${n} vectors to ${o.out}`, { exported: n, file: o.out });
      } finally {
        progress.stop();
      }
    });
}
