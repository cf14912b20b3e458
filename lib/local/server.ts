// The whole store on one machine: DynamoDB Local (or dynalite), the tables, and the local gateway in front of the
// handlers, which run as several isolated instances per function (worker threads) unless asked to run in process.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { DYNAMODB_REQUEST_HANDLER, type ApiDeps } from '../../lambda/api/deps';
import type { CorsPolicy } from '../../lambda/api/cors';
import type { ApiHandler } from '../../lambda/api/dispatch';
import { createAdminHandler } from '../../lambda/api/handlers/admin';
import { createQueryHandler } from '../../lambda/api/handlers/query';
import { createWriteHandler } from '../../lambda/api/handlers/write';
import type { FunctionRole } from '../../lambda/api/routes';
import { ensureTables } from '../../lambda/store/local-tables';
import { prefixedTableNames } from '../../lambda/store/table-definitions';
import { WhiplashStore } from '../../lambda/store/store';
import { storeClient } from '../../lambda/store/store-client';
import { DynamoDBLocalHandle, hasJava, LOCAL_CLIENT_CONFIG, startDynamoDBLocal } from './dynamodb-local';
import { createGatewayListener } from './gateway';
import { InstancePool } from './instance-pool';
import { INTEGRATION_TIMEOUT_MS, InvocationTimeoutError } from './lambda-limits';
import { LocalKeyIssuer, localKeyId } from './local-keys';
import type { LocalCommandOptions } from './options';
import type { JournalMode } from './sqlite-journal';
import { TIER_NAME_PATTERN } from '../../lambda/core/limits';
import { DEFAULT_LOCAL_USAGE_PLAN, UsagePlanEnforcer, UsagePlanSettings } from './usage-plan';

export { DEFAULT_LOCAL_USAGE_PLAN } from './usage-plan';

/** Options of {@link startLocalServer}. */
export interface LocalServerOptions {
  /** TCP port; 0 picks a free one. @default 3000 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Directory for DynamoDB Local's files and the admin key; `null` keeps everything in memory. @default '.whiplash' */
  dataDir?: string | null;
  /** The admin API key. @default the key kept in `<dataDir>/admin-key` (generated on first start), or a fresh one in memory mode */
  adminKey?: string;
  /** Use this already-running DynamoDB endpoint (tests) instead of starting DynamoDB Local. */
  ddbEndpoint?: string;
  /** Prefix of the three table names. @default 'whiplash-' */
  tablePrefix?: string;
  /**
   * The usage plan every key is subject to, as API Gateway enforces it: the plan of the one tier,
   * `default`, when `tiers` is not given (not allowed with `tiers`).
   * @default { rateLimit: 1000, burstLimit: 2000 } and no quota
   */
  usagePlan?: { rateLimit: number; burstLimit: number; quota?: { limit: number; period: 'DAY' | 'WEEK' | 'MONTH' } };
  /**
   * Usage plan tiers, as the construct's `usagePlans`: a plan per tier name
   * (`^[A-Za-z0-9_-]{1,64}$`). A project is created on a tier (`POST /projects` with `tier`) and
   * moved by `PUT /projects/{projectId}/tier`; the gateway throttles and meters each project key
   * by its project's tier's plan. The admin key has a plan of its own: the default tier's
   * throttle, no quota (the construct's `adminThrottle`).
   * @default one tier, `default`, with `usagePlan`
   */
  tiers?: Readonly<Record<string, UsagePlanSettings>>;
  /**
   * The tier of projects created without one, as the construct's `defaultUsagePlan`.
   * @default the first of `tiers`
   */
  defaultTier?: string;
  /**
   * The journal mode of DynamoDB Local's SQLite file under `dataDir` (`startDynamoDBLocal`'s `journal`).
   * @default 'wal'
   */
  sqliteJournal?: JournalMode;
  /** Receives progress and one line per request. @default no output */
  log?: (line: string) => void;
  /** How often the purge of deleted collections runs (the EventBridge schedule on AWS), in ms; 0 disables it. @default 60000 */
  purgeIntervalMs?: number;
  /**
   * Instances of each function (query, write, admin), as on AWS where many run at once: each is a
   * worker thread with its own memory, DynamoDB client, store and caches, and each request goes
   * to one of them at random (`instance-pool.ts`). `0` runs the three handlers in this process on
   * one shared store (for debugging: breakpoints, one cache).
   * @default 2
   */
  instances?: number;
  /**
   * API Gateway's integration timeout, in ms: a request whose function has not answered by then
   * gets 504 `{"message":"Endpoint request timed out"}`, and its instance is terminated and
   * replaced (in process, the handler is left to finish). Tests set it short.
   * @default 29000
   */
  timeoutMs?: number;
  /**
   * Which web origins may read the answers, as the construct's `cors` prop: the gateway answers
   * preflights and puts the CORS headers on every answer (`gateway.ts`).
   * @default no CORS
   */
  cors?: CorsPolicy;
}

/** Instances per function when {@link LocalServerOptions.instances} is not given. */
export const DEFAULT_INSTANCES = 2;

const ROLES: readonly FunctionRole[] = ['admin', 'query', 'write'];

/** `handler` with a time limit: past `timeoutMs` the call rejects with `InvocationTimeoutError` (the handler keeps running). */
function withTimeLimit(handler: ApiHandler, timeoutMs: number): ApiHandler {
  return (event, context) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new InvocationTimeoutError(timeoutMs)), timeoutMs);
      handler(event, context).then(
        (r) => (clearTimeout(timer), resolve(r)),
        (e: unknown) => (clearTimeout(timer), reject(e)),
      );
    });
}

/** A running local server. */
export interface LocalServer {
  /** `http://<host>:<port>` */
  readonly url: string;
  /** The admin API key (send it as `x-api-key`). */
  readonly adminKey: string;
  /** Stops the HTTP server, the purge timer, the functions' instances (worker threads) and the DynamoDB Local it started. Safe to call twice. */
  stop(): Promise<void>;
}

/** What dynalite lacks compared with DynamoDB Local (said when falling back to it). */
export const DYNALITE_CAVEAT =
  'dynalite has no transactions, no TTL and no PartiQL, and ignores indexes in consumed capacity';

function adminKeyFor(opts: LocalServerOptions, dataDir: string | null): string {
  if (opts.adminKey) return opts.adminKey;
  const fresh = (): string => `wl-admin-${randomBytes(24).toString('base64url')}`;
  if (!dataDir) return fresh();
  const file = path.join(dataDir, 'admin-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = fresh();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** Where DynamoDB Local (the jar) keeps its files under the server's data directory. */
export const dynamoDBDataDir = (dataDir: string) => path.join(dataDir, 'dynamodb');

/**
 * Starts the whole store on one machine: DynamoDB Local (files under `dataDir`, or in memory;
 * dynalite when no Java runtime is found), the three tables (from the same definitions the
 * construct uses), and the local API gateway in front of the same three Lambda handlers, each
 * function as `instances` isolated instances (worker threads) within Lambda's limits (6 MB
 * payloads, the integration timeout `timeoutMs`).
 *
 * @throws Error when DynamoDB Local does not start or the port is taken (nothing is left running).
 */
export async function startLocalServer(opts: LocalServerOptions = {}): Promise<LocalServer> {
  const log = opts.log ?? (() => undefined);
  const dataDir = opts.dataDir === null ? null : path.resolve(opts.dataDir ?? '.whiplash');
  let ddb: DynamoDBLocalHandle | undefined;
  let endpoint = opts.ddbEndpoint;
  if (!endpoint) {
    const java = hasJava();
    if (!java) log(`No Java runtime found (java -version failed): falling back to dynalite; ${DYNALITE_CAVEAT}. Install Java 17+ (apt-get install -y openjdk-17-jre-headless) for the official DynamoDB Local.`);
    ddb = await startDynamoDBLocal({
      engine: java ? 'java' : 'dynalite',
      dataDir: dataDir ? (java ? dynamoDBDataDir(dataDir) : dataDir) : undefined,
      journal: opts.sqliteJournal,
    });
    endpoint = ddb.endpoint;
    log(`DynamoDB Local (${ddb.engine}) on ${endpoint}, ${dataDir ? `data in ${dataDir}` : 'in memory'}`);
  }
  // A time limit per DynamoDB request: a database that stops answering ends in 503 after the
  // SDK's retries, not in a request that hangs (on AWS, Lambda's timeout bounds it instead).
  const client = storeClient({ ...LOCAL_CLIENT_CONFIG, endpoint, requestHandler: DYNAMODB_REQUEST_HANDLER });
  let server: Server | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const pools: InstancePool[] = [];
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (timer) clearInterval(timer);
    if (server) {
      const s = server;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    }
    await Promise.all(pools.map((p) => p.stop()));
    client.destroy();
    await ddb?.stop();
  };
  try {
    const tables = prefixedTableNames(opts.tablePrefix ?? 'whiplash-');
    const adminKey = adminKeyFor(opts, dataDir);
    const adminKeyId = localKeyId(adminKey);
    const instances = opts.instances ?? DEFAULT_INSTANCES;
    if (!Number.isInteger(instances) || instances < 0) throw new Error(`instances must be a whole number >= 0 (got ${instances})`);
    const timeoutMs = opts.timeoutMs ?? INTEGRATION_TIMEOUT_MS;
    const usagePlans = localUsagePlans(opts);
    const tiers = { names: Object.keys(usagePlans.tiers), defaultTier: usagePlans.defaultTier };
    // The store of the gateway itself (which keys are bound to projects: API Gateway's own state).
    const store = new WhiplashStore({ client, tables });
    let handlers: Record<FunctionRole, ApiHandler>;
    let purge: () => Promise<unknown>;
    if (instances === 0) {
      const deps: ApiDeps = { store, adminKeyId, keyIssuer: new LocalKeyIssuer(tiers) };
      const admin = createAdminHandler(deps);
      handlers = {
        admin: withTimeLimit(admin, timeoutMs),
        query: withTimeLimit(createQueryHandler(deps), timeoutMs),
        write: withTimeLimit(createWriteHandler(deps), timeoutMs),
      };
      purge = () => admin({ source: 'aws.events' });
      await ensureTables(client, tables);
    } else {
      // Instances start (in parallel, each its cold start) while the tables are made.
      for (const role of ROLES) pools.push(new InstancePool({ role, size: instances, timeoutMs, endpoint, tables, adminKeyId, tiers, log }));
      await Promise.all([ensureTables(client, tables), ...pools.map((p) => p.ready())]);
      const [admin, query, write] = pools;
      handlers = { admin: (e) => admin.invoke(e), query: (e) => query.invoke(e), write: (e) => write.invoke(e) };
      purge = () => admin.invoke({ source: 'aws.events' });
      log(`${instances} instances per function (admin, query, write), each a worker thread`);
    }
    let url = '';
    // with tiers, the admin key has a plan of its own (the default tier's throttle, no quota), as on AWS
    const defaultPlan = usagePlans.tiers[usagePlans.defaultTier];
    const usagePlan = new UsagePlanEnforcer(
      opts.tiers ? { ...usagePlans, admin: { keyId: adminKeyId, plan: { rateLimit: defaultPlan.rateLimit, burstLimit: defaultPlan.burstLimit } } } : usagePlans,
    );
    const listener = createGatewayListener({
      handlers,
      adminKeyId,
      // As API Gateway knows each key's usage plan: a known key is put on its project's tier's plan.
      isKnownKey: async (id) => {
        const binding = await store.findApiKey(id);
        if (!binding) return false;
        const project = await store.getProject(binding.projectId).catch(() => undefined);
        usagePlan.assign(id, project?.tier);
        return true;
      },
      usagePlan,
      url: () => url,
      log: opts.log,
      cors: opts.cors,
    });
    const srv = createServer(listener);
    server = srv;
    const host = opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      srv.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new Error(`port ${opts.port ?? 3000} on ${host} is in use: set PORT to another port`) : err),
      );
      srv.listen(opts.port ?? 3000, host, () => resolve());
    });
    const { port } = srv.address() as AddressInfo;
    url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const purgeEvery = opts.purgeIntervalMs ?? 60_000;
    if (purgeEvery > 0) {
      timer = setInterval(() => {
        purge().catch((err) => log(`purge failed: ${String(err)}`));
      }, purgeEvery);
      timer.unref();
    }
    return { url, adminKey, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The tiers' plans from the options: `tiers` (each name a tier name), else one tier `default`.
 * @throws Error naming the option when a tier name is malformed, `usagePlan` comes with `tiers`,
 *   or `defaultTier` names no tier.
 */
function localUsagePlans(opts: LocalServerOptions): { tiers: Readonly<Record<string, UsagePlanSettings>>; defaultTier: string } {
  if (!opts.tiers) {
    if (opts.defaultTier !== undefined && opts.defaultTier !== 'default') throw new Error(`defaultTier must name one of tiers (default); got '${opts.defaultTier}'`);
    return { tiers: { default: opts.usagePlan ?? DEFAULT_LOCAL_USAGE_PLAN }, defaultTier: 'default' };
  }
  if (opts.usagePlan) throw new Error('usagePlan and tiers cannot both be given: with tiers, each tier has its plan');
  const names = Object.keys(opts.tiers);
  if (names.length === 0) throw new Error('tiers must hold at least one tier');
  const bad = names.find((n) => !new RegExp(TIER_NAME_PATTERN).test(n));
  if (bad !== undefined) throw new Error(`tiers: tier name '${bad}' must match ${TIER_NAME_PATTERN}`);
  const defaultTier = opts.defaultTier ?? names[0];
  if (!names.includes(defaultTier)) throw new Error(`defaultTier must name one of tiers (${names.join(', ')}); got '${defaultTier}'`);
  return { tiers: opts.tiers, defaultTier };
}

const REQUEST_LINE = /^(GET|POST|DELETE|PUT|PATCH|HEAD|OPTIONS) /;

/**
 * Starts the local server for a command line (`npm start`, `whiplash local`): handler logs at
 * WARN unless POWERTOOLS_LOG_LEVEL says otherwise (on one machine the gateway's request lines
 * suffice), and every other line to `log`.
 */
export async function startLocalServerForCommand(
  o: LocalCommandOptions,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LocalServer & { readonly inMemory: boolean }> {
  const { logger } = await import('../../lambda/api/logger');
  logger.setLogLevel((env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) ?? 'WARN');
  const inMemory = o.inMemory || o.dataDir === ':memory:';
  const server = await startLocalServer({
    port: o.port,
    host: o.host,
    dataDir: inMemory ? null : o.dataDir,
    adminKey: o.adminKey,
    ...(o.tiers ? { tiers: o.tiers, defaultTier: o.defaultTier } : { usagePlan: { rateLimit: o.rateLimit, burstLimit: o.burstLimit } }),
    instances: o.inProcess ? 0 : o.instances,
    sqliteJournal: o.sqliteJournal,
    log: (line) => {
      if (!o.quiet || !REQUEST_LINE.test(line)) log(line);
    },
  });
  return { url: server.url, adminKey: server.adminKey, stop: () => server.stop(), inMemory };
}
