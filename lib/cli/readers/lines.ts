// The lines of a file with exact byte offsets, in constant memory, and ids read from a sidecar file.
import { createReadStream } from 'node:fs';

/** A line of a text file and the byte offset just after it (after its `\n`). */
export interface Line {
  readonly text: string;
  readonly end: number;
}

/**
 * Streams the lines of a file from byte `start`, with exact byte offsets, in constant memory
 * (one read buffer plus the current line). A trailing `\r` is removed; the last line may lack `\n`.
 */
export async function* readLines(path: string, start = 0): AsyncGenerator<Line> {
  let pos = start;
  let rest: Buffer | undefined;
  for await (const chunk of createReadStream(path, { start, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    let i = 0;
    for (let nl = buf.indexOf(0x0a, i); nl !== -1; nl = buf.indexOf(0x0a, i)) {
      const stop = nl > i && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      pos += nl + 1 - i;
      yield { text: buf.toString('utf8', i, stop), end: pos };
      i = nl + 1;
    }
    rest = i < buf.length ? Buffer.from(buf.subarray(i)) : undefined;
  }
  if (rest && rest.length > 0) {
    pos += rest.length;
    const stop = rest[rest.length - 1] === 0x0d ? rest.length - 1 : rest.length;
    yield { text: rest.toString('utf8', 0, stop), end: pos };
  }
}

/**
 * Ids from a sidecar file (one id per line, in record order), starting at record `fromRow`.
 * For formats without ids (npy, fvecs).
 */
export async function* sidecarIds(path: string, fromRow: number): AsyncGenerator<string> {
  let row = 0;
  for await (const line of readLines(path)) {
    if (line.text === '') continue;
    if (row++ >= fromRow) yield line.text;
  }
}
