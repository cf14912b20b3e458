// The Parquet reader of `whiplash import` (hyparquet): a vector column of floats (a list), an id column, the other
// columns as metadata; read one row group at a time, resumable at any row.
import { statSync } from 'node:fs';
import type { AsyncBuffer, FileMetaData, ParquetReadOptions } from 'hyparquet';
import type { Metadata, MetadataValue } from '../../../lambda/core/types';
import { UsageError } from '../errors';
import { loadIfInstalled, loadOptional } from './optional-module';
import { RecordFields, VECTOR_FIELDS } from './record';
import type { SourcePosition, SourceRecord, VectorSource } from './types';

/** The part of hyparquet (its Node entry) this reader uses. */
type Hyparquet = typeof import('hyparquet') & { asyncBufferFromFile(path: string): Promise<AsyncBuffer> };
type Compressors = NonNullable<ParquetReadOptions['compressors']>;

/** Rows decoded per read within a row group, so a large row group is not held in memory whole. */
const ROWS_PER_READ = 4096;

/** A metadata value from a Parquet value: strings, finite numbers, booleans, lists of strings; dates as ISO 8601. */
function metadataValue(v: unknown, where: string, column: string): MetadataValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new UsageError(`${where}: column "${column}" must be a finite number, got ${v}`);
    return v;
  }
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new UsageError(
    `${where}: column "${column}" holds a value that is not metadata (strings, numbers, booleans, lists of strings, dates); ` +
      'drop the column from the file, or choose the vector column with --vector-field',
  );
}

/** The vector of one row: a list (or fixed-size list) of floats. */
function toVector(v: unknown, where: string, column: string): number[] {
  if (!(Array.isArray(v) || ArrayBuffer.isView(v)) || (v as ArrayLike<number>).length === 0) {
    throw new UsageError(`${where}: column "${column}" must be a non-empty list of floats (list<float>, list<double> or a fixed-size list)`);
  }
  const a = v as ArrayLike<unknown>;
  const out = new Array<number>(a.length);
  for (let j = 0; j < a.length; j++) {
    const x = a[j];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new UsageError(`${where}: "${column}[${j}]" must be a finite number`);
    out[j] = x;
  }
  return out;
}

/**
 * Parquet, read with hyparquet (an optional dependency; snappy built in, gzip, zstd, brotli and lz4
 * through hyparquet-compressors when installed). One row per vector: the vector column (a list or
 * fixed-size list of float or double; `fields.vector`, else the first of `vector`, `values`,
 * `embedding`), the id column (`fields.id`, default `id`; strings or integers), and every other
 * column as a metadata key (nulls left out, 64-bit integers beyond 2^53 as strings, timestamps as
 * ISO 8601). Reads a row group at most {@link ROWS_PER_READ} rows at a time; resumes at any row.
 * Byte positions are the file size shared out over the rows (Parquet has no per-row offsets),
 * for progress only.
 *
 * @param name the input as messages name it
 * @throws UsageError when hyparquet is not installed, the file is not Parquet, or a column is missing
 */
export async function parquetSource(path: string, name = path, fields: RecordFields = {}): Promise<VectorSource> {
  const hp = await loadOptional<Hyparquet>('hyparquet', 'Parquet import');
  const compressors = (await loadIfInstalled<{ compressors: Compressors }>('hyparquet-compressors'))?.compressors;
  const size = statSync(path).size;
  const file = await hp.asyncBufferFromFile(path);
  let metadata: FileMetaData;
  try {
    metadata = await hp.parquetMetadataAsync(file);
  } catch (err) {
    throw new UsageError(`${name}: not a Parquet file (${(err as Error).message})`);
  }
  const columns = hp.parquetSchema(metadata).children.map((c) => c.element.name);
  const vectorColumn = fields.vector ?? VECTOR_FIELDS.find((f) => columns.includes(f));
  if (!vectorColumn || !columns.includes(vectorColumn)) {
    throw new UsageError(`${name}: no vector column ${fields.vector ? `"${fields.vector}"` : `(${VECTOR_FIELDS.join(', ')})`}; its columns are ${columns.join(', ')}: pass --vector-field`);
  }
  const idColumn = fields.id ?? 'id';
  if (!columns.includes(idColumn)) throw new UsageError(`${name}: no id column "${idColumn}"; its columns are ${columns.join(', ')}: pass --id-field`);
  const metadataColumns = columns.filter((c) => c !== vectorColumn && c !== idColumn);
  const rows = Number(metadata.num_rows);
  const groups: { start: number; end: number }[] = [];
  let at = 0;
  for (const g of metadata.row_groups) {
    groups.push({ start: at, end: at + Number(g.num_rows) });
    at += Number(g.num_rows);
  }
  const endByte = (row: number) => (row + 1 >= rows ? size : Math.floor((size * (row + 1)) / rows));

  return {
    format: 'parquet',
    path,
    totalBytes: size,
    totalRows: rows,
    async *records(from?: SourcePosition): AsyncGenerator<SourceRecord> {
      let row = from?.row ?? 0;
      for (const g of groups) {
        for (let start = Math.max(row, g.start); start < g.end; start += ROWS_PER_READ) {
          const end = Math.min(g.end, start + ROWS_PER_READ);
          let batch: Record<string, unknown>[];
          try {
            batch = await hp.parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end, compressors, rowFormat: 'object' });
          } catch (err) {
            throw new UsageError(`${name}: rows ${start + 1} to ${end}: ${(err as Error).message}${compressors ? '' : ' (for codecs other than snappy, install hyparquet-compressors)'}`);
          }
          for (const r of batch) {
            const where = `${name}: row ${row + 1}`;
            const rawId = r[idColumn];
            const id = typeof rawId === 'bigint' || (typeof rawId === 'number' && Number.isInteger(rawId)) ? String(rawId) : rawId;
            if (typeof id !== 'string' || id === '') throw new UsageError(`${where}: column "${idColumn}" must be a non-empty string or an integer`);
            const vector = toVector(r[vectorColumn], where, vectorColumn);
            const md: Record<string, MetadataValue> = {};
            let any = false;
            for (const c of metadataColumns) {
              const v = metadataValue(r[c], where, c);
              if (v !== undefined) {
                md[c] = v;
                any = true;
              }
            }
            yield { row, end: endByte(row), item: any ? { id, vector, metadata: md as Metadata } : { id, vector } };
            row++;
          }
        }
      }
    },
  };
}
