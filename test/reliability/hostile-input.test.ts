// Tests hostile input on every route (fast-check): never a 5xx or a hang, always the error shape, nothing changed.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ROUTES, RouteDef } from '../../lambda/api/routes';
import { MAX_BODY_BYTES } from '../../lambda/core/limits';
import { prefixedTableNames, TableNames } from '../../lambda/store/table-definitions';
import type { LocalServer } from '../../lib/local/server';
import { call, createProject, startTestServer, vectors } from '../local/http';
import { testClient } from '../support/tables';
import { tablesDigest } from './snapshot';

/**
 * Hostile and malformed input over every route of the route table, over real HTTP against the
 * local server: random and adversarial bodies, path parameters and headers. Properties: never a
 * 5xx, never a hang (every request has a time limit), every error is the JSON error shape, and a
 * rejected request changes nothing (a digest of all three tables before and after).
 */

const DIM = 4;
const ddb = testClient();
let server: LocalServer;
let tables: TableNames;
let projectKey: string;
const PROJECT = 'hostile';
const COLLECTION = 'docs';

/** Raw JSON texts that JSON.stringify cannot produce: NaN, Infinity, huge numbers, deep nesting, broken syntax. */
const rawBodies = fc.constantFrom(
  '{"id":"a","vector":[NaN,1,2,3]}',
  '{"id":"a","vector":[Infinity,1,2,3]}',
  '{"id":"a","vector":[-Infinity,1,2,3]}',
  '{"id":"a","vector":[1e400,1,2,3]}',
  '{"id":"a","vector":[1,2,3,4],"metadata":{"n":1e400}}',
  '{"query":[1e309,0,0,0],"limit":1}',
  '{"query":[0,0,0,0],"limit":1e400}',
  '{"query":[1,2,3,4],"limit":99999999999999999999999}',
  '{"name":"x","n_features":1e400}',
  '{"vectors":' + '['.repeat(5000) + ']'.repeat(5000) + '}',
  '{"filter":' + '{"a":'.repeat(3000) + '1' + '}'.repeat(3000) + ',"query":[1,2,3,4]}',
  '{"id":"a","vector":[1,2,3,4]',
  '\u0000\u0001\u0002',
  'null',
  '"a string"',
  '[]',
  '{"__proto__":{"polluted":true},"id":"a","vector":[1,2,3,4]}',
  '{"constructor":{"prototype":{"polluted":true}},"name":"x","n_features":4}',
  '\uFEFF{"id":"a","vector":[1,2,3,4]}',
);

/** Ids and names that look like paths, control characters, unicode tricks, or are too long. */
const nastyString = fc.oneof(
  fc.constantFrom('', ' ', '.', '..', '../..', '../../etc/passwd', '/', '%2F', '%00', 'a/b', 'a\\b', '\u202Eevil', '\uD800', 'nul\u0000l', 'ß\u0301', '🙂'.repeat(300), 'x'.repeat(600), 'P#x', 'C#y', 'K#', 'DROPPED', '$(rm -rf)', '<script>', "' OR 1=1 --"),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

const nastyNumber = fc.oneof(
  fc.constantFrom(0, -1, 1.5, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 1e21, -0),
  fc.double(),
  fc.integer(),
);

/** Bodies that are close to valid for some route but break one rule, or carry unknown fields. */
const nearlyValid = fc.oneof(
  fc.record({ id: nastyString, vector: fc.array(nastyNumber, { maxLength: 8 }) }),
  fc.record({ id: fc.constant('ok'), vector: fc.constant([1, 2, 3, 4]), metadata: fc.dictionary(nastyString, fc.anything(), { maxKeys: 5 }) }),
  fc.record({ id: fc.constant('ok'), vector: fc.constant([1, 2, 3, 4]), extra: fc.anything() }),
  fc.record({ vectors: fc.array(fc.record({ id: nastyString, vector: fc.array(nastyNumber, { maxLength: 6 }) }), { maxLength: 5 }) }),
  fc.record({ query: fc.array(nastyNumber, { maxLength: 6 }), limit: nastyNumber, filter: fc.anything(), include_vector: fc.anything() }),
  fc.record({ name: nastyString, n_features: nastyNumber, metric: nastyString, index: fc.dictionary(nastyString, nastyNumber, { maxKeys: 4 }), seed: nastyNumber }),
  fc.record({ name: nastyString, projectId: nastyString }),
);

const bodyText = fc.oneof(
  rawBodies,
  nearlyValid.map((b) => JSON.stringify(b)),
  fc.anything().map((b) => JSON.stringify(b) ?? 'undefined'),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

/** URL-encodes any string; a lone surrogate (which encodeURIComponent refuses) is sent as its raw UTF-8 replacement bytes. */
function encodeSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
  }
}

/** Fills a route's path template; each parameter is the real one or a nasty string (URL-encoded or raw). */
function pathArb(route: RouteDef): fc.Arbitrary<string> {
  const real: Record<string, string> = { projectId: PROJECT, collectionId: COLLECTION, itemId: 'v0' };
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  // A DELETE never gets the real value of its last parameter: the fixture must survive the run.
  const realOr = (n: string, i: number) => (route.method === 'DELETE' && i === names.length - 1 ? [] : [fc.constant(encodeURIComponent(real[n]))]);
  return fc
    .tuple(...names.map((n, i) => fc.oneof(...realOr(n, i), nastyString.map(encodeSegment), fc.constantFrom('..', '%2e%2e', 'a%2Fb', '%ZZ', '%'))))
    .map((raw) => {
      // fetch resolves dot segments before sending ("/a/b/.." is "/a"): a DELETE with one would
      // address the parent resource, by HTTP's rules rather than ours, and drop the fixture.
      const values = route.method === 'DELETE' ? raw.map((v) => (/^(\.|%2e){1,2}$/i.test(v) ? 'dot' : v)) : raw;
      let p = route.path;
      names.forEach((n, i) => (p = p.replace(`{${n}}`, values[i] || 'x')));
      return p;
    });
}

const queryArb = fc.oneof(
  fc.constant(''),
  fc.constantFrom('?limit=0', '?limit=-1', '?limit=1e400', '?limit=NaN', '?limit=abc', '?cursor=%00', '?cursor=eyJzIjo5OTl9', '?limit=1&limit=2', '?unknown=1', '?cursor=' + 'A'.repeat(5000)),
  fc.tuple(nastyString, nastyString).map(([k, v]) => `?${encodeSegment(k)}=${encodeSegment(v)}`),
);

const headersArb = fc.record(
  {
    'content-type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16'),
    'x-custom': fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
  },
  { requiredKeys: [] },
);

/** One request; the time limit makes a hang fail the property. */
async function send(method: string, path: string, body: string | undefined, headers: Record<string, string>, key: string) {
  const res = await fetch(`${server.url}${path}`, { method, headers: { ...headers, 'x-api-key': key }, body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  return { status: res.status, text };
}

function assertErrorShape(status: number, text: string): void {
  expect(status).toBeLessThan(500);
  if (status >= 400) {
    const parsed = JSON.parse(text) as { error: { status: number; code: string; message: string } };
    expect(parsed.error.status).toBe(status);
    expect(typeof parsed.error.code).toBe('string');
    expect(typeof parsed.error.message).toBe('string');
  }
}

beforeAll(async () => {
  const prefix = `h${randomUUID().slice(0, 8)}-`;
  tables = prefixedTableNames(prefix);
  server = await startTestServer({ tablePrefix: prefix });
  ({ key: projectKey } = await createProject(server, PROJECT));
  const c = await call(server, 'POST', `/projects/${PROJECT}/collections`, { key: projectKey, body: { name: COLLECTION, n_features: DIM } });
  expect(c.status).toBe(200);
  const items = vectors(8, DIM, 4).map((v, i) => ({ id: `v${i}`, vector: v, metadata: { tag: `t${i % 2}` } }));
  expect((await call(server, 'POST', `/projects/${PROJECT}/collections/${COLLECTION}/items/batch`, { key: projectKey, body: { vectors: items } })).status).toBe(200);
});
afterAll(() => server?.stop());

describe('hostile and malformed input on every route', () => {
  test.each(ROUTES.map((r) => [r.operationId, r] as const))('%s: never a 5xx, never a hang, and a rejected request changes nothing', async (_op, route) => {
    await fc.assert(
      fc.asyncProperty(pathArb(route), queryArb, bodyText, headersArb, fc.boolean(), async (path, query, body, headers, asAdmin) => {
        const before = await tablesDigest(ddb, tables);
        const r = await send(route.method, path + query, route.method === 'GET' ? undefined : body, headers, asAdmin ? server.adminKey : projectKey);
        assertErrorShape(r.status, r.text);
        if (r.status >= 400) expect(await tablesDigest(ddb, tables)).toBe(before);
        else {
          // an accepted request must not have touched the fixture collection through a path trick
          expect(r.status).toBeLessThan(300);
        }
      }),
      { numRuns: 25, seed: 20261122 + route.operationId.length },
    );
  }, 120_000);

  test('a body over 10 MB is refused with 413 on every route that takes a body, and changes nothing', async () => {
    const big = JSON.stringify({ id: 'big', vector: [1, 2, 3, 4], metadata: { pad: 'x'.repeat(MAX_BODY_BYTES + 10) } });
    for (const route of ROUTES.filter((r) => r.requestSchema)) {
      const path = route.path.replace('{projectId}', PROJECT).replace('{collectionId}', COLLECTION).replace('{itemId}', 'v0');
      const before = await tablesDigest(ddb, tables);
      const r = await send(route.method, path, big, { 'content-type': 'application/json' }, server.adminKey);
      expect(r.status).toBe(413);
      assertErrorShape(r.status, r.text);
      expect(await tablesDigest(ddb, tables)).toBe(before);
    }
  }, 120_000);

  test('oversized metadata, too many vectors and too many dimensions are 4xx naming the field, and change nothing', async () => {
    const C = `/projects/${PROJECT}/collections/${COLLECTION}`;
    const cases: { path: string; body: unknown; field: RegExp }[] = [
      { path: `${C}/items`, body: { id: 'm', vector: [1, 2, 3, 4], metadata: { pad: 'x'.repeat(500_000) } }, field: /metadata/ },
      { path: `${C}/items`, body: { id: 'm', vector: [1, 2, 3, 4], metadata: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])) }, field: /metadata/ },
      { path: `${C}/items/batch`, body: { vectors: Array.from({ length: 501 }, (_, i) => ({ id: `b${i}`, vector: [1, 2, 3, 4] })) }, field: /vectors/ },
      { path: `${C}/items`, body: { id: 'm', vector: Array.from({ length: 4097 }, () => 1) }, field: /vector/ },
      { path: `${C}/items`, body: { id: 'x'.repeat(513), vector: [1, 2, 3, 4] }, field: /id/ },
      { path: `${C}/search`, body: { query: [1, 2, 3, 4], limit: 1001 }, field: /limit/ },
    ];
    for (const c of cases) {
      const before = await tablesDigest(ddb, tables);
      const r = await call(server, 'POST', c.path, { key: projectKey, body: c.body });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(`${r.body.error.field ?? ''} ${r.body.error.message}`).toMatch(c.field);
      expect(await tablesDigest(ddb, tables)).toBe(before);
    }
  }, 120_000);

  test('the fixture is intact after all of it: its 8 vectors are listed', async () => {
    const C = `/projects/${PROJECT}/collections/${COLLECTION}`;
    const page = await call(server, 'GET', `${C}/items?limit=1000`, { key: projectKey });
    expect(page.body.ids.filter((id: string) => /^v\d$/.test(id)).sort()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']);
  });
});
