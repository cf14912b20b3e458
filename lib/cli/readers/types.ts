// The import readers' types: input formats, positions in a file, records, and streaming vector sources.
import type { VectorInput } from '../../../lambda/core/types';

/** Input formats of `whiplash import`. */
export type SourceFormat = 'jsonl' | 'json' | 'csv' | 'npy' | 'fvecs' | 'parquet';

/** Where reading (re)starts: a record number and the byte offset where that record begins. */
export interface SourcePosition {
  /** Zero-based record number. */
  readonly row: number;
  /** Byte offset in the file where record `row` begins. */
  readonly byte: number;
}

/** One vector read from a file. */
export interface SourceRecord {
  /** Zero-based record number. */
  readonly row: number;
  /** Byte offset just after this record: where the next record begins. */
  readonly end: number;
  readonly item: VectorInput;
}

/** A file of vectors, read as a stream (constant memory, whatever the file size). */
export interface VectorSource {
  readonly format: SourceFormat;
  /** The file read (a temporary one for standard input and gzip). */
  readonly path: string;
  /** File size in bytes (decompressed). */
  readonly totalBytes: number;
  /** Number of records when the header tells it (npy, fvecs, Parquet). */
  readonly totalRows?: number;
  /** Vector dimension when the header tells it (npy, fvecs). */
  readonly dimension?: number;
  /** Reads records from `from` (the start of the data when omitted). */
  records(from?: SourcePosition): AsyncGenerator<SourceRecord>;
}
