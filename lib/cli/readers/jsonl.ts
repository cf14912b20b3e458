// The JSON Lines reader of `whiplash import`: one `{id, vector, metadata?}` object per line, resumable at a byte offset.
import { statSync } from 'node:fs';
import { readLines } from './lines';
import { checkRecord, RecordFields } from './record';
import type { SourcePosition, SourceRecord, VectorSource } from './types';
import { UsageError } from '../errors';

/**
 * JSON Lines: one `{"id", "vector", "metadata"?}` object per line; blank lines are skipped.
 * @param name the input as messages name it
 */
export function jsonlSource(path: string, name = path, fields: RecordFields = {}): VectorSource {
  return {
    format: 'jsonl',
    path,
    totalBytes: statSync(path).size,
    async *records(from: SourcePosition = { row: 0, byte: 0 }): AsyncGenerator<SourceRecord> {
      let row = from.row;
      let start = from.byte;
      for await (const line of readLines(path, from.byte)) {
        const where = `${name}: record ${row + 1} (byte ${start})`;
        start = line.end;
        if (line.text.trim() === '') continue;
        let raw: unknown;
        try {
          raw = JSON.parse(line.text);
        } catch (err) {
          throw new UsageError(`${where}: not valid JSON (${(err as Error).message})`);
        }
        yield { row, end: line.end, item: checkRecord(raw, where, fields) };
        row++;
      }
    },
  };
}
