import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WhiplashClient } from '../../lib/client';
import { Doc, FaultProxy, loadDocs, projectClient, startFaultProxy, startTestServer } from '../client/support';
import { writeJsonl, writeNpy, writeIds } from './formats';

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

/**
 * An import killed with SIGKILL mid-way and run again ends with every vector present exactly once.
 * A proxy between the CLI and the server lets 6 batches through, then forwards the next ones to the
 * server but withholds the answers: those vectors are written but not acknowledged when the
 * process dies, so the resumed run must send them again (upserts are idempotent).
 */
describe('whiplash import, killed and resumed', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let proxy: FaultProxy;
  let client: WhiplashClient;
  let projectId: string;
  let apiKey: string;
  let cut = true;
  const dir = mkdtempSync(join(tmpdir(), 'wl-resume-'));
  const docs = loadDocs(); // all 778 real embeddings
  const batches = (p: FaultProxy, collection: string) => p.seen.get(`POST /projects/${projectId}/collections/${collection}/items/batch`) ?? 0;

  beforeAll(async () => {
    server = await startTestServer();
    ({ client, projectId, apiKey } = await projectClient(server.url, server.adminKey));
    // Batch requests after the 6th reach the server, but their answers never come back (while `cut`).
    proxy = await startFaultProxy(server.url, (req, n) => (cut && req.url!.endsWith('/items/batch') && n > 6 ? 'swallow' : undefined));
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function killAndResume(collection: string, file: string, extra: string[], expected: Doc[], idOf: (d: Doc, i: number) => string): Promise<void> {
    await client.createCollection(projectId, { name: collection, dimension: 384 });
    const env = { HOME: dir, WHIPLASH_API_URL: proxy.url, WHIPLASH_API_KEY: apiKey, WHIPLASH_PROJECT: projectId };
    const args = ['import', collection, file, '--batch-size', '50', '--concurrency', '2', ...extra];
    const checkpoint = `${file}.whiplash-import.json`;
    cut = true;
    const before = proxy.swallowed;

    const first = spawnCli(args, env);
    // Batches 7 and 8 are in flight (written, unanswered); with 2 in flight, 1-6 were acknowledged.
    await until(() => proxy.swallowed >= before + 2, first);
    process.kill(-first.child.pid!, 'SIGKILL');
    expect(await first.exited).toBeNull(); // killed by the signal, no exit code

    const cp = JSON.parse(readFileSync(checkpoint, 'utf8')) as { watermark: { row: number }; acked: unknown[] };
    expect(cp.watermark.row).toBe(300);
    expect(cp.acked).toEqual([]);
    const partial = await client.getCollection(projectId, collection);
    expect(partial.vectorCount).toBe(400); // 300 acknowledged + 100 written but never acknowledged

    cut = false;
    const sentBefore = batches(proxy, collection);
    const second = spawnCli([...args, '--json'], env);
    const code = await second.exited;
    expect([code, second.stderr()]).toEqual([0, expect.stringContaining('resuming from')]);
    expect(JSON.parse(second.stdout())).toMatchObject({ ok: true, imported: expected.length - 300, total: expected.length, resumed: true });
    // The resumed run started at row 300: it sent ceil(478 / 50) = 10 batches, not 16.
    expect(batches(proxy, collection) - sentBefore).toBe(10);
    expect(existsSync(checkpoint)).toBe(false);

    const ids: string[] = [];
    for await (const id of client.collection(projectId, collection).ids({ limit: 1000 })) ids.push(id);
    expect(ids.length).toBe(expected.length);
    expect(new Set(ids).size).toBe(expected.length);
    expect([...ids].sort()).toEqual(expected.map(idOf).sort());
    expect((await client.getCollection(projectId, collection)).vectorCount).toBe(expected.length);
    const coll = client.collection(projectId, collection);
    for (const row of [0, 299, 300, 399, 400, expected.length - 1]) {
      const v = await coll.get(idOf(expected[row], row));
      expect(v.vector).toEqual(Array.from(Float32Array.from(expected[row].vector)));
    }
  }

  test('JSONL: resumes at the byte offset of the first unacknowledged row', async () => {
    const file = join(dir, 'docs.jsonl');
    writeJsonl(file, docs);
    await killAndResume('jsonl', file, [], docs, (d) => d.id);
  });

  test('npy with a sidecar of ids: resumes by seeking to the row', async () => {
    const file = join(dir, 'docs.npy');
    writeNpy(file, docs);
    writeIds(join(dir, 'docs.ids'), docs);
    await killAndResume('npy', file, ['--ids', join(dir, 'docs.ids')], docs, (d) => d.id);
  });
});
