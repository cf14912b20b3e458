// Tests that `whiplash local` serves the API until SIGTERM, then stops cleanly.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { whiplash } from './run';

/** `whiplash local` runs the same local server as `npm start` until it is told to stop. */
test('whiplash local serves the API until SIGTERM, then stops cleanly', async () => {
  const home = mkdtempSync(join(tmpdir(), 'wl-local-'));
  // One process (node with the tsx loader), so that SIGTERM reaches the CLI itself and its exit code is seen.
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/whiplash.ts', 'local', '--in-memory', '--port', '0', '--admin-key', 'test-admin-key', '--quiet'], {
    cwd: join(__dirname, '../..'),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  try {
    let done = false;
    void exited.then(() => (done = true));
    while (!/running at (http:\/\/\S+)/.test(out)) {
      if (done) throw new Error(`whiplash local exited early:\n${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const url = /running at (http:\/\/\S+)/.exec(out)![1];
    expect(out).toContain('admin API key: test-admin-key');
    const env = { HOME: home, WHIPLASH_API_URL: url, WHIPLASH_API_KEY: 'test-admin-key' };
    expect((await whiplash(['projects', 'create', 'demo'], env)).code).toBe(0);
    const list = await whiplash(['--json', 'projects', 'list'], env);
    expect((JSON.parse(list.stdout) as { projectId: string }[]).map((p) => p.projectId)).toEqual(['demo']);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(home, { recursive: true, force: true });
  }
});
