#!/usr/bin/env node
/**
 * `npm start`: the whole store on one machine (DynamoDB Local + the local API gateway).
 *
 * Environment: PORT (default 3000), WHIPLASH_ADMIN_KEY (default: a generated key kept in the data
 * directory), WHIPLASH_DATA_DIR (default `.whiplash`; `:memory:` keeps everything in memory),
 * HOST (default 127.0.0.1). Flags override the environment; see `npm start -- --help`.
 */
import { Command, InvalidArgumentError } from 'commander';
import { startLocalServerForCommand } from '../lib/local/server';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer from 0 to 65535');
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number');
  return n;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('whiplash-local')
    .description('Serve the Whiplash vector store on this machine: DynamoDB Local and the local API gateway')
    .option('-p, --port <port>', 'TCP port (env PORT)', port, process.env.PORT ? port(process.env.PORT) : 3000)
    .option('--host <host>', 'interface to listen on (env HOST)', process.env.HOST ?? '127.0.0.1')
    .option('-d, --data-dir <dir>', 'data directory (env WHIPLASH_DATA_DIR)', process.env.WHIPLASH_DATA_DIR ?? '.whiplash')
    .option('--in-memory', 'keep everything in memory (nothing survives a restart)', false)
    .option('--admin-key <key>', 'admin API key (env WHIPLASH_ADMIN_KEY)', process.env.WHIPLASH_ADMIN_KEY)
    .option('--rate-limit <rps>', 'usage plan throttle: steady requests per second per key', positive, 1000)
    .option('--burst-limit <n>', 'usage plan throttle: burst per key', positive, 2000)
    .option('--quiet', 'do not log each request', false)
    .parse();
  const o = program.opts<{
    port: number;
    host: string;
    dataDir: string;
    inMemory: boolean;
    adminKey?: string;
    rateLimit: number;
    burstLimit: number;
    quiet: boolean;
  }>();
  const log = (line: string): void => console.log(`[whiplash] ${line}`);
  const server = await startLocalServerForCommand(o, log);
  const inMemory = server.inMemory;
  console.log(`
Whiplash is running at ${server.url}
  admin API key: ${server.adminKey}   (send it as the x-api-key header${inMemory ? '' : '; kept in ' + o.dataDir + '/admin-key'})
  API docs:      ${server.url}/docs
  OpenAPI:       ${server.url}/openapi.json

Try:
  curl -s -X POST ${server.url}/projects -H 'x-api-key: ${server.adminKey}' -d '{"name":"demo"}'

Press Ctrl-C to stop.
`);
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

main().catch((err: unknown) => {
  console.error(`whiplash: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
