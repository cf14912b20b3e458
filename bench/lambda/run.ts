// `npm run bench:lambda`: handler bundle sizes and cold starts of the bundled handlers.
/**
 * `npm run bench:lambda`: size of each handler bundle as the construct ships it, and the cold start
 * of the bundled handler in a fresh `node` process against DynamoDB Local (module init, first request,
 * warm requests). Writes bench/results/lambda.json and lambda.md.
 *
 * Node on this machine, not Lambda's Firecracker micro-VM: no AWS here. Lambda adds its own sandbox
 * and runtime start-up, and on 1024 MB a function gets a fraction of a vCPU.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { FunctionRole } from '../../lambda/api/routes';
import { REPO_ROOT } from '../datasets/fashion-mnist';
import { row } from '../datasets/types';
import { percentile } from '../recall';
import { measureBundles } from './bundle-size';
import { coldStartOnce, ColdStartRun } from './cold-start';
import { benchEnvironment, proxyEvent, RequestSpec } from './events';
import { FIXTURE_COLLECTION, FIXTURE_PROJECT, startFixture } from './fixture';
import { gitCommit, machine } from './machine';
import { lambdaMarkdown, LambdaResult, RoleFigures } from './report';

const opts = new Command()
  .description('Lambda bundle sizes and cold start of the bundled handlers (Node on this machine, against DynamoDB Local)')
  .option('--runs <n>', 'fresh node processes per handler', '10')
  .option('--warm <n>', 'warm requests per process after the first', '20')
  .option('--out <dir>', 'where lambda.json and lambda.md go', path.join(REPO_ROOT, 'bench', 'results'))
  .parse()
  .opts<{ runs: string; warm: string; out: string }>();

const COLLECTION = { projectId: FIXTURE_PROJECT, collectionId: FIXTURE_COLLECTION };

async function main(): Promise<void> {
  // The code under measurement is what was loaded at start: name the commit now, not after a run others may commit during.
  const commit = gitCommit();
  const runs = Number(opts.runs);
  const warm = Number(opts.warm);
  const bundleDir = path.join(REPO_ROOT, 'bench', '.cache', 'lambda-bundles');
  const { target, bundles } = measureBundles(bundleDir);
  for (const b of bundles) process.stdout.write(`${b.role}: ${b.rawBytes} bytes, ${b.gzipBytes} gzipped\n`);

  const fx = await startFixture({ dataset: 'minilm' });
  try {
    process.stdout.write(`DynamoDB Local on ${fx.ddb.endpoint}; ${fx.data.base.rows} MiniLM vectors loaded in ${fx.loadSeconds.toFixed(1)} s\n`);
    const env = benchEnvironment(fx.tables, fx.ddb.endpoint);
    const q = fx.data.queries;
    const requests: Record<FunctionRole, RequestSpec[]> = {
      query: Array.from({ length: q.rows }, (_, i) => ({
        method: 'POST',
        resource: '/projects/{projectId}/collections/{collectionId}/search',
        params: COLLECTION,
        body: { query: Array.from(row(q, i)), limit: 10, include_vector: false },
      })),
      write: Array.from({ length: 50 }, (_, i) => ({
        method: 'POST',
        resource: '/projects/{projectId}/collections/{collectionId}/items',
        params: COLLECTION,
        body: { id: `cold-${i}`, vector: Array.from(row(fx.data.base, i)) },
      })),
      admin: [
        { method: 'GET', resource: '/projects' },
        { method: 'GET', resource: '/projects/{projectId}', params: { projectId: FIXTURE_PROJECT } },
      ],
    };
    const figures: RoleFigures[] = [];
    for (const b of bundles) {
      const role = b.role as FunctionRole;
      const all: ColdStartRun[] = [];
      for (let r = 0; r < runs; r++) {
        // A different first request each run (queries: query r), the same request kinds throughout.
        const specs = requests[role];
        const rotated = [...specs.slice(r % specs.length), ...specs.slice(0, r % specs.length)];
        const events: APIGatewayProxyEvent[] = rotated.map((s, i) => proxyEvent(s, `bench-${role}-${r}-${i}`));
        const run = await coldStartOnce(b.file, env, events, warm);
        const bad = run.statuses.filter((s) => s >= 300);
        if (bad.length > 0) throw new Error(`${role}: answers ${bad.join(', ')}; first body ${run.firstBody}`);
        all.push(run);
      }
      const med = (f: (r: ColdStartRun) => number) => percentile(all.map(f), 50);
      const warmAll = all.flatMap((r) => r.warmMs);
      figures.push({
        role,
        firstRequest: `${requests[role][0].method} ${requests[role][0].resource}`,
        rawBytes: b.rawBytes,
        gzipBytes: b.gzipBytes,
        runs: all.length,
        bootMs: med((r) => r.bootMs),
        initMs: med((r) => r.initMs),
        initMsMin: Math.min(...all.map((r) => r.initMs)),
        initMsMax: Math.max(...all.map((r) => r.initMs)),
        firstMs: med((r) => r.firstMs),
        coldMs: med((r) => r.bootMs + r.initMs + r.firstMs),
        warmP50Ms: percentile(warmAll, 50),
        warmP95Ms: percentile(warmAll, 95),
        warmRequests: warmAll.length,
        processMs: med((r) => r.processMs),
      });
      const f = figures[figures.length - 1];
      process.stdout.write(`${role}: boot ${f.bootMs.toFixed(1)} ms, init ${f.initMs.toFixed(1)} ms, first request ${f.firstMs.toFixed(1)} ms, warm p50 ${f.warmP50Ms.toFixed(1)} ms\n`);
    }
    const result: LambdaResult = {
      kind: 'lambda',
      command: `npm run bench:lambda -- --runs ${runs} --warm ${warm}`,
      date: new Date().toISOString(),
      commit,
      machine: machine(),
      bundleTarget: target,
      fixture: { data: `minilm: ${fx.data.base.rows} x ${fx.data.dim} (${path.relative(REPO_ROOT, fx.data.source)})`, engine: `DynamoDB Local (${fx.ddb.engine}, in memory)` },
      warmPerProcess: warm,
      roles: figures,
    };
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(path.join(opts.out, 'lambda.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(path.join(opts.out, 'lambda.md'), lambdaMarkdown(result));
    process.stdout.write(`wrote ${path.join(opts.out, 'lambda.json')} and lambda.md\n`);
  } finally {
    await fx.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
