// Opens an input of `whiplash import` (a file, `-` for stdin, gzip or not) with the reader of its format (JSONL,
// JSON array, CSV, npy, fvecs, Parquet), named by `--format` or guessed from the extension or the first bytes.
import { existsSync } from 'node:fs';
import { UsageError } from '../errors';
import { csvSource } from './csv';
import { fvecsSource } from './fvecs';
import { prepareInput, PreparedInput } from './input';
import { jsonSource } from './json';
import { jsonlSource } from './jsonl';
import { npySource } from './npy';
import { parquetSource } from './parquet';
import type { RecordFields } from './record';
import type { VectorSource } from './types';

export type { SourceFormat, SourcePosition, SourceRecord, VectorSource } from './types';
export { FORMATS } from './input';
export { VECTOR_FIELDS } from './record';

/** Options of {@link openSource}. */
export interface OpenSourceOptions {
  /** @default guessed from the extension (before `.gz`), or from the first bytes */
  readonly format?: string;
  /** Sidecar file of ids, one per line (npy and fvecs; otherwise ids are row numbers). */
  readonly idsPath?: string;
  /** Field or column of the ids (JSONL, JSON, Parquet). @default 'id' */
  readonly idField?: string;
  /** Field or column of the vectors (JSONL, JSON, Parquet). @default the first of `vector`, `values`, `embedding` present */
  readonly vectorField?: string;
  /** What `-` reads. */
  readonly stdin?: NodeJS.ReadableStream;
}

/** A source and the input it reads; `close` removes temporary files (standard input, gzip). */
export interface OpenedSource extends VectorSource {
  readonly input: PreparedInput;
  close(): void;
}

/**
 * Opens an input for streaming: a file, or `-` for standard input; gzip (`.gz`) in any format.
 * Standard input and gzip are first written (decompressed) to a temporary file, removed by `close`.
 * @throws UsageError when the input is missing or its header is not valid
 */
export async function openSource(file: string, options: OpenSourceOptions = {}): Promise<OpenedSource> {
  const input = await prepareInput(file, { format: options.format, stdin: options.stdin });
  try {
    const source = await openPrepared(input, options);
    return Object.assign(source, { input, close: () => input.cleanup() });
  } catch (err) {
    input.cleanup();
    throw err;
  }
}

async function openPrepared(input: PreparedInput, options: OpenSourceOptions): Promise<VectorSource> {
  const { path, name, format } = input;
  const fields: RecordFields = { id: options.idField, vector: options.vectorField };
  if (options.idsPath !== undefined) {
    if (format !== 'npy' && format !== 'fvecs') throw new UsageError(`--ids applies to npy and fvecs inputs only (${format} carries its ids${format === 'csv' ? '' : '; --id-field names their field'})`);
    if (!existsSync(options.idsPath)) throw new UsageError(`${options.idsPath}: no such file`);
  }
  if ((options.idField !== undefined || options.vectorField !== undefined) && (format === 'csv' || format === 'npy' || format === 'fvecs')) {
    throw new UsageError(`--id-field and --vector-field apply to jsonl, json and parquet inputs only`);
  }
  switch (format) {
    case 'jsonl':
      return jsonlSource(path, name, fields);
    case 'json':
      return jsonSource(path, name, fields);
    case 'csv':
      return csvSource(path, name);
    case 'npy':
      return npySource(path, options.idsPath, name);
    case 'fvecs':
      return fvecsSource(path, options.idsPath, name);
    case 'parquet':
      return parquetSource(path, name, fields);
  }
}
