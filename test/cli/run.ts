// Runs the real `whiplash` program in-process with its own streams and environment, for the CLI tests.
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../lib/cli';

/** Result of one in-process `whiplash` run. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `whiplash` program in this process with its own streams and environment. */
export async function whiplash(args: string[], env: Record<string, string | undefined>, stdin?: string): Promise<RunResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  const input = Readable.from(stdin === undefined ? [] : [Buffer.from(stdin)]);
  const code = await runCli(args, { stdout: out, stderr: err, stdin: input, env });
  return { code, stdout: Buffer.concat(o).toString(), stderr: Buffer.concat(e).toString() };
}
