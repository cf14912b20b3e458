// `npx tsx bench/explore/query-profile.ts`: where a search's CPU goes in this process, from a V8 CPU profile of
// WhiplashStore.query on DynamoDB Local (in memory), with the store's client or, for comparison, a plain SDK client.
/**
 * Loads the benchmarks' fixture (`bench/lambda/fixture.ts`: DynamoDB Local in memory, `--size`
 * base vectors upserted through `WhiplashStore` in batches of 500), runs
 * `--warm` queries (the planner calibrates; connections open), then profiles the next
 * `--queries` sequential top-10 searches with the inspector's sampling profiler. Prints the
 * process's CPU per search (samples that are not idle), the p50 latency, and the functions with
 * the most self time. `--plain-client`: a `DynamoDBClient` as the SDK builds it, with its logger
 * middleware (`storeClient` leaves it out). Client and DynamoDB Local share the cores: compare
 * runs made one after the other on the same machine.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Command, Option } from 'commander';
import { row } from '../datasets';
import { FIXTURE_COLLECTION, FIXTURE_PROJECT, FixtureOptions, startFixture } from '../lambda/fixture';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Milliseconds of self time per function (name, file, line) in a V8 CPU profile. */
function selfTimes(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    out.set(key, (out.get(key) ?? 0) + profile.timeDeltas[i] / 1000);
  });
  return out;
}

async function main(): Promise<void> {
  const o = new Command()
    .description("CPU profile of WhiplashStore.query on DynamoDB Local (in memory)")
    .addOption(new Option('--dataset <name>', 'data set (minilm holds 100 queries)').choices(['fashion-mnist', 'minilm']).default('fashion-mnist'))
    .option('--size <n>', 'base vectors loaded (fashion-mnist)', Number, 20000)
    .option('--warm <n>', 'searches before the profile', Number, 100)
    .option('--queries <n>', 'searches profiled', Number, 200)
    .option('--top <n>', 'functions listed', Number, 15)
    .option('--plain-client', "a DynamoDBClient as the SDK builds it (with its logger middleware) instead of storeClient's")
    .option('--out <file>', 'also write the .cpuprofile (Chrome DevTools, speedscope)')
    .parse()
    .opts<{ dataset: FixtureOptions['dataset']; size: number; warm: number; queries: number; top: number; plainClient?: boolean; out?: string }>();
  const fx = await startFixture({ dataset: o.dataset, size: o.size, queries: o.warm + o.queries, plainClient: o.plainClient });
  try {
    const ds = fx.data;
    if (ds.queries.rows < o.warm + o.queries) throw new Error(`${ds.name} holds ${ds.queries.rows} queries: --warm plus --queries must not exceed it`);
    const search = (q: number) => fx.store.query(FIXTURE_PROJECT, FIXTURE_COLLECTION, { vector: row(ds.queries, q), topK: 10 });
    for (let q = 0; q < o.warm; q++) await search(q);

    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const ms: number[] = [];
    for (let q = o.warm; q < o.warm + o.queries; q++) {
      const t = performance.now();
      await search(q);
      ms.push(performance.now() - t);
    }
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    session.disconnect();
    if (o.out) writeFileSync(o.out, JSON.stringify(profile));

    const times = selfTimes(profile);
    const idle = times.get('(idle) :0') ?? 0;
    const busy = [...times.values()].reduce((s, t) => s + t, 0) - idle;
    ms.sort((a, b) => a - b);
    console.log(`${ds.name}, ${ds.base.rows} vectors, ${o.queries} searches, ${o.plainClient ? 'plain SDK client' : 'storeClient'}: CPU ${(busy / o.queries).toFixed(1)} ms per search (this process), p50 ${ms[Math.floor(ms.length / 2)].toFixed(1)} ms`);
    console.log('| self ms per search | function |\n|---:|---|');
    for (const [fn, t] of [...times].filter(([k]) => k !== '(idle) :0').sort((a, b) => b[1] - a[1]).slice(0, o.top)) {
      console.log(`| ${(t / o.queries).toFixed(2)} | \`${fn}\` |`);
    }
  } finally {
    await fx.stop();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
