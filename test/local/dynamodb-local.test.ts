// Tests that DynamoDB Local as local mode starts it is reachable from this machine only and answers no web page's CORS preflight.
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { DYNAMODB_LOCAL_CORS_ORIGIN, dynamoDBLocalCommand, hasJavaCompiler } from '../../lib/local/dynamodb-local';
import { DYNAMODB_LOCAL_ACCEPT_QUEUE } from '../../lib/local/dynamodb-local-command';
import { testEndpoint } from '../support/tables';

/**
 * DynamoDB Local checks no credentials: whoever reaches its port reads and writes every table
 * (key bindings included). The instance under test is the one `global-setup.ts` started with
 * `startDynamoDBLocal`, exactly as `npm start` does.
 */
const port = Number(new URL(testEndpoint()).port);

/** This machine's addresses other than loopback (IPv4 and IPv6). */
const outsideAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((a) => a !== undefined && !a.internal && !(a.family === 'IPv6' && a.address.startsWith('fe80:')))
  .map((a) => a!.address);

/** How a TCP connection to `host:port` ends: `connected`, or the socket error's code. */
function tryConnect(host: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe('DynamoDB Local as local mode starts it', () => {
  test('answers on 127.0.0.1', async () => {
    expect(await tryConnect('127.0.0.1')).toBe('connected');
  });

  const outside = hasJavaCompiler() && outsideAddresses.length > 0 ? test.each(outsideAddresses) : test.skip.each(['(no JDK or no address)']);
  outside('refuses connections on this machine\'s address %s', async (address) => {
    expect(await tryConnect(address)).not.toBe('connected');
  });

  /** The kernel's count of connections dropped because a listening socket's accept queue was full (Linux). */
  const listenDrops = (): number => {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const [names, values] = lines.map((l) => l.split(/\s+/));
    return Number(values[names.indexOf('ListenDrops')]);
  };
  const linuxWithJdk = hasJavaCompiler() && existsSync('/proc/net/netstat') ? test : test.skip;
  linuxWithJdk('queues a burst of connections larger than Java\'s default backlog of 50 without dropping any', async () => {
    // GIVEN the kernel's drop count; WHEN 300 connections open at once (a query's parallel reads, each on a new connection)
    const before = listenDrops();
    const sockets: Socket[] = [];
    await Promise.all(
      Array.from({ length: 300 }, () => new Promise<void>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port });
        sockets.push(s);
        s.once('connect', () => resolve());
        s.once('error', reject);
      })),
    );
    sockets.forEach((s) => s.destroy());
    // THEN none was dropped (a dropped SYN is sent again a second later: a whole second added to a query)
    expect(listenDrops() - before).toBe(0);
  });

  test('a web page of another origin gets no CORS permission (its preflight fails)', async () => {
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'OPTIONS',
          path: '/',
          headers: { Origin: 'http://attacker.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-amz-target' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(headers['access-control-allow-origin']).toBeUndefined();
  });

  test('the java command binds to 127.0.0.1 through the launcher and restricts CORS; without a JDK it falls back to the jar', () => {
    const bound = dynamoDBLocalCommand(8000, null, true);
    expect(bound.loopbackOnly).toBe(true);
    expect(bound.args).toEqual(expect.arrayContaining(['-Dwhiplash.host=127.0.0.1', `-Dwhiplash.acceptQueue=${DYNAMODB_LOCAL_ACCEPT_QUEUE}`, '-cors', DYNAMODB_LOCAL_CORS_ORIGIN, '-inMemory', '-sharedDb']));
    expect(bound.args.at(bound.args.indexOf('-cors') + 1)).toBe(DYNAMODB_LOCAL_CORS_ORIGIN);
    expect(bound.args.find((a) => /WhiplashLoopbackDynamoDBLocal(\.java)?$/.test(a))).toBeDefined();
    const open = dynamoDBLocalCommand(8000, '/tmp/db', false);
    expect(open.loopbackOnly).toBe(false);
    expect(open.args).toEqual(expect.arrayContaining(['-jar', '-dbPath', '/tmp/db', '-cors', DYNAMODB_LOCAL_CORS_ORIGIN]));
  });
});
