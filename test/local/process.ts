// Runs `npm start`'s program as a child process for the tests, and finds java processes using a data directory.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

/** `npm start`'s program, as a child process with its own DynamoDB Local on disk. */
export class LocalProcess {
  url = '';
  adminKey = '';
  output = '';
  private constructor(readonly child: ChildProcess) {}

  static async start(env: Record<string, string>): Promise<LocalProcess> {
    const tsx = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
    const child = spawn(process.execPath, [tsx, 'bin/local.ts', '--quiet'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p = new LocalProcess(child);
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer): void => {
        p.output += d.toString();
        const url = /Whiplash is running at (\S+)/.exec(p.output);
        const key = /admin API key: (\S+)/.exec(p.output);
        if (url && key) {
          p.url = url[1];
          p.adminKey = key[1];
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (d: Buffer) => (p.output += d.toString()));
      child.once('exit', (code) => reject(new Error(`local server exited with ${code}: ${p.output}`)));
    });
    return p;
  }

  /** Ctrl-C, and wait for the process to exit. */
  async interrupt(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGINT');
    return exited;
  }
}

/** Java processes whose command line mentions `dir` (DynamoDB Local's -dbPath). */
export function javaProcessesUsing(dir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes('java') && l.includes(dir));
}
