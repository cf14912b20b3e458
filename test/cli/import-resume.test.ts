// Tests that `whiplash import` killed with SIGKILL resumes from its checkpoint and ends with every vector written
// exactly once (JSONL, npy with ids, CSV acknowledged out of order).
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WhiplashClient } from '../../lib/client';
import { FaultProxy, loadDocs, projectClient, startFaultProxy, startTestServer } from '../client/support';
import { writeCsv, writeIds, writeJsonl, writeNpy } from './formats';

const ROOT = join(__dirname, '../..');

/** Starts `npx tsx bin/whiplash.ts ...` in its own process group (so the kill reaches tsx's child too). */
function spawnCli(args: string[], env: Record<string, string>): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn('npx', ['tsx', 'bin/whiplash.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls `cond` until it holds; fails if the process exits first. */
async function until(cond: () => boolean, run: { exited: Promise<number | null>; stderr: () => string }): Promise<void> {
  let exit: number | null | undefined;
  void run.exited.then((c) => (exit = c));
  while (!cond()) {
    if (exit !== undefined) throw new Error(`whiplash exited (${exit}) before the condition held:\n${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How the first run is cut short: which batch requests (1-based, per collection) lose their answer, and when to kill. */
interface Scenario {
  /** Batch requests whose answer is withheld (the server still writes them). */
  readonly swallow: (n: number) => boolean;
  /** Kill once this many withheld requests were written by the server. */
  readonly killAfterSwallowed: number;
  /** Checkpoint at the kill: the first row not acknowledged in order, and rows acknowledged beyond it. */
  readonly watermark: number;
  readonly acked: [number, number][];
  /** Vectors in the collection at the kill (acknowledged or not). */
  readonly writtenAtKill: number;
  /** Batch requests of the resumed run. */
  readonly resumedBatches: number;
}

/**
 * An import killed with SIGKILL mid-way and run again ends with every vector present exactly once.
 * A proxy between the CLI and the server withholds the answers of some batch requests after
 * forwarding them: those vectors are written but not acknowledged when the process dies, so the
 * resumed run must send them again (upserts are idempotent) and skip everything acknowledged.
 * All 778 real embeddings into an empty collection: rows 0-499 in a first request sent alone
 * (`FIRST_IMPORT_BATCH`), then batches of 50, 2 in flight.
 */
describe('whiplash import, killed and resumed', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let proxy: FaultProxy;
  let client: WhiplashClient;
  let projectId: string;
  let apiKey: string;
  let swallow: ((n: number) => boolean) | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'wl-resume-'));
  const docs = loadDocs();
  const batches = (collection: string) => proxy.seen.get(`POST /projects/${projectId}/collections/${collection}/items/batch`) ?? 0;

  beforeAll(async () => {
    server = await startTestServer();
    ({ client, projectId, apiKey } = await projectClient(server.url, server.adminKey));
    proxy = await startFaultProxy(server.url, (req, n) => (swallow && req.url!.endsWith('/items/batch') && swallow(n) ? 'swallow' : undefined));
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function killAndResume(collection: string, file: string, extra: string[], s: Scenario): Promise<void> {
    await client.createCollection(projectId, { name: collection, dimension: 384 });
    const env = { HOME: dir, WHIPLASH_API_URL: proxy.url, WHIPLASH_API_KEY: apiKey, WHIPLASH_PROJECT: projectId };
    const args = ['import', collection, file, '--batch-size', '50', '--concurrency', '2', ...extra];
    const checkpoint = `${file}.whiplash-import.json`;
    swallow = s.swallow;
    const swallowedBefore = proxy.swallowed;

    const first = spawnCli(args, env);
    await until(() => proxy.swallowed - swallowedBefore >= s.killAfterSwallowed, first);
    process.kill(-first.child.pid!, 'SIGKILL');
    expect(await first.exited).toBeNull(); // killed by the signal, no exit code

    const cp = JSON.parse(readFileSync(checkpoint, 'utf8')) as { watermark: { row: number }; acked: [number, number, number][] };
    expect(cp.watermark.row).toBe(s.watermark);
    expect(cp.acked.map(([a, b]) => [a, b])).toEqual(s.acked);
    expect((await client.getCollection(projectId, collection)).vectorCount).toBe(s.writtenAtKill);

    swallow = undefined;
    const sentBefore = batches(collection);
    const second = spawnCli([...args, '--json'], env);
    const code = await second.exited;
    expect([code, second.stderr()]).toEqual([0, expect.stringContaining('resuming from')]);
    const skipped = s.acked.reduce((n, [a, b]) => n + b - a, 0);
    const acknowledged = s.watermark + skipped;
    expect(JSON.parse(second.stdout())).toMatchObject({ ok: true, imported: docs.length - acknowledged, skipped, total: docs.length, resumed: true });
    expect(batches(collection) - sentBefore).toBe(s.resumedBatches);
    expect(existsSync(checkpoint)).toBe(false);

    const ids: string[] = [];
    for await (const id of client.collection(projectId, collection).ids({ limit: 1000 })) ids.push(id);
    expect(ids.length).toBe(docs.length);
    expect(new Set(ids).size).toBe(docs.length);
    expect([...ids].sort()).toEqual(docs.map((d) => d.id).sort());
    expect((await client.getCollection(projectId, collection)).vectorCount).toBe(docs.length);
    const coll = client.collection(projectId, collection);
    for (const row of [0, 499, 500, 549, 550, 649, 650, docs.length - 1]) {
      const v = await coll.get(docs[row].id);
      expect(v.vector).toEqual(Array.from(Float32Array.from(docs[row].vector)));
    }
  }

  // Requests 4 and 5 (rows 600-699) are written but never answered; 1-3 (rows 0-599) were acknowledged.
  // The resumed run sends rows 600-777 in batches of 50: the collection is no longer empty.
  const inOrder: Scenario = { swallow: (n) => n > 3, killAfterSwallowed: 2, watermark: 600, acked: [], writtenAtKill: 700, resumedBatches: 4 };

  test('JSONL: resumes at the byte offset of the first unacknowledged row', async () => {
    const file = join(dir, 'docs.jsonl');
    writeJsonl(file, docs);
    await killAndResume('jsonl', file, [], inOrder);
  });

  test('npy with a sidecar of ids: resumes by seeking to the row', async () => {
    const file = join(dir, 'docs.npy');
    writeNpy(file, docs);
    writeIds(join(dir, 'docs.ids'), docs);
    await killAndResume('npy', file, ['--ids', join(dir, 'docs.ids')], inOrder);
  });

  test('CSV, batches acknowledged out of order: the resumed run skips rows acknowledged beyond the gap', async () => {
    const file = join(dir, 'docs.csv');
    writeCsv(file, docs);
    // Request 2 (rows 500-549) loses its answer; 3 and 4 (rows 550-649) are acknowledged while it
    // hangs; request 5 (rows 650-699) loses its answer too, and the kill comes once it is written.
    await killAndResume('csv', file, [], {
      swallow: (n) => n === 2 || n === 5,
      killAfterSwallowed: 2,
      watermark: 500,
      acked: [[550, 650]],
      writtenAtKill: 700,
      // Rows 500-549 and 650-777 (178 vectors): 4 requests.
      resumedBatches: 4,
    });
  });
});
