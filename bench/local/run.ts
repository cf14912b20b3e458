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
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { startLocalServer } from '../../lib/local/server';
import { WhiplashClient } from '../../lib/client';
import { DEFAULT_IMPORT_BATCH, DEFAULT_IMPORT_CONCURRENCY } from '../../lib/cli/import';
import { loadFashionMnist, REPO_ROOT } from '../datasets/fashion-mnist';
import { encodeVecs } from '../datasets/vecs';
import { row } from '../datasets/types';
import { groundTruth } from '../ground-truth';
import { mean, percentile, recallAgainst } from '../recall';
import { distance } from '../distance';
import { gitCommit, machine } from '../lambda/machine';

const opts = new Command()
  .description('Local mode on disk: `whiplash import` of Fashion-MNIST with default options, then search latency over HTTP')
  .option('--size <n>', 'base vectors imported', '60000')
  .option('--queries <n>', 'held-out queries searched', '200')
  .option('--data-dir <dir>', 'Fashion-MNIST directory (default ../shared/datasets/fashion-mnist, then Debian\'s)')
  .option('--work-dir <dir>', 'where DynamoDB Local keeps its files and the fvecs file goes (default: a fresh temporary directory, removed after)')
  .option('--out <dir>', 'where local-disk.json and local-disk.md go', path.join(REPO_ROOT, 'bench', 'results'))
  .parse()
  .opts<{ size: string; queries: string; dataDir?: string; workDir?: string; out: string }>();

const TOP_K = 10;
const COLLECTION = 'fashion';

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
  // the handlers' instances (worker threads) read their log level from the environment: one line per request would drown the report
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const data = loadFashionMnist({ dir: opts.dataDir, size: Number(opts.size), queries: Number(opts.queries) });
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

    const url = `${server.url}/projects/${project.projectId}/collections/${COLLECTION}/search`;
    const headers = { 'content-type': 'application/json', 'x-api-key': apiKey };
    const search = async (vector: Float32Array) => {
      const t = performance.now();
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: Array.from(vector), limit: TOP_K, include_vector: false }) });
      const text = await res.text();
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`search: ${res.status} ${text}`);
      const stats = JSON.parse(res.headers.get('x-whiplash-stats') ?? '{}') as { readUnits?: number; roundTrips?: number };
      return { ms, ids: (JSON.parse(text) as { id: string }[]).map((m) => Number(m.id)), readUnits: stats.readUnits ?? NaN, roundTrips: stats.roundTrips ?? NaN };
    };
    for (let w = 0; w < 5; w++) await search(row(data.base, w)); // warm the instances; not counted
    const results = [];
    for (let q = 0; q < data.queries.rows; q++) {
      const r = await search(row(data.queries, q));
      const recall = recallAgainst(gt, q, r.ids, TOP_K, (id) => distance(data.metric, row(data.queries, q), row(data.base, id)));
      results.push({ ...r, recall });
    }
    const ms = results.map((r) => r.ms);
    const du = execFileSync('du', ['-sb', dataDir], { encoding: 'utf8' }).split(/\s/)[0];
    const result = {
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
      queries: results.length,
      recall: mean(results.map((r) => r.recall)),
      readUnits: mean(results.map((r) => r.readUnits)),
      roundTrips: mean(results.map((r) => r.roundTrips)),
      latencyMs: { p50: percentile(ms, 50), p90: percentile(ms, 90), p99: percentile(ms, 99), max: Math.max(...ms) },
    };
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(path.join(opts.out, 'local-disk.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(path.join(opts.out, 'local-disk.md'), localDiskMarkdown(result));
    process.stdout.write(localDiskMarkdown(result));
  } finally {
    await server.stop();
    if (!opts.workDir) rmSync(work, { recursive: true, force: true });
  }
}

type LocalDiskResult = {
  measuredAt: string; commit: string; command: string; machine: ReturnType<typeof machine>; source: string; vectors: number; dim: number; metric: string;
  importDefaults: { batchSize: number; concurrency: number }; importSeconds: number; importVectorsPerSecond: number; diskBytes: number;
  queries: number; recall: number; readUnits: number; roundTrips: number; latencyMs: { p50: number; p90: number; p99: number; max: number };
};

function localDiskMarkdown(r: LocalDiskResult): string {
  const f = (x: number, d = 1) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  return [
    `## Local mode on disk: Fashion-MNIST ${r.vectors.toLocaleString('en-US')} through the HTTP API with default options`,
    '',
    '```sh',
    r.command,
    '```',
    '',
    `Measured ${r.measuredAt} at commit \`${r.commit}\`: the server of \`npm start\` (DynamoDB Local on disk, 2 instances per function), ` +
      `the CLI's \`whiplash import\` of an fvecs file with its defaults (${r.importDefaults.batchSize} vectors per request, ${r.importDefaults.concurrency} in flight), ` +
      `then ${r.queries} sequential top-${TOP_K} searches over HTTP with held-out queries. ${r.machine.cpus} cores (load average ${r.machine.loadAverage.join(' / ')} at the end), Node ${r.machine.node}. Data: \`${r.source}\`.`,
    '',
    '| step | result |',
    '| --- | --- |',
    `| import of ${r.vectors.toLocaleString('en-US')} x ${r.dim} (CLI process start included) | ${f(r.importSeconds)} s, ${f(r.importVectorsPerSecond)} vectors per second |`,
    `| DynamoDB Local's files after the import | ${f(r.diskBytes / 2 ** 20)} MiB (${f(r.diskBytes / r.vectors, 0)} bytes per vector) |`,
    `| search p50 / p90 / p99 / max | ${f(r.latencyMs.p50, 0)} / ${f(r.latencyMs.p90, 0)} / ${f(r.latencyMs.p99, 0)} / ${f(r.latencyMs.max, 0)} ms |`,
    `| recall@10, read units, round trips per query | ${f(r.recall, 3)}, ${f(r.readUnits)}, ${f(r.roundTrips, 2)} |`,
    '',
  ].join('\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
