// Streams fixed-size rows (npy, fvecs) from any row by seeking to it, with ids from a sidecar file or the row numbers.
import { createReadStream } from 'node:fs';
import { sidecarIds } from './lines';
import type { SourcePosition, SourceRecord } from './types';
import { UsageError } from '../errors';

/** Layout of a file of fixed-size rows (npy, fvecs). */
export interface FixedRows {
  readonly path: string;
  /** Byte offset of row 0. */
  readonly dataStart: number;
  readonly rowBytes: number;
  readonly rows: number;
  /** Decodes one row. */
  decode(row: Buffer, index: number): number[];
  /** Sidecar file with one id per line; ids are the row numbers when absent. */
  readonly idsPath?: string;
  /** The input as messages name it. @default path */
  readonly name?: string;
}

/** Streams fixed-size rows from `from.row`, seeking straight to it; constant memory. */
export async function* fixedRows(layout: FixedRows, from?: SourcePosition): AsyncGenerator<SourceRecord> {
  const first = from?.row ?? 0;
  if (first >= layout.rows) return;
  const start = layout.dataStart + first * layout.rowBytes;
  const ids = layout.idsPath ? sidecarIds(layout.idsPath, first) : undefined;
  let row = first;
  let rest: Buffer | undefined;
  const stream = createReadStream(layout.path, { start, end: layout.dataStart + layout.rows * layout.rowBytes - 1, highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      let i = 0;
      for (; i + layout.rowBytes <= buf.length; i += layout.rowBytes) {
        let id = String(row);
        if (ids) {
          const next = await ids.next();
          if (next.done) throw new UsageError(`${layout.idsPath}: has fewer ids than ${layout.name ?? layout.path} has rows (${layout.rows})`);
          id = next.value;
        }
        const vector = layout.decode(buf.subarray(i, i + layout.rowBytes), row);
        yield { row, end: layout.dataStart + (row + 1) * layout.rowBytes, item: { id, vector } };
        row++;
      }
      rest = i < buf.length ? Buffer.from(buf.subarray(i)) : undefined;
    }
  } finally {
    stream.destroy();
    await ids?.return(undefined);
  }
}
