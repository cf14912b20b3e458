// Tests `npm start` without a Java runtime: it says so and serves the API on dynalite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { call } from './http';
import { LocalProcess } from './process';

describe('npm start without a Java runtime', () => {
  const empty = mkdtempSync(path.join(tmpdir(), 'whiplash-nojava-'));
  let running: LocalProcess | undefined;
  afterAll(async () => {
    await running?.interrupt();
    rmSync(empty, { recursive: true, force: true });
  });

  test('says so, names what dynalite lacks, and serves the API on dynalite', async () => {
    // PATH without java (node itself is started by absolute path)
    running = await LocalProcess.start({ PATH: empty, WHIPLASH_DATA_DIR: ':memory:' });
    expect(running.output).toMatch(/No Java runtime found/);
    expect(running.output).toMatch(/falling back to dynalite/);
    expect(running.output).toMatch(/no transactions, no TTL and no PartiQL/);
    expect(running.output).toMatch(/DynamoDB Local \(dynalite\)/);
    const admin = running.adminKey;
    const p = await call(running, 'POST', '/projects', { key: admin, body: { name: 'nj' } });
    expect(p.status).toBe(201);
    const key = p.body.apiKey;
    expect((await call(running, 'POST', '/projects/nj/collections', { key, body: { name: 'c', n_features: 2 } })).status).toBe(200);
    const batch = { vectors: [{ id: 'x', vector: [1, 0] }, { id: 'y', vector: [0, 1] }] };
    expect((await call(running, 'POST', '/projects/nj/collections/c/items/batch', { key, body: batch })).status).toBe(200);
    const hits = await call(running, 'POST', '/projects/nj/collections/c/search', { key, body: { query: [0.1, 1], limit: 1 } });
    expect(hits.body.map((h: { id: string }) => h.id)).toEqual(['y']);
    // counted writes without transactions: the counter still follows creations and deletes
    expect((await call(running, 'POST', '/projects/nj/collections/c/items/batch', { key, body: batch })).status).toBe(200);
    expect((await call(running, 'DELETE', '/projects/nj/collections/c/items/x', { key })).status).toBeLessThan(300);
    const info = await call(running, 'GET', '/projects/nj/collections/c', { key });
    expect(info.body.vectorCount).toBe(1);
    // a drop (its writes in turn, the counter's lists condition first): the name is free again
    expect((await call(running, 'DELETE', '/projects/nj/collections/c', { key })).status).toBeLessThan(300);
    expect((await call(running, 'GET', '/projects/nj/collections/c', { key })).status).toBe(404);
    expect(await running.interrupt()).toBe(0);
    running = undefined;
  }, 120_000);
});
