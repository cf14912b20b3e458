// Tests `npm start` with data on disk: data and keys survive a restart and Ctrl-C leaves no java process; and
// WHIPLASH_ADMIN_KEY and WHIPLASH_DATA_DIR=:memory: from the environment.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { call, vectors } from './http';
import { javaProcessesUsing, LocalProcess, ROOT } from './process';

describe('npm start (bin/local.ts) with data on disk', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'whiplash-restart-'));
  const data = vectors(20, 6, 11);
  let running: LocalProcess | undefined;

  afterAll(async () => {
    await running?.interrupt();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('data, project keys and the admin key survive a restart; Ctrl-C leaves no java process', async () => {
    running = await LocalProcess.start({ WHIPLASH_DATA_DIR: dataDir });
    const first = running;
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const created = await call(first, 'POST', '/projects', { key: first.adminKey, body: { name: 'keep' } });
    expect(created.status).toBe(201);
    const key = created.body.apiKey as string;
    expect((await call(first, 'POST', '/projects/keep/collections', { key, body: { name: 'c', n_features: 6 } })).status).toBe(200);
    const batch = data.map((vector, i) => ({ id: `k${i}`, vector, metadata: { i } }));
    expect((await call(first, 'POST', '/projects/keep/collections/c/items/batch', { key, body: { vectors: batch } })).status).toBe(200);

    expect(await first.interrupt()).toBe(0);
    expect(javaProcessesUsing(dataDir)).toEqual([]);

    running = await LocalProcess.start({ WHIPLASH_DATA_DIR: dataDir });
    const second = running;
    expect(second.adminKey).toBe(first.adminKey);
    const item = await call(second, 'GET', '/projects/keep/collections/c/items/k7', { key });
    expect(item.status).toBe(200);
    expect(item.body.metadata).toEqual({ i: 7 });
    const hits = await call(second, 'POST', '/projects/keep/collections/c/search', { key, body: { query: data[3], limit: 1 } });
    expect(hits.body[0].id).toBe('k3');
    const ids = await call(second, 'GET', '/projects/keep/collections/c/items?limit=100', { key });
    expect(ids.body.ids).toHaveLength(20);

    expect(await second.interrupt()).toBe(0);
    running = undefined;
    expect(javaProcessesUsing(dataDir)).toEqual([]);
  }, 120_000);

  test('WHIPLASH_ADMIN_KEY sets the admin key; WHIPLASH_DATA_DIR=:memory: starts empty and writes no data directory', async () => {
    running = await LocalProcess.start({ WHIPLASH_DATA_DIR: ':memory:', WHIPLASH_ADMIN_KEY: 'my-admin-key-for-tests' });
    expect(running.adminKey).toBe('my-admin-key-for-tests');
    expect((await call(running, 'GET', '/projects', { key: 'my-admin-key-for-tests' })).body).toEqual([]);
    expect(await running.interrupt()).toBe(0);
    running = undefined;
    expect(existsSync(path.join(ROOT, ':memory:'))).toBe(false);
  }, 120_000);
});
