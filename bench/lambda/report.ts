// The result shape of `npm run bench:lambda` and its BENCHMARKS.md section.
import type { MachineInfo } from './machine';

/** Bundle and cold-start figures of one handler (one Lambda function role). Times in milliseconds, sizes in bytes. */
export interface RoleFigures {
  readonly role: string;
  /** The first request each fresh process served, e.g. `POST /projects/{projectId}/collections/{collectionId}/search`. */
  readonly firstRequest: string;
  readonly rawBytes: number;
  readonly gzipBytes: number;
  /** Fresh processes measured. */
  readonly runs: number;
  /** Median time from the process's time origin to the first line of the runner script (Node's own start-up). */
  readonly bootMs: number;
  /** Median `require` of the bundle: module initialization (Lambda's Init phase, minus the runtime's own start). */
  readonly initMs: number;
  readonly initMsMin: number;
  readonly initMsMax: number;
  /** Median first request: builds the DynamoDB client from the environment and answers it. */
  readonly firstMs: number;
  /** Median of boot + init + first request, per process. */
  readonly coldMs: number;
  /** Requests after the first, pooled over every process. */
  readonly warmP50Ms: number;
  readonly warmP95Ms: number;
  readonly warmRequests: number;
  /** Median wall time of a whole process (spawn to exit, with its warm requests), as the parent saw it. */
  readonly processMs: number;
}

/** What `npm run bench:lambda` writes to bench/results/lambda.json. */
export interface LambdaResult {
  readonly kind: 'lambda';
  readonly command: string;
  /** ISO 8601 */
  readonly date: string;
  readonly commit: string;
  readonly machine: MachineInfo;
  /** esbuild target of the bundles. */
  readonly bundleTarget: string;
  readonly fixture: { data: string; engine: string };
  readonly warmPerProcess: number;
  readonly roles: RoleFigures[];
}

const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** The BENCHMARKS.md section of a lambda result (kept in bench/results/lambda.md). */
export function lambdaMarkdown(r: LambdaResult): string {
  return [
    '## Lambda: bundle size and cold start (Node on this machine)',
    '',
    '```sh',
    r.command,
    '```',
    '',
    `Measured ${r.date} at commit \`${r.commit}\`, ${r.machine.cpus} cores (${r.machine.cpuModel}), Node ${r.machine.node}, load average ${r.machine.loadAverage.join(' / ')} over 1 / 5 / 15 min at the end. ` +
      `Each handler is bundled exactly as \`npm run bundle\` does for the construct (scripts/bundle-handlers.ts: esbuild, ${r.bundleTarget}, CommonJS, minified, AWS SDK v3 and Powertools inside). ` +
      `Each of ${r.roles[0]?.runs ?? 0} fresh \`node\` processes per handler loads the bundle with the environment the construct sets (table names, admin key id, Powertools at INFO, plus \`DYNAMODB_ENDPOINT\`), serves one first request against ${r.fixture.engine} holding ${r.fixture.data}, then ${r.warmPerProcess} warm requests.`,
    '',
    '| function | bundle | gzipped | Node start ms | module init ms (min-max) | first request ms | cold total ms | warm p50 ms | warm p95 ms | first request |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...r.roles.map(
      (f) =>
        `| ${f.role} | ${kib(f.rawBytes)} | ${kib(f.gzipBytes)} | ${ms(f.bootMs)} | ${ms(f.initMs)} (${ms(f.initMsMin)}-${ms(f.initMsMax)}) | ${ms(f.firstMs)} | ${ms(f.coldMs)} | ${ms(f.warmP50Ms)} | ${ms(f.warmP95Ms)} | \`${f.firstRequest}\` |`,
    ),
    '',
    '- Medians over the fresh processes; warm figures pool every later request of every process. Module init is the `require` of the bundle (what Lambda bills as Init after its own runtime start); the first request also builds the DynamoDB client from the environment (`lazy(depsFromEnv)`) and opens its first connection.',
    "- This is Node on this machine, not Lambda's Firecracker micro-VM: there is no AWS here. On Lambda add the sandbox and runtime start-up, and expect slower CPU-bound steps at the construct's 1024 MB (a fraction of a vCPU) and different network round trips to DynamoDB than to DynamoDB Local on 127.0.0.1.",
    '- Client, DynamoDB Local and the measured process share the cores: figures are relative.',
    '',
  ].join('\n');
}
