// One timed top-k search over HTTP as a client sends it (POST .../search with a project key), shared by
// `npm run bench:gateway` and `npm run bench:local`.

/** Where a search goes: the server, the collection and the project key sent as `x-api-key`. */
export interface SearchTarget {
  /** The server's base URL, e.g. `http://127.0.0.1:3000`. */
  readonly serverUrl: string;
  readonly projectId: string;
  readonly collection: string;
  readonly apiKey: string;
}

/** What one search over HTTP gave. */
export interface HttpSearch {
  /** Wall time from sending the request to having read the whole answer body, in milliseconds. */
  readonly ms: number;
  /** The matches' ids, best first. */
  readonly ids: string[];
  /** From the `X-Whiplash-Stats` response header; NaN when the header does not carry it. */
  readonly readUnits: number;
  readonly roundTrips: number;
  /** UTF-8 bytes of the answer body. */
  readonly bytes: number;
}

/**
 * POSTs a top-`topK` search for `vector` to `target`'s collection, vectors not returned, and times
 * it. The body is built before the clock starts, so the time is the request's alone.
 *
 * @throws Error with the status and the answer body when the answer is not 200.
 */
export async function searchOverHttp(target: SearchTarget, vector: ArrayLike<number>, topK: number): Promise<HttpSearch> {
  const url = `${target.serverUrl}/projects/${target.projectId}/collections/${target.collection}/search`;
  const headers = { 'content-type': 'application/json', 'x-api-key': target.apiKey };
  const body = JSON.stringify({ query: Array.from(vector), limit: topK, include_vector: false });
  const t = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`search over HTTP: ${res.status} ${text}`);
  const stats = JSON.parse(res.headers.get('x-whiplash-stats') ?? '{}') as { readUnits?: number; roundTrips?: number };
  const ids = (JSON.parse(text) as { id: string }[]).map((m) => m.id);
  return { ms, ids, readUnits: stats.readUnits ?? NaN, roundTrips: stats.roundTrips ?? NaN, bytes: Buffer.byteLength(text) };
}
