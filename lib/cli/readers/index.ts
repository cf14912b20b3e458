// Opens a vector file for `whiplash import` with the reader of its format (JSONL, CSV, npy, fvecs), named by
// `--format` or guessed from the extension.
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { UsageError } from '../errors';
import { csvSource } from './csv';
import { fvecsSource } from './fvecs';
import { jsonlSource } from './jsonl';
import { npySource } from './npy';
import type { SourceFormat, VectorSource } from './types';

export type { SourceFormat, SourcePosition, SourceRecord, VectorSource } from './types';

export const FORMATS: readonly SourceFormat[] = ['jsonl', 'csv', 'npy', 'fvecs'];

const BY_EXTENSION: Record<string, SourceFormat> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'jsonl', '.csv': 'csv', '.npy': 'npy', '.fvecs': 'fvecs' };

/** The format named by `format`, or guessed from the file extension. @throws UsageError */
export function resolveFormat(path: string, format?: string): SourceFormat {
  if (format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    return format as SourceFormat;
  }
  const f = BY_EXTENSION[extname(path).toLowerCase()];
  if (!f) throw new UsageError(`cannot tell the format of ${path} from its extension; pass --format ${FORMATS.join('|')}`);
  return f;
}

/**
 * Opens a vector file for streaming.
 * @param idsPath sidecar file of ids, one per line (npy and fvecs only; otherwise ids are row numbers)
 * @throws UsageError when the file is missing or its header is not valid
 */
export function openSource(path: string, options: { format?: string; idsPath?: string } = {}): VectorSource {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file`);
  const format = resolveFormat(path, options.format);
  if (options.idsPath !== undefined) {
    if (format !== 'npy' && format !== 'fvecs') throw new UsageError('--ids applies to npy and fvecs files only (jsonl and csv carry their ids)');
    if (!existsSync(options.idsPath)) throw new UsageError(`${options.idsPath}: no such file`);
  }
  switch (format) {
    case 'jsonl':
      return jsonlSource(path);
    case 'csv':
      return csvSource(path);
    case 'npy':
      return npySource(path, options.idsPath);
    case 'fvecs':
      return fvecsSource(path, options.idsPath);
  }
}
