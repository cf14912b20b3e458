#!/usr/bin/env node
// `npm start`: serves the whole store on this machine until Ctrl-C or SIGTERM.
/**
 * `npm start`: the whole store on one machine (DynamoDB Local + the local API gateway).
 *
 * Environment: PORT (default 3000), WHIPLASH_ADMIN_KEY (default: a generated key kept in the data
 * directory), WHIPLASH_DATA_DIR (default `.whiplash`; `:memory:` keeps everything in memory),
 * HOST (default 127.0.0.1). Flags override the environment; see `npm start -- --help`. The options
 * are those of `whiplash local` (`lib/local/options.ts`). Each function runs as `--instances`
 * (default 2) isolated instances in worker threads; `--in-process` runs the handlers in this
 * process, for debugging.
 */
import { Command } from 'commander';
import { addLocalServerOptions, LocalCommandOptions, localBanner } from '../lib/local/options';
import { startLocalServerForCommand } from '../lib/local/server';

async function serve(o: LocalCommandOptions): Promise<void> {
  const log = (line: string): void => console.log(`[whiplash] ${line}`);
  const server = await startLocalServerForCommand(o, log);
  console.log(localBanner(server, o));
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    server.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

const program = new Command()
  .name('whiplash-local')
  .description('Serve the Whiplash vector store on this machine: DynamoDB Local and the local API gateway');
addLocalServerOptions(program, process.env, { shortPort: true }).action(serve);

program.parseAsync().catch((err: unknown) => {
  console.error(`whiplash: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
