// The query vector of `whiplash search`, from an argument, a file or stdin, as a JSON array or separated numbers.
import { readFileSync } from 'node:fs';
import { UsageError } from './errors';

/**
 * Parses a query vector written as a JSON array (`[0.1, 0.2]`) or as numbers separated by commas
 * or white space (`0.1,0.2` / `0.1 0.2`).
 * @throws UsageError naming where the text came from
 */
export function parseVector(text: string, source: string): number[] {
  const t = text.trim();
  if (t === '') throw new UsageError(`${source}: no vector given`);
  let values: unknown;
  if (t.startsWith('[')) {
    try {
      values = JSON.parse(t);
    } catch (err) {
      throw new UsageError(`${source}: not a valid JSON array (${(err as Error).message})`);
    }
  } else {
    values = t.split(/[\s,]+/).map((s) => (s === '' ? NaN : Number(s)));
  }
  if (!Array.isArray(values) || values.length === 0) throw new UsageError(`${source}: must be a non-empty array of numbers`);
  values.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new UsageError(`${source}: component ${i} must be a finite number`);
  });
  return values as number[];
}

/** Reads all of a stream as text. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer | string>) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The query vector of `whiplash search`: from the argument, from `--file`, or from stdin (`-`, or
 * no argument with stdin not a terminal).
 */
export async function queryVector(arg: string | undefined, file: string | undefined, stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<number[] | undefined> {
  if (arg !== undefined && file !== undefined) throw new UsageError('give the vector either as an argument or with --file, not both');
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`${file}: ${(err as Error).message}`);
    }
    return parseVector(text, file);
  }
  if (arg === '-' || (arg === undefined && !stdin.isTTY)) return parseVector(await readAll(stdin), 'stdin');
  if (arg !== undefined) return parseVector(arg, 'vector argument');
  return undefined;
}
