// Makes an import input a seekable file: standard input (`-`) is spooled and gzip is decompressed to a temporary
// file; the format comes from `--format`, the extension (before `.gz`), or the first bytes.
import { closeSync, createReadStream, createWriteStream, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { UsageError } from '../errors';
import type { SourceFormat } from './types';

/** Input formats of `whiplash import`. */
export const FORMATS: readonly SourceFormat[] = ['jsonl', 'json', 'csv', 'npy', 'fvecs', 'parquet'];

const BY_EXTENSION: Record<string, SourceFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
  '.csv': 'csv',
  '.npy': 'npy',
  '.fvecs': 'fvecs',
  '.parquet': 'parquet',
  '.pq': 'parquet',
};

/** A file the readers can seek in, and what it stands for. */
export interface PreparedInput {
  /** The file to read: the input itself, or a temporary file (decompressed, or spooled from stdin). */
  readonly path: string;
  /** The name messages use: the input as given, `stdin` for `-`. */
  readonly name: string;
  readonly format: SourceFormat;
  /** True for standard input: it cannot be read again, so an import of it cannot resume. */
  readonly stdin: boolean;
  /** A directory for this input's temporary files, removed by `cleanup`. */
  readonly tempDir?: string;
  /** Removes the temporary files. Safe to call twice. */
  cleanup(): void;
}

const isGzip = (head: Buffer) => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

function head(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(n);
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** The format the first bytes show: Parquet and npy by their magic, JSON arrays and JSON Lines by their first character. */
function sniff(path: string): SourceFormat | undefined {
  const h = head(path, 4096);
  if (h.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  if (h.subarray(0, 6).toString('latin1') === '\x93NUMPY') return 'npy';
  const first = h.toString('utf8').replace(/^\uFEFF/, '').trimStart()[0];
  return first === '[' ? 'json' : first === '{' ? 'jsonl' : undefined;
}

/** `--format`, else the extension (before `.gz`). `.json` is JSON Lines when the file does not start with `[`. */
function formatOf(name: string, format: string | undefined): SourceFormat | undefined {
  if (format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    return format as SourceFormat;
  }
  const base = name.toLowerCase().endsWith('.gz') ? name.slice(0, -3) : name;
  return BY_EXTENSION[extname(base).toLowerCase()];
}

/**
 * Prepares an import input for the readers, which seek (to resume, to read a header and then the
 * rows, or, for Parquet, its footer): standard input (`-`) is spooled to a temporary file, and gzip
 * (by its magic bytes, whatever the name) is decompressed to one with node:zlib. The temporary
 * files live until `cleanup`. Positions and sizes are those of the decompressed data.
 * @param stdin the stream `-` reads
 * @throws UsageError when the file is missing, not valid gzip, or its format cannot be told
 */
export async function prepareInput(file: string, opts: { format?: string; stdin?: NodeJS.ReadableStream } = {}): Promise<PreparedInput> {
  const fromStdin = file === '-';
  const name = fromStdin ? 'stdin' : file;
  let format = formatOf(fromStdin ? '' : file, opts.format);
  let tempDir: string | undefined;
  const cleanup = () => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  try {
    let path = file;
    if (fromStdin) {
      if (!opts.stdin) throw new UsageError('no standard input to read `-` from');
      tempDir = mkdtempSync(join(tmpdir(), 'whiplash-import-'));
      path = join(tempDir, 'stdin');
      await pipeline(opts.stdin, createWriteStream(path));
    } else {
      try {
        closeSync(openSync(file, 'r'));
      } catch {
        throw new UsageError(`${file}: no such file`);
      }
    }
    if (isGzip(head(path, 2))) {
      tempDir ??= mkdtempSync(join(tmpdir(), 'whiplash-import-'));
      const plain = join(tempDir, `${basename(path).replace(/\.gz$/i, '')}.decompressed`);
      try {
        await pipeline(createReadStream(path), createGunzip(), createWriteStream(plain));
      } catch (err) {
        throw new UsageError(`${name}: not valid gzip (${(err as Error).message})`);
      }
      path = plain;
    }
    if (format === undefined || (format === 'json' && opts.format === undefined)) {
      const seen = sniff(path);
      if (format === 'json') format = seen === 'json' ? 'json' : 'jsonl';
      else format = seen;
    }
    if (format === undefined) {
      throw new UsageError(
        fromStdin ? `cannot tell the format of stdin from its first bytes; pass --format ${FORMATS.join('|')}` : `cannot tell the format of ${file} from its extension; pass --format ${FORMATS.join('|')}`,
      );
    }
    return { path, name, format, stdin: fromStdin, tempDir, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
