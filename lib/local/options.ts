// The command line of the local server, shared by `npm start` (bin/local.ts) and `whiplash local`
// (lib/cli/commands/local.ts): its options with their environment defaults, and its startup banner.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { int, positiveNumber } from '../cli/parse';
import { JOURNAL_MODES, JournalMode } from './sqlite-journal';
import { DEFAULT_LOCAL_USAGE_PLAN, UsagePlanSettings } from './usage-plan';

/** Instances per function by default (the local server's `DEFAULT_INSTANCES`; kept here so option parsing loads no handler code). */
const DEFAULT_INSTANCES = 2;

/** Options of `npm start` and `whiplash local`, as their command lines parse them. */
export interface LocalCommandOptions {
  readonly port: number;
  readonly host: string;
  /** `:memory:` keeps everything in memory, like `inMemory`. */
  readonly dataDir: string;
  readonly inMemory: boolean;
  readonly adminKey?: string;
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** Usage plan tiers (`--tiers`), replacing the one plan of `--rate-limit` / `--burst-limit`. */
  readonly tiers?: Readonly<Record<string, UsagePlanSettings>>;
  /** The tier of projects created without one (`--default-tier`). */
  readonly defaultTier?: string;
  /** Drop the gateway's per-request lines. */
  readonly quiet: boolean;
  /** Instances (worker threads) per function; 0 runs the handlers in process. */
  readonly instances: number;
  /** Run the handlers in this process on one store (`--instances 0`), for debugging. */
  readonly inProcess: boolean;
  /** The journal mode of DynamoDB Local's SQLite file on disk (`--sqlite-journal`). */
  readonly sqliteJournal: JournalMode;
}

/** Environment variables that give the options their defaults (flags override them). */
export const LOCAL_ENV = {
  port: 'PORT',
  host: 'HOST',
  dataDir: 'WHIPLASH_DATA_DIR',
  adminKey: 'WHIPLASH_ADMIN_KEY',
} as const;

/** Defaults when neither a flag nor the environment gives a value. */
export const LOCAL_DEFAULTS = { port: 3000, host: '127.0.0.1', dataDir: '.whiplash' } as const;

const port = int(0, 65535);

/**
 * Parses `--tiers`: a JSON object of tier names to plans,
 * `{"free":{"rateLimit":5,"burstLimit":10,"quota":{"limit":1000,"period":"DAY"}},"pro":{"rateLimit":500,"burstLimit":1000}}`.
 * @throws InvalidArgumentError naming what is wrong
 */
export function parseTiers(text: string): Record<string, UsagePlanSettings> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError('must be a JSON object of tier names to {rateLimit, burstLimit, quota?: {limit, period}}');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) {
    throw new InvalidArgumentError('must be a JSON object with at least one tier');
  }
  for (const [name, plan] of Object.entries(value as Record<string, Partial<UsagePlanSettings>>)) {
    const ok =
      typeof plan?.rateLimit === 'number' && plan.rateLimit > 0 &&
      Number.isInteger(plan.burstLimit) && (plan.burstLimit as number) >= 1 &&
      (plan.quota === undefined || (Number.isInteger(plan.quota.limit) && plan.quota.limit >= 1 && ['DAY', 'WEEK', 'MONTH'].includes(plan.quota.period)));
    if (!ok) throw new InvalidArgumentError(`tier ${name}: needs rateLimit > 0, an integer burstLimit >= 1 and optionally quota {limit: integer >= 1, period: DAY | WEEK | MONTH}`);
  }
  return value as Record<string, UsagePlanSettings>;
}

/**
 * Adds the local server's options to `cmd`: `--port`, `--host`, `--data-dir`, `--in-memory`,
 * `--admin-key`, `--rate-limit`, `--burst-limit`, `--tiers`, `--default-tier`, `--quiet`, `--instances` (default 2), `--in-process`
 * and `--sqlite-journal` (default `wal`), with defaults from `env` (PORT,
 * HOST, WHIPLASH_DATA_DIR, WHIPLASH_ADMIN_KEY). A PORT that is not a port is an error when the
 * command runs (in a `preAction` hook, so an action handler must be set) unless `--port` is given.
 *
 * @param env the environment the defaults come from
 * @param shortPort also accept `-p` for `--port` (`npm start`; in `whiplash`, `-p` is the global `--project`)
 * @returns `cmd`; its action receives {@link LocalCommandOptions}
 */
export function addLocalServerOptions(cmd: Command, env: Readonly<Record<string, string | undefined>> = process.env, { shortPort = false } = {}): Command {
  const envPort = env[LOCAL_ENV.port];
  let portDefault: number = LOCAL_DEFAULTS.port;
  let envPortError: string | undefined;
  if (envPort) {
    try {
      portDefault = port(envPort);
    } catch (err) {
      envPortError = `environment variable ${LOCAL_ENV.port} '${envPort}' is invalid: ${(err as Error).message}`;
    }
  }
  return cmd
    .option(`${shortPort ? '-p, ' : ''}--port <port>`, `TCP port (env ${LOCAL_ENV.port})`, port, portDefault)
    .option('--host <host>', `interface to listen on (env ${LOCAL_ENV.host})`, env[LOCAL_ENV.host] ?? LOCAL_DEFAULTS.host)
    .option('-d, --data-dir <dir>', `data directory (env ${LOCAL_ENV.dataDir})`, env[LOCAL_ENV.dataDir] ?? LOCAL_DEFAULTS.dataDir)
    .option('--in-memory', 'keep everything in memory (nothing survives a restart)', false)
    .option('--admin-key <key>', `admin API key (env ${LOCAL_ENV.adminKey})`, env[LOCAL_ENV.adminKey])
    .option('--rate-limit <rps>', 'usage plan throttle: steady requests per second per key', positiveNumber, DEFAULT_LOCAL_USAGE_PLAN.rateLimit)
    .option('--burst-limit <n>', 'usage plan throttle: burst per key', int(1), DEFAULT_LOCAL_USAGE_PLAN.burstLimit)
    .option('--tiers <json>', 'usage plan tiers, JSON {"<tier>": {"rateLimit", "burstLimit", "quota"?: {"limit", "period"}}} (instead of --rate-limit/--burst-limit)', parseTiers)
    .option('--default-tier <name>', 'tier of projects created without one (default: the first of --tiers)')
    .option('--quiet', 'do not log each request', false)
    .option('--instances <n>', 'isolated instances (worker threads) per function, as Lambda runs many; 0 = in process', int(0), DEFAULT_INSTANCES)
    .option('--in-process', 'run the three handlers in this process on one store (same as --instances 0; for debugging)', false)
    .addOption(
      new Option('--sqlite-journal <mode>', "DynamoDB Local's SQLite file on disk: wal (write-ahead log) or rollback (for a network file system)")
        .choices(JOURNAL_MODES)
        .default(JOURNAL_MODES[0]),
    )
    .hook('preAction', (self) => {
      if (envPortError && self.getOptionValueSource('port') === 'default') self.error(`error: ${envPortError}`, { code: 'whiplash.invalidEnv' });
    });
}

/** What the banner says about a running server. */
export interface BannerInfo {
  /** `http://<host>:<port>` */
  readonly url: string;
  readonly adminKey: string;
  readonly inMemory: boolean;
}

/** The text `npm start` and `whiplash local` print once the server runs: where it is, its admin key, how to try it. */
export function localBanner(server: BannerInfo, o: Pick<LocalCommandOptions, 'dataDir' | 'adminKey'>): string {
  const kept = server.inMemory || o.adminKey ? '' : `; kept in ${o.dataDir}/admin-key`;
  return `
Whiplash is running at ${server.url}
  admin API key: ${server.adminKey}   (send it as the x-api-key header${kept})
  API docs:      ${server.url}/docs
  OpenAPI:       ${server.url}/openapi.json

Try:
  curl -s -X POST ${server.url}/projects -H 'x-api-key: ${server.adminKey}' -d '{"name":"demo"}'
  export WHIPLASH_API_URL=${server.url} WHIPLASH_API_KEY=${server.adminKey}   # for the whiplash CLI

Press Ctrl-C to stop.
`;
}
