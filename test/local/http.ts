// Helpers of the local-server tests: a server on fresh tables, requests over real HTTP, projects, deterministic vectors.
import { randomUUID } from 'node:crypto';
import { logger } from '../../lambda/api/logger';
import { LocalServer, LocalServerOptions, startLocalServer } from '../../lib/local/server';
import { testEndpoint } from '../support/tables';

/** A response as the tests look at it. */
export interface Reply {
  readonly status: number;
  readonly body: any;
  readonly headers: Headers;
}

/** Starts a local server on a free port against the test run's DynamoDB Local, with fresh tables. */
export async function startTestServer(opts: LocalServerOptions = {}): Promise<LocalServer> {
  logger.setLogLevel('ERROR');
  return startLocalServer({
    port: 0,
    dataDir: null,
    ddbEndpoint: testEndpoint(),
    tablePrefix: `t${randomUUID().slice(0, 8)}-`,
    purgeIntervalMs: 0,
    ...opts,
  });
}

/** Sends one request over real HTTP. `body` is JSON-encoded unless it is a string. */
export async function call(
  server: { url: string },
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key !== undefined) headers['x-api-key'] = opts.key;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${server.url}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Creates a project with the admin key and returns its id and API key. */
export async function createProject(server: LocalServer, projectId: string): Promise<{ projectId: string; key: string }> {
  const r = await call(server, 'POST', '/projects', { key: server.adminKey, body: { name: projectId } });
  if (r.status !== 201) throw new Error(`create project ${projectId}: ${r.status} ${JSON.stringify(r.body)}`);
  return { projectId, key: r.body.apiKey };
}

/** Deterministic pseudo-random vectors (no Math.random, so failures reproduce). */
export function vectors(n: number, dim: number, seed = 1): number[][] {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296 - 0.5;
  };
  return Array.from({ length: n }, () => Array.from({ length: dim }, next));
}
