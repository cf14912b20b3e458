// A fault-injecting HTTP proxy in front of DynamoDB Local (throttling, 5xx, dropped connections, delays, hangs) for the
// reliability tests.
import { createServer, request as httpRequest, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does with one DynamoDB request. */
export type Fault =
  | { kind: 'pass' }
  /** HTTP 400 ProvisionedThroughputExceededException, as DynamoDB throttles (request not forwarded). */
  | { kind: 'throttle' }
  /** HTTP 500 InternalServerError or 503 ServiceUnavailable (request not forwarded). */
  | { kind: 'server-error'; status: 500 | 503 }
  /** Close the connection before forwarding: DynamoDB never sees the request. */
  | { kind: 'drop-before' }
  /** Forward, let DynamoDB apply it, then close the connection instead of answering. */
  | { kind: 'drop-after' }
  /** Forward after `ms` milliseconds. */
  | { kind: 'delay'; ms: number }
  /** Forward once `until` settles: a test orders another request before this one. */
  | { kind: 'hold'; until: Promise<unknown> }
  /** Never answer (the connection stays open until the proxy closes). */
  | { kind: 'hang' };

/** Counts of what the proxy did, by fault kind, and the DynamoDB operations it saw. */
export interface ProxyStats {
  readonly faults: Record<Fault['kind'], number>;
  readonly operations: Map<string, number>;
}

/** A fault-injecting HTTP proxy in front of DynamoDB Local. */
export interface DdbFaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the DynamoDBClient as its endpoint. */
  readonly endpoint: string;
  readonly stats: ProxyStats;
  /** Replaces the fault policy (e.g. `() => ({ kind: 'pass' })` to stop injecting). */
  setPolicy(policy: FaultPolicy): void;
  close(): Promise<void>;
}

/** Chooses the fault of one request from its DynamoDB operation (the `X-Amz-Target` suffix, e.g. `BatchWriteItem`). */
export type FaultPolicy = (operation: string) => Fault;

const DDB = 'com.amazonaws.dynamodb.v20120810#';

/** A seeded xorshift32 in [0, 1): faults reproduce from the seed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/**
 * A policy that injects each fault kind with its probability (seeded), and passes the rest.
 * @param rates probability per kind, e.g. `{ throttle: 0.1, 'drop-after': 0.05 }`; their sum must be <= 1
 */
export function randomFaults(seed: number, rates: Partial<Record<Exclude<Fault['kind'], 'pass' | 'hold'>, number>>, delayMs = 200): FaultPolicy {
  const rnd = seededRandom(seed);
  return () => {
    let x = rnd();
    for (const [kind, p] of Object.entries(rates) as [Exclude<Fault['kind'], 'pass' | 'hold'>, number][]) {
      if (x < p) {
        if (kind === 'server-error') return { kind, status: rnd() < 0.5 ? 500 : 503 };
        if (kind === 'delay') return { kind, ms: delayMs };
        return { kind } as Fault;
      }
      x -= p;
    }
    return { kind: 'pass' };
  };
}

function answer(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: `${DDB}${type}`, message });
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': 'fault-proxy' });
  res.end(body);
}

/**
 * Starts a real HTTP proxy on 127.0.0.1 that forwards DynamoDB's JSON protocol to `target`
 * and injects the faults `policy` chooses: throttling (400 ProvisionedThroughputExceededException),
 * 500/503, connections dropped before or after DynamoDB applied the request, delays and holds.
 */
export async function startDdbFaultProxy(target: string, policy: FaultPolicy): Promise<DdbFaultProxy> {
  const upstream = new URL(target);
  let current = policy;
  const stats: ProxyStats = {
    faults: { pass: 0, throttle: 0, 'server-error': 0, 'drop-before': 0, 'drop-after': 0, delay: 0, hold: 0, hang: 0 },
    operations: new Map(),
  };
  const sockets = new Set<Socket>();
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    stats.operations.set(operation, (stats.operations.get(operation) ?? 0) + 1);
    const fault = current(operation);
    stats.faults[fault.kind]++;
    if (fault.kind === 'throttle') return answer(res, 400, 'ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.');
    if (fault.kind === 'server-error') return answer(res, fault.status, fault.status === 500 ? 'InternalServerError' : 'ServiceUnavailableException', 'injected by the fault proxy');
    if (fault.kind === 'hang') return;
    if (fault.kind === 'drop-before') {
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault.kind === 'hold') await fault.until.catch(() => undefined);
    const headers = { ...req.headers, host: upstream.host };
    const fwd = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (up) => {
      const parts: Buffer[] = [];
      up.on('data', (c: Buffer) => parts.push(c));
      up.on('end', () => {
        if (fault.kind === 'drop-after') {
          req.socket.destroy();
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        res.end(Buffer.concat(parts));
      });
      up.on('error', () => req.socket.destroy());
    });
    fwd.on('error', () => req.socket.destroy()); // DynamoDB Local is down: the client sees a dropped connection
    fwd.end(body);
  });
  // Never close an idle keep-alive connection: Node's default (5 s) races a client reusing it, whose
  // next request then fails with ECONNRESET, a fault no policy injected (seen under load).
  server.keepAliveTimeout = 0;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    setPolicy: (p) => {
      current = p;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
