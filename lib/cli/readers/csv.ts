// The CSV reader of `whiplash import`: `id,x0,x1,...` rows, an optional header with a JSON metadata column,
// resumable at a byte offset.
import { createReadStream, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import type { Metadata, VectorInput } from '../../../lambda/core/types';
import { UsageError } from '../errors';
import type { SourcePosition, SourceRecord, VectorSource } from './types';

interface Layout {
  /** Byte offset of the first data record. */
  readonly dataStart: number;
  /** Column of the metadata JSON, if the header names one. */
  readonly metadataColumn?: number;
}

function parser() {
  return parse({ info: true, trim: true, skip_empty_lines: true, relax_column_count: true, bom: true });
}

/** Reads the header row, if there is one (its first cell is `id`). */
async function readLayout(path: string): Promise<Layout> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  const p = stream.pipe(parser());
  try {
    for await (const { record, info } of p as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
      if (record[0]?.toLowerCase() !== 'id') return { dataStart: 0 };
      const m = record.findIndex((c) => c.toLowerCase() === 'metadata');
      return { dataStart: info.bytes, metadataColumn: m > 0 ? m : undefined };
    }
    return { dataStart: 0 };
  } finally {
    stream.destroy();
    p.destroy();
  }
}

function toItem(record: string[], layout: Layout, where: string): VectorInput {
  const id = record[0];
  if (!id) throw new UsageError(`${where}: the first column (id) is empty`);
  const vector: number[] = [];
  let metadata: Metadata | undefined;
  for (let c = 1; c < record.length; c++) {
    if (c === layout.metadataColumn) {
      if (record[c] === '') continue;
      try {
        metadata = JSON.parse(record[c]) as Metadata;
      } catch {
        throw new UsageError(`${where}: column ${c + 1} (metadata) must be a JSON object`);
      }
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new UsageError(`${where}: column ${c + 1} (metadata) must be a JSON object`);
      continue;
    }
    const x = record[c] === '' ? NaN : Number(record[c]);
    if (!Number.isFinite(x)) throw new UsageError(`${where}: column ${c + 1} must be a finite number, got ${JSON.stringify(record[c])}`);
    vector.push(x);
  }
  if (vector.length === 0) throw new UsageError(`${where}: no vector components after the id`);
  return metadata === undefined ? { id, vector } : { id, vector, metadata };
}

/**
 * CSV (RFC 4180, parsed by csv-parse): one vector per row, `id,x0,x1,...`. An optional header row
 * starts with the cell `id`; a header column named `metadata` holds a JSON object per row (quoted,
 * with doubled quotes). Every other column is a vector component, in order.
 * @param name the input as messages name it
 */
export function csvSource(path: string, name = path): VectorSource {
  return {
    format: 'csv',
    path,
    totalBytes: statSync(path).size,
    async *records(from?: SourcePosition): AsyncGenerator<SourceRecord> {
      const layout = await readLayout(path);
      const startByte = from && from.byte > 0 ? from.byte : layout.dataStart;
      let row = from?.row ?? 0;
      const stream = createReadStream(path, { start: startByte, highWaterMark: 1 << 20 });
      const p = stream.pipe(parser());
      let start = startByte;
      try {
        for await (const { record, info } of p as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
          const end = startByte + info.bytes;
          const item = toItem(record, layout, `${name}: record ${row + 1} (byte ${start})`);
          start = end;
          yield { row, end, item };
          row++;
        }
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw new UsageError(`${name}: record ${row + 1} (byte ${start}): ${(err as Error).message}`);
      } finally {
        stream.destroy();
        p.destroy();
      }
    },
  };
}
