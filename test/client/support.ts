// Helpers of the client and CLI tests: the real Fiori docs embeddings, a local test server, project clients,
// exact top-k and a fault-injecting proxy.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { logger } from '../../lambda/api/logger';
import { startLocalServer } from '../../lib/local/server';
import { WhiplashClient } from '../../lib/client';

const DATA = join(__dirname, '../../node_modules/@sap-ux/fiori-docs-embeddings/data/embeddings');

/** One real sentence embedding (all-MiniLM-L6-v2, 384-d, unit norm) of an SAP Fiori docs chunk. */
export interface Doc {
  readonly id: string;
  readonly vector: number[];
  readonly metadata: { category: string; wordCount: number };
}

let cache: Doc[] | undefined;

/** The 778 real embeddings of @sap-ux/fiori-docs-embeddings, with their record ids and two metadata fields. */
export function loadDocs(): Doc[] {
  if (cache) return cache;
  const bin = readFileSync(join(DATA, 'embeddings.bin'));
  const records = readFileSync(join(DATA, 'records.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { id: string; category: string; wordCount: number });
  const dim = 384;
  if (bin.length !== records.length * dim * 4) throw new Error(`embeddings.bin has ${bin.length} bytes for ${records.length} records`);
  cache = records.map((r, i) => {
    const vector = new Array<number>(dim);
    for (let j = 0; j < dim; j++) vector[j] = bin.readFloatLE((i * dim + j) * 4);
    return { id: r.id, vector, metadata: { category: r.category, wordCount: r.wordCount } };
  });
  return cache;
}

/** A local Whiplash server on a free port over the test run's DynamoDB Local, with its own tables. */
export async function startTestServer(): Promise<{ url: string; adminKey: string; stop(): Promise<void> }> {
  const endpoint = process.env.WHIPLASH_TEST_DDB_ENDPOINT;
  if (!endpoint) throw new Error('WHIPLASH_TEST_DDB_ENDPOINT is not set: run the tests with jest (global setup)');
  logger.setLogLevel('WARN'); // the handlers log one INFO line per request
  return startLocalServer({ port: 0, dataDir: null, ddbEndpoint: endpoint, tablePrefix: `c${randomUUID().slice(0, 8)}-`, purgeIntervalMs: 0 });
}

/** Creates a project with the admin key and returns a client holding the project's own key. */
export async function projectClient(url: string, adminKey: string, projectId = `p${randomUUID().slice(0, 8)}`): Promise<{ projectId: string; apiKey: string; client: WhiplashClient }> {
  const admin = new WhiplashClient({ apiUrl: url, apiKey: adminKey });
  const { apiKey } = await admin.createProject({ name: projectId });
  return { projectId, apiKey, client: new WhiplashClient({ apiUrl: url, apiKey }) };
}

/** Exact top-k by cosine over `docs` (the ground truth for recall). */
export function exactTopK(docs: readonly Doc[], query: readonly number[], k: number): string[] {
  const scored = docs.map((d) => {
    let dot = 0;
    for (let j = 0; j < query.length; j++) dot += d.vector[j] * query[j];
    return { id: d.id, dot };
  });
  scored.sort((a, b) => b.dot - a.dot);
  return scored.slice(0, k).map((s) => s.id);
}

/**
 * A real HTTP server in front of `target` that answers the first `failures` matching requests
 * itself (e.g. 429 or 503), then forwards the rest. Counts the requests it saw per path.
 */
export interface FaultProxy {
  readonly url: string;
  /** Requests seen, by `METHOD path` (without query string). */
  readonly seen: Map<string, number>;
  /** Requests forwarded and answered upstream whose answer was withheld (`'swallow'`). */
  readonly swallowed: number;
  close(): Promise<void>;
}

export async function startFaultProxy(
  target: string,
  fault: (req: IncomingMessage, n: number) => { status: number; headers?: Record<string, string>; body?: string } | 'hang' | 'swallow' | undefined,
): Promise<FaultProxy> {
  const seen = new Map<string, number>();
  let swallowed = 0;
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    const key = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const f = fault(req, n);
    if (f === 'hang') {
      hanging.add(res);
      return;
    }
    if (f && f !== 'swallow') {
      res.writeHead(f.status, { 'content-type': 'application/json', ...(f.headers ?? {}) });
      res.end(f.body ?? JSON.stringify({ message: f.status === 429 ? 'Too Many Requests' : 'Service Unavailable' }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    const upstream = await fetch(target + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection' && k !== 'keep-alive') out[k] = v;
    });
    const answer = Buffer.from(await upstream.arrayBuffer());
    if (f === 'swallow') {
      // The server did the work; the client never hears about it.
      swallowed++;
      hanging.add(res);
      return;
    }
    res.writeHead(upstream.status, out);
    res.end(answer);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    get swallowed() {
      return swallowed;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
