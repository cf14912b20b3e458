// The JSON reader of `whiplash import`: a file holding one array of `{id, vector, metadata?}` objects, read element
// by element with exact byte offsets, resumable.
import { createReadStream, statSync } from 'node:fs';
import { checkRecord, RecordFields } from './record';
import type { SourcePosition, SourceRecord, VectorSource } from './types';
import { UsageError } from '../errors';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const isBlank = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * The elements (objects) of the top-level JSON array of a file, from byte `start` (0, or an
 * element's `end`), each with the byte offset where reading resumes after it: past its comma, or
 * the end of the file for the last one. Only element boundaries are found here (braces and
 * brackets outside strings; UTF-8 never puts these bytes inside a multi-byte character); each
 * element is parsed by `JSON.parse`. Constant memory: one read buffer plus the current element.
 */
async function* arrayElements(path: string, name: string, start: number, size: number): AsyncGenerator<{ text: string; begin: number; end: number }> {
  if (start >= size && start > 0) return;
  let pos = start;
  let state: 'open' | 'element' | 'delimiter' | 'closed' = start > 0 ? 'element' : 'open';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: Buffer[] = [];
  let begin = 0;
  let done: { text: string; begin: number } | undefined; // an element waiting for its comma or the closing bracket
  for await (const chunk of createReadStream(path, { start, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let i = 0; i < chunk.length; i++, pos++) {
      const b = chunk[i];
      if (depth > 0) {
        if (inString) {
          if (escaped) escaped = false;
          else if (b === BACKSLASH) escaped = true;
          else if (b === QUOTE) inString = false;
        } else if (b === QUOTE) inString = true;
        else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
        else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && --depth === 0) {
          parts.push(chunk.subarray(from, i + 1));
          done = { text: Buffer.concat(parts).toString('utf8'), begin };
          parts = [];
          state = 'delimiter';
        }
        continue;
      }
      if (isBlank(b) || (pos < 3 && b === [0xef, 0xbb, 0xbf][pos])) continue; // blanks, and a UTF-8 BOM
      if (state === 'open') {
        if (b !== OPEN_BRACKET) throw new UsageError(`${name}: byte ${pos}: a .json input holds one array of records (one record per line is .jsonl)`);
        state = 'element';
      } else if (state === 'element' && b === OPEN_BRACE) {
        state = 'delimiter';
        depth = 1;
        begin = pos;
        from = i;
      } else if (state === 'element' && b === CLOSE_BRACKET) {
        state = 'closed'; // `[]` or a trailing `]`
      } else if (state === 'delimiter' && done && (b === COMMA || b === CLOSE_BRACKET)) {
        state = b === COMMA ? 'element' : 'closed';
        yield { ...done, end: b === COMMA ? pos + 1 : size };
        done = undefined;
      } else {
        throw new UsageError(`${name}: byte ${pos}: ${state === 'closed' ? 'data after the array' : state === 'element' ? 'each element must be a JSON object {"id", "vector", "metadata"?}' : 'expected , or ] after an element'}`);
      }
    }
    if (depth > 0) parts.push(Buffer.from(chunk.subarray(from)));
  }
  if (state !== 'closed' && !(state === 'open' && pos === 0)) throw new UsageError(`${name}: the array is not closed (truncated file?)`);
}

/**
 * JSON: one array of `{"id", "vector", "metadata"?}` objects (the vector also as `values` or
 * `embedding`, or under `fields.vector`). Read element by element, so the file need not fit in memory,
 * and resumable at the byte after any element.
 * @param name the input as messages name it
 */
export function jsonSource(path: string, name = path, fields: RecordFields = {}): VectorSource {
  const size = statSync(path).size;
  return {
    format: 'json',
    path,
    totalBytes: size,
    async *records(from: SourcePosition = { row: 0, byte: 0 }): AsyncGenerator<SourceRecord> {
      let row = from.row;
      for await (const el of arrayElements(path, name, from.byte, size)) {
        const where = `${name}: record ${row + 1} (byte ${el.begin})`;
        let raw: unknown;
        try {
          raw = JSON.parse(el.text);
        } catch (err) {
          throw new UsageError(`${where}: not valid JSON (${(err as Error).message})`);
        }
        yield { row, end: el.end, item: checkRecord(raw, where, fields) };
        row++;
      }
    },
  };
}
