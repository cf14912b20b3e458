// Tests bench:lambda's proxy events against the real handlers, the fresh-process cold-start runner and bundle sizing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAdminHandler } from '../../lambda/api/handlers/admin';
import { createQueryHandler } from '../../lambda/api/handlers/query';
import { WhiplashStore } from '../../lambda/store/store';
import { sizeOf } from '../../bench/lambda/bundle-size';
import { coldStartOnce, parseChildResult } from '../../bench/lambda/cold-start';
import { BENCH_ADMIN_KEY_ID, proxyEvent, roleOf } from '../../bench/lambda/events';
import { useTestTables } from '../support/tables';

describe('bench:lambda events', () => {
  test('proxy events carry the route, the encoded path, the body and the admin key id', () => {
    const e = proxyEvent({ method: 'POST', resource: '/projects/{projectId}/collections/{collectionId}/search', params: { projectId: 'p', collectionId: 'a b' }, body: { query: [1, 0] } }, 'r1');
    expect(e.resource).toBe('/projects/{projectId}/collections/{collectionId}/search');
    expect(e.path).toBe('/projects/p/collections/a%20b/search');
    expect(e.pathParameters).toEqual({ projectId: 'p', collectionId: 'a b' });
    expect(JSON.parse(e.body ?? '')).toEqual({ query: [1, 0] });
    expect(e.requestContext.identity.apiKeyId).toBe(BENCH_ADMIN_KEY_ID);
    expect(e.requestContext.requestId).toBe('r1');
    expect(roleOf({ method: 'POST', resource: '/projects/{projectId}/collections/{collectionId}/search' })).toBe('query');
    expect(roleOf({ method: 'GET', resource: '/projects' })).toBe('admin');
    expect(() => proxyEvent({ method: 'GET', resource: '/nowhere' }, 'r')).toThrow(/no route/);
    expect(() => proxyEvent({ method: 'GET', resource: '/projects/{projectId}' }, 'r')).toThrow(/projectId/);
  });

  describe('against DynamoDB Local, the real handlers accept them', () => {
    const db = useTestTables();

    test('admin lists projects, query lists a project\'s collections', async () => {
      const store = new WhiplashStore(db);
      const deps = { store, adminKeyId: BENCH_ADMIN_KEY_ID };
      await store.createProject({ projectId: 'coldstart', name: 'cold start' });
      const listed = await createAdminHandler(deps)(proxyEvent({ method: 'GET', resource: '/projects' }, 'r2'));
      expect(listed.statusCode).toBe(200);
      expect((JSON.parse(listed.body) as { projectId: string }[]).map((p) => p.projectId)).toContain('coldstart');
      const cols = await createQueryHandler(deps)(proxyEvent({ method: 'GET', resource: '/projects/{projectId}/collections', params: { projectId: 'coldstart' } }, 'r3'));
      expect(cols.statusCode).toBe(200);
      expect(JSON.parse(cols.body)).toEqual([]);
      // another key id is not the admin's and is bound to nothing
      const denied = await createAdminHandler(deps)(proxyEvent({ method: 'GET', resource: '/projects' }, 'r4', 'someone-else'));
      expect(denied.statusCode).toBe(403);
    });
  });
});

describe('bench:lambda cold start runner', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cold-start-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a fresh node process loads the bundle, answers the first event, then the warm ones in turn', async () => {
    const bundle = path.join(dir, 'index.js');
    writeFileSync(bundle, 'exports.handler = async (event) => ({ statusCode: event.path === "/bad" ? 500 : 200, body: event.path + " " + process.env.ROLE });\n');
    const events = [proxyEvent({ method: 'GET', resource: '/projects' }, 'a'), proxyEvent({ method: 'GET', resource: '/projects/{projectId}', params: { projectId: 'x' } }, 'b')];
    const run = await coldStartOnce(bundle, { ROLE: 'test' }, events, 3);
    expect(run.firstBody).toBe('/projects test'); // the environment given is the child's
    expect(run.statuses).toEqual([200, 200, 200, 200]);
    expect(run.warmMs).toHaveLength(3);
    expect(run.initMs).toBeGreaterThanOrEqual(0);
    expect(run.processMs).toBeGreaterThan(run.bootMs);
  });

  test('a bundle that throws at load fails the run', async () => {
    const bundle = path.join(dir, 'broken.js');
    writeFileSync(bundle, 'throw new Error("broken bundle");\n');
    await expect(coldStartOnce(bundle, {}, [proxyEvent({ method: 'GET', resource: '/projects' }, 'a')], 0)).rejects.toThrow(/broken bundle/);
  });

  test('the result line is found among log lines, and its absence is an error', () => {
    const out = '{"level":"INFO"}\nBENCH_RESULT {"bootMs":1,"initMs":2,"firstMs":3,"warmMs":[4],"statuses":[200,200],"firstBody":"x"}\n';
    expect(parseChildResult(out).initMs).toBe(2);
    expect(() => parseChildResult('{"level":"INFO"}\n')).toThrow(/BENCH_RESULT/);
  });

  test('bundle sizes: raw bytes and gzip', () => {
    const text = new TextEncoder().encode('exports.handler=async()=>({statusCode:200});'.repeat(200));
    const s = sizeOf(text);
    expect(s.rawBytes).toBe(text.byteLength);
    expect(s.gzipBytes).toBeLessThan(s.rawBytes / 10); // 200 repeats compress well
  });
});
