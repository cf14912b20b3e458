// `npm run bench:local`: local mode on disk as a newcomer meets it: the CLI's `import` of Fashion-MNIST with its
// default options through the HTTP API of `npm start`'s server, then top-10 search latency over HTTP.
/**
 * Starts the local server as `npm start` does (DynamoDB Local on disk under a fresh directory, the
 * handlers in their worker-thread instances, the gateway's limits), creates a project and a
 * collection, and runs the real CLI (`bin/whiplash.ts`, a child process) to import the base
 * vectors from an fvecs file with default batch size and concurrency. Then sequential searches
 * over HTTP with the held-out queries: latency, read units and recall@10 against the exact
 * neighbours. Writes bench/results/local-disk.json and local-disk.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { logger } from '../../lambda/api/logger';
import { dynamoDBDataDir, startLocalServer } from '../../lib/local/server';
import { dynamoDBLocalDbFile } from '../../lib/local/sqlite-journal';
import { WhiplashClient } from '../../lib/client';
import { DEFAULT_IMPORT_BATCH, DEFAULT_IMPORT_CONCURRENCY } from '../../lib/cli/import';
import { loadFashionMnist, REPO_ROOT } from '../datasets/fashion-mnist';
import { encodeVecs } from '../datasets/vecs';
import { row } from '../datasets/types';
import { groundTruth } from '../ground-truth';
import { mean, percentile, recallAgainst } from '../recall';
import { distance } from '../distance';
import { gitCommit, machine } from '../lambda/machine';
import { searchOverHttp } from '../gateway/search-http';
import { LocalDiskResult, localDiskMarkdown, TOP_K } from './report';

const opts = new Command()
  .description('Local mode on disk: `whiplash import` of Fashion-MNIST with default options, then search latency over HTTP')
  .option('--size <n>', 'base vectors imported', '60000')
  .option('--queries <n>', 'held-out queries searched', '200')
  .option('--data-dir <dir>', 'Fashion-MNIST directory (default ../shared/datasets/fashion-mnist, then Debian\'s)')
  .option('--work-dir <dir>', 'where DynamoDB Local keeps its files and the fvecs file goes (default: a fresh temporary directory, removed after)')
  .option('--out <dir>', 'where local-disk.json and local-disk.md go', path.join(REPO_ROOT, 'bench', 'results'))
  .parse()
  .opts<{ size: string; queries: string; dataDir?: string; workDir?: string; out: string }>();

const COLLECTION = 'fashion';
/** Searches before the measured ones, not counted. */
const WARM_UP = 5;

/** Runs the CLI as a user would, with the server's URL and key in its environment; resolves with its wall time in seconds. */
function cli(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(REPO_ROOT, 'bin', 'whiplash.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`whiplash ${args.join(' ')} exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const commit = gitCommit();
  // The handlers' instances (worker threads) take this process's logger level with each invocation, not
  // POWERTOOLS_LOG_LEVEL: their INFO line per request would drown the CLI's progress and the report.
  logger.setLogLevel('ERROR');
  const queries = Number(opts.queries);
  // the warm-up searches are held-out images after the measured ones: a stored vector as a query would
  // find itself at distance 0, and the collection observes its queries to calibrate its plans
  const data = loadFashionMnist({ dir: opts.dataDir, size: Number(opts.size), queries: queries + WARM_UP });
  const gt = groundTruth(data, TOP_K);
  const work = opts.workDir ?? mkdtempSync(path.join(os.tmpdir(), 'whiplash-local-disk-'));
  mkdirSync(work, { recursive: true });
  const vectors = path.join(work, 'base.fvecs');
  writeFileSync(vectors, encodeVecs(data.base, 'fvecs'));
  const dataDir = path.join(work, 'data');
  const server = await startLocalServer({ port: 0, dataDir, purgeIntervalMs: 0 });
  try {
    const admin = new WhiplashClient({ apiUrl: server.url, apiKey: server.adminKey });
    const { project, apiKey } = await admin.createProject({ name: 'bench' });
    const env = { WHIPLASH_API_URL: server.url, WHIPLASH_API_KEY: apiKey, WHIPLASH_PROJECT: project.projectId, WHIPLASH_CONFIG: path.join(work, 'no-config.json') };
    await cli(['collections', 'create', COLLECTION, '--dimension', String(data.dim), '--metric', data.metric], env);
    process.stdout.write(`importing ${data.base.rows} vectors of ${data.dim} into DynamoDB Local on disk (${dataDir})\n`);
    const importSeconds = await cli(['import', COLLECTION, vectors, '--progress', 'plain'], env);
    process.stdout.write(`import: ${importSeconds.toFixed(1)} s, ${(data.base.rows / importSeconds).toFixed(1)} vectors/s\n`);

    const target = { serverUrl: server.url, projectId: project.projectId, collection: COLLECTION, apiKey };
    const search = async (vector: Float32Array) => {
      const { ms, ids, readUnits, roundTrips } = await searchOverHttp(target, vector, TOP_K);
      return { ms, ids: ids.map(Number), readUnits, roundTrips };
    };
    for (let w = queries; w < queries + WARM_UP; w++) await search(row(data.queries, w)); // warm the instances; not counted
    const results = [];
    for (let q = 0; q < queries; q++) {
      const r = await search(row(data.queries, q));
      const recall = recallAgainst(gt, q, r.ids, TOP_K, (id) => distance(data.metric, row(data.queries, q), row(data.base, id)));
      results.push({ ...r, recall });
    }
    const ms = results.map((r) => r.ms);
    const du = execFileSync('du', ['-sb', dataDir], { encoding: 'utf8' }).split(/\s/)[0];
    const wal = `${dynamoDBLocalDbFile(dynamoDBDataDir(dataDir))}-wal`;
    const result: LocalDiskResult = {
      measuredAt: new Date().toISOString(),
      commit,
      machine: machine(),
      command: `npm run bench:local -- --size ${opts.size} --queries ${opts.queries}`,
      source: path.relative(REPO_ROOT, data.source),
      vectors: data.base.rows,
      dim: data.dim,
      metric: data.metric,
      importDefaults: { batchSize: DEFAULT_IMPORT_BATCH, concurrency: DEFAULT_IMPORT_CONCURRENCY },
      importSeconds,
      importVectorsPerSecond: data.base.rows / importSeconds,
      diskBytes: Number(du),
      walBytes: existsSync(wal) ? statSync(wal).size : 0,
      queries: results.length,
      recall: mean(results.map((r) => r.recall)),
      readUnits: mean(results.map((r) => r.readUnits)),
      roundTrips: mean(results.map((r) => r.roundTrips)),
      latencyMs: { p50: percentile(ms, 50), p90: percentile(ms, 90), p99: percentile(ms, 99), max: Math.max(...ms) },
    };
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(path.join(opts.out, 'local-disk.json'), `${JSON.stringify(result, null, 2)}\n`);
    const markdown = localDiskMarkdown(result);
    writeFileSync(path.join(opts.out, 'local-disk.md'), markdown);
    process.stdout.write(markdown);
  } finally {
    await server.stop();
    if (!opts.workDir) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
