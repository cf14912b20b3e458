import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Metric } from '../../lambda/core/types';
import { WhiplashClient } from '../client/client';
import { WhiplashBatchError, WhiplashError } from '../client/errors';
import { CliConfig, resolveConfig, saveProfile } from './config';
import { EXIT, UsageError } from './errors';
import { exportCollection } from './export';
import { importFile } from './import';
import { Output } from './output';
import { createProgress, ProgressMode } from './progress';
import { FORMATS } from './readers';
import { queryVector } from './vector-arg';

/** The streams and environment `whiplash` runs with (the process's, or a test's). */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Record<string, string | undefined>;
}

interface GlobalFlags {
  apiUrl?: string;
  apiKey?: string;
  project?: string;
  profile?: string;
  json: boolean;
  timeout: number;
  retries: number;
  verbose: boolean;
}

const METRICS = ['cosine', 'euclidean', 'dot'];

function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    return n;
  };
}

function jsonObject(value: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('must be a JSON object, e.g. \'{"genre": {"$eq": "drama"}}\'');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidArgumentError('must be a JSON object');
  return v as Record<string, unknown>;
}

/** Shortens a vector for a table cell. */
function preview(v: readonly number[] | undefined): string | undefined {
  if (!v) return undefined;
  const head = v.slice(0, 4).map((x) => x.toFixed(4)).join(', ');
  return v.length > 4 ? `[${head}, ... ${v.length} values]` : `[${head}]`;
}

/**
 * Builds the `whiplash` command line program. Exit codes: 0 ok, 1 usage (bad flags or input, or a
 * 4xx answer), 2 server error (5xx, throttled after all retries, timeout, unreachable).
 */
export function buildProgram(io: CliIO): Command {
  const program = new Command()
    .name('whiplash')
    .description('Command line client of the Whiplash vector store')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showSuggestionAfterError()
    .option('--api-url <url>', 'base URL of the API (env WHIPLASH_API_URL)')
    .option('--api-key <key>', 'API key, sent as x-api-key (env WHIPLASH_API_KEY)')
    .option('-p, --project <id>', 'project id (env WHIPLASH_PROJECT)')
    .option('--profile <name>', 'profile in the config file (env WHIPLASH_PROFILE; file: $WHIPLASH_CONFIG or ~/.config/whiplash/config.json)')
    .option('--json', 'print JSON for scripts instead of tables', false)
    .option('--timeout <ms>', 'time limit of one HTTP attempt in milliseconds', int(1), 30000)
    .option('--retries <n>', 'retries of reads and upserts on 429, 5xx and network errors', int(0, 20), 5)
    .option('-v, --verbose', 'log retries to stderr', false);

  const globals = (cmd: Command): GlobalFlags => cmd.optsWithGlobals<GlobalFlags>();
  const out = (cmd: Command) => new Output(io.stdout, globals(cmd).json);
  const config = (cmd: Command): CliConfig => resolveConfig(globals(cmd), io.env);
  const client = (cmd: Command): { client: WhiplashClient; cfg: CliConfig } => {
    const g = globals(cmd);
    const cfg = config(cmd);
    if (!cfg.apiUrl) throw new UsageError('no API URL: pass --api-url, set WHIPLASH_API_URL, or add apiUrl to a profile');
    const c = new WhiplashClient({
      apiUrl: cfg.apiUrl,
      apiKey: cfg.apiKey,
      timeoutMs: g.timeout,
      retry: { maxRetries: g.retries },
      onRetry: g.verbose ? (e) => io.stderr.write(`retry ${e.attempt} of ${e.method} ${e.path} in ${Math.round(e.delayMs)} ms: ${e.error.status} ${e.error.code}\n`) : undefined,
    });
    return { client: c, cfg };
  };
  const project = (cfg: CliConfig): string => {
    if (!cfg.project) throw new UsageError('no project: pass --project, set WHIPLASH_PROJECT, or add project to a profile');
    return cfg.project;
  };

  // ---- local
  program
    .command('local')
    .description('run the whole store on this machine (same as `npm start`): DynamoDB Local and the local API gateway')
    .option('--port <port>', 'TCP port (env PORT)', int(0, 65535), io.env.PORT ? Number(io.env.PORT) : 3000)
    .option('--host <host>', 'interface to listen on', io.env.HOST ?? '127.0.0.1')
    .option('-d, --data-dir <dir>', 'data directory (env WHIPLASH_DATA_DIR)', io.env.WHIPLASH_DATA_DIR ?? '.whiplash')
    .option('--in-memory', 'keep everything in memory', false)
    .option('--admin-key <key>', 'admin API key (env WHIPLASH_ADMIN_KEY)', io.env.WHIPLASH_ADMIN_KEY)
    .option('--rate-limit <rps>', 'usage plan throttle: steady requests per second per key', int(1), 1000)
    .option('--burst-limit <n>', 'usage plan throttle: burst per key', int(1), 2000)
    .option('--quiet', 'do not log each request', false)
    .action(async (o: { port: number; host: string; dataDir: string; inMemory: boolean; adminKey?: string; rateLimit: number; burstLimit: number; quiet: boolean }) => {
      // The same function `npm start` (bin/local.ts) runs.
      const { startLocalServerForCommand } = await import('../local/server');
      const server = await startLocalServerForCommand(o, (line) => io.stderr.write(`[whiplash] ${line}\n`), io.env);
      io.stdout.write(
        `Whiplash is running at ${server.url}\n  admin API key: ${server.adminKey}\n  API docs:      ${server.url}/docs\n` +
          `  export WHIPLASH_API_URL=${server.url} WHIPLASH_API_KEY=${server.adminKey}\nPress Ctrl-C to stop.\n`,
      );
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
      await server.stop();
    });

  // ---- config
  const cfgCmd = program.command('config').description('show or save settings (profiles)');
  cfgCmd
    .command('show')
    .description('print the settings in effect (the API key masked)')
    .action((_o, cmd: Command) => {
      const c = config(cmd);
      const masked = c.apiKey ? `${c.apiKey.slice(0, 4)}...${c.apiKey.slice(-4)}` : undefined;
      out(cmd).record({ profile: c.profile, configFile: c.configPath, apiUrl: c.apiUrl, apiKey: masked, project: c.project });
    });
  cfgCmd
    .command('save')
    .description('save --api-url, --api-key and --project (or their environment variables) as a profile')
    .action((_o, cmd: Command) => {
      const c = resolveConfig(globals(cmd), io.env, false);
      saveProfile(c.configPath, c.profile, { apiUrl: c.apiUrl, apiKey: c.apiKey, project: c.project });
      out(cmd).done(`saved profile ${c.profile} to ${c.configPath}`, { profile: c.profile, configFile: c.configPath });
    });

  // ---- projects
  const projects = program.command('projects').description('projects: tenants with their own API keys (admin key)');
  projects
    .command('list')
    .description('list projects')
    .action(async (_o, cmd: Command) => {
      const rows = await client(cmd).client.listProjects();
      out(cmd).table(rows as never, ['projectId', 'name', 'createdAt']);
    });
  projects
    .command('create <name>')
    .description("create a project; prints its API key once: store it")
    .option('--id <projectId>', 'project id (default: the name)')
    .action(async (name: string, o: { id?: string }, cmd: Command) => {
      const r = await client(cmd).client.createProject({ name, projectId: o.id });
      out(cmd).record({ ...r.project, apiKey: r.apiKey, apiKeyId: r.apiKeyId }, { ...r.project, apiKey: r.apiKey, apiKeyId: r.apiKeyId });
    });
  projects
    .command('get <projectId>')
    .description('describe a project')
    .action(async (id: string, _o, cmd: Command) => {
      out(cmd).record({ ...(await client(cmd).client.getProject(id)) });
    });
  projects
    .command('delete <projectId>')
    .description('delete a project, its collections and its keys')
    .action(async (id: string, _o, cmd: Command) => {
      await client(cmd).client.deleteProject(id);
      out(cmd).done(`deleted project ${id}`, { deleted: id });
    });

  // ---- collections
  const collections = program.command('collections').description('collections of the project');
  collections
    .command('list')
    .description('list collections')
    .action(async (_o, cmd: Command) => {
      const { client: c, cfg } = client(cmd);
      const rows = await c.listCollections(project(cfg));
      out(cmd).table(rows as never, ['name', 'dimension', 'metric', 'vectorCount', 'createdAt']);
    });
  collections
    .command('create <name>')
    .description('create a collection')
    .requiredOption('-d, --dimension <n>', 'vector dimension, 1 to 4096', int(1, 4096))
    .addOption(new Option('-m, --metric <metric>', 'distance metric').choices(METRICS).default('cosine'))
    .action(async (name: string, o: { dimension: number; metric: Metric }, cmd: Command) => {
      const { client: c, cfg } = client(cmd);
      const info = await c.createCollection(project(cfg), { name, dimension: o.dimension, metric: o.metric });
      out(cmd).record({ name: info.name, dimension: info.dimension, metric: info.metric, createdAt: info.createdAt }, info);
    });
  collections
    .command('get <name>')
    .description('describe a collection')
    .action(async (name: string, _o, cmd: Command) => {
      const { client: c, cfg } = client(cmd);
      const info = await c.getCollection(project(cfg), name);
      out(cmd).record({ name: info.name, dimension: info.dimension, metric: info.metric, vectorCount: info.vectorCount, createdAt: info.createdAt, index: info.index }, info);
    });
  collections
    .command('delete <name>')
    .description('delete a collection and its vectors')
    .action(async (name: string, _o, cmd: Command) => {
      const { client: c, cfg } = client(cmd);
      await c.deleteCollection(project(cfg), name);
      out(cmd).done(`deleted collection ${name}`, { deleted: name });
    });

  // ---- items
  const items = program.command('items').description('vectors of a collection');
  items
    .command('list <collection>')
    .description('list vector ids, a page at a time (or all with --all)')
    .option('-l, --limit <n>', 'ids per page, 1 to 1000', int(1, 1000), 100)
    .option('--cursor <cursor>', 'cursor of the page to read (printed after each page)')
    .option('--all', 'read every page', false)
    .action(async (name: string, o: { limit: number; cursor?: string; all: boolean }, cmd: Command) => {
      const { client: c, cfg } = client(cmd);
      const coll = c.collection(project(cfg), name);
      if (o.all) {
        const ids: string[] = [];
        for await (const id of coll.ids({ limit: o.limit, cursor: o.cursor })) ids.push(id);
        out(cmd).table(ids.map((id) => ({ id })), ['id'], { ids });
        return;
      }
      const page = await coll.listIds({ limit: o.limit, cursor: o.cursor });
      out(cmd).table(page.ids.map((id) => ({ id })), ['id'], page);
      if (page.cursor && !globals(cmd).json) io.stderr.write(`more: --cursor ${page.cursor}\n`);
    });
  items
    .command('get <collection> <id>')
    .description('print one vector and its metadata')
    .action(async (name: string, id: string, _o, cmd: Command) => {
      const { client: c, cfg } = client(cmd);
      const v = await c.collection(project(cfg), name).get(id);
      out(cmd).record({ id: v.id, dimension: v.vector.length, vector: preview(v.vector), metadata: v.metadata }, v);
    });
  items
    .command('delete <collection> <ids...>')
    .description('delete vectors by id')
    .action(async (name: string, ids: string[], _o, cmd: Command) => {
      const { client: c, cfg } = client(cmd);
      const coll = c.collection(project(cfg), name);
      for (const id of ids) await coll.delete(id);
      out(cmd).done(`deleted ${ids.length} vector(s)`, { deleted: ids });
    });

  // ---- search
  program
    .command('search <collection> [vector...]')
    .description(
      'top-k nearest neighbours of a vector given as arguments (a JSON array, or numbers separated by spaces or commas; put -- before comma-joined numbers that start with -), with --file, on stdin (- or piped), or of a stored item (--like)',
    )
    .option('-k, --top-k <k>', 'number of results, 1 to 1000', int(1, 1000), 10)
    .option('-f, --file <path>', 'read the vector from a file (JSON array or separated numbers)')
    .option('--like <id>', 'use the vector of this stored item')
    .option('--filter <json>', 'metadata filter, e.g. \'{"lang": {"$eq": "en"}}\'', jsonObject)
    .option('--include-vector', 'return the vectors', false)
    .option('--include-metadata', 'return the metadata', false)
    .action(async (name: string, vectorArgs: string[], o: { topK: number; file?: string; like?: string; filter?: Record<string, unknown>; includeVector: boolean; includeMetadata: boolean }, cmd: Command) => {
      const { client: c, cfg } = client(cmd);
      const coll = c.collection(project(cfg), name);
      const vectorArg = vectorArgs.length > 0 ? vectorArgs.join(' ') : undefined;
      let vector: number[] | undefined;
      if (o.like !== undefined) {
        if (vectorArg !== undefined || o.file !== undefined) throw new UsageError('--like replaces the vector argument and --file');
        vector = (await coll.get(o.like)).vector;
      } else vector = await queryVector(vectorArg, o.file, io.stdin);
      if (!vector) throw new UsageError('no query vector: give it as an argument, with --file, on stdin, or use --like <id>');
      const matches = await coll.search({ vector, topK: o.topK, filter: o.filter, includeVector: o.includeVector, includeMetadata: o.includeMetadata });
      const rows = matches.map((m, i) => ({ rank: i + 1, id: m.id, distance: m.distance, score: m.score, metadata: m.metadata, vector: preview(m.vector) }));
      const cols = ['rank', 'id', 'distance', 'score', ...(o.includeMetadata ? ['metadata'] : []), ...(o.includeVector ? ['vector'] : [])];
      out(cmd).table(rows, cols, matches);
    });

  // ---- import / export
  program
    .command('import <collection> <file>')
    .description('stream a file of vectors into a collection, resumably: JSONL ({id, vector, metadata} per line), CSV (id,x0,x1,...), NumPy .npy (2-D float32/float64) or .fvecs')
    .addOption(new Option('--format <format>', 'input format (default: from the extension)').choices([...FORMATS]))
    .option('--ids <file>', 'npy/fvecs: file of ids, one per line (default: row numbers)')
    .option('-b, --batch-size <n>', 'vectors per request, 1 to 500', int(1, 500), 500)
    .option('-c, --concurrency <n>', 'requests in flight', int(1, 64), 4)
    .option('--checkpoint <file>', 'checkpoint file (default: <file>.whiplash-import.json)')
    .option('--restart', 'ignore an existing checkpoint and start from the first row', false)
    .option('--create', 'create the collection if it does not exist, with the file\'s dimension', false)
    .addOption(new Option('-m, --metric <metric>', 'metric of a collection made by --create').choices(METRICS).default('cosine'))
    .addOption(new Option('--progress <mode>', 'progress display').choices(['auto', 'bar', 'plain', 'none']).default('auto'))
    .action(
      async (
        name: string,
        file: string,
        o: { format?: string; ids?: string; batchSize: number; concurrency: number; checkpoint?: string; restart: boolean; create: boolean; metric: Metric; progress: ProgressMode },
        cmd: Command,
      ) => {
        const { client: c, cfg } = client(cmd);
        const r = await importFile(c, {
          apiUrl: cfg.apiUrl!,
          projectId: project(cfg),
          collection: name,
          file,
          format: o.format,
          idsPath: o.ids,
          batchSize: o.batchSize,
          concurrency: o.concurrency,
          checkpointPath: o.checkpoint,
          restart: o.restart,
          create: o.create,
          metric: o.metric,
          progress: createProgress(o.progress, io.stderr, 'import'),
          log: (line) => io.stderr.write(`${line}\n`),
        });
        out(cmd).done(
          `imported ${r.imported} vectors into ${name}` + (r.skipped > 0 ? ` (${r.skipped} skipped: acknowledged by an earlier run)` : ''),
          { ...r },
        );
      },
    );
  program
    .command('export <collection>')
    .description('write every vector of a collection as JSONL ({id, vector, metadata} per line; what import reads)')
    .option('-o, --out <file>', 'output file (default: stdout)')
    .option('-c, --concurrency <n>', 'item reads in flight', int(1, 64), 8)
    .action(async (name: string, o: { out?: string; concurrency: number }, cmd: Command) => {
      const { client: c, cfg } = client(cmd);
      const coll = c.collection(project(cfg), name);
      if (!o.out) {
        await exportCollection(coll, io.stdout, { concurrency: o.concurrency });
        return;
      }
      const stream = createWriteStream(o.out);
      const n = await exportCollection(coll, stream, { concurrency: o.concurrency });
      stream.end();
      await once(stream, 'finish');
      out(cmd).done(`exported ${n} vectors to ${o.out}`, { exported: n, file: o.out });
    });

  return program;
}

/** Prints an error and returns its exit code. */
function report(err: unknown, io: CliIO, json: boolean): number {
  if (err instanceof CommanderError) {
    // Commander printed its message already; help and version are not errors.
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof WhiplashError) {
    const code = err.status >= 400 && err.status < 500 && err.status !== 429 ? EXIT.usage : EXIT.server;
    if (json) {
      const body: Record<string, unknown> = { status: err.status, code: err.code, message: err.message, requestId: err.requestId, field: err.field, rule: err.rule };
      if (err instanceof WhiplashBatchError) body.failedIds = err.failedIds;
      io.stderr.write(JSON.stringify({ error: body }) + '\n');
      return code;
    }
    const where = err.requestId ? ` (request id ${err.requestId})` : '';
    io.stderr.write(`error: ${err.status ? `${err.status} ` : ''}${err.code}: ${err.message}${where}\n`);
    if (err instanceof WhiplashBatchError) {
      const ids = err.failedIds.slice(0, 10).join(', ');
      io.stderr.write(`not written: ${ids}${err.failedIds.length > 10 ? `, ... (${err.failedIds.length} in all)` : ''}\n`);
      io.stderr.write('progress is saved: run the same command again to resume\n');
    }
    return code;
  }
  if (err instanceof UsageError) {
    io.stderr.write(json ? JSON.stringify({ error: { code: 'UsageError', message: err.message } }) + '\n' : `error: ${err.message}\n`);
    return EXIT.usage;
  }
  io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.server;
}

/**
 * Runs `whiplash` with `argv` (the arguments after the program name) and returns the exit code.
 * Never calls `process.exit`, so tests can run it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    return report(err, io, argv.includes('--json'));
  }
}

/** The process's own streams and environment. */
export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}
