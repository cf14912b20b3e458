// The .fvecs reader of `whiplash import`: float32 vectors, each after its int32 dimension (TEXMEX format).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { UsageError } from '../errors';
import { fixedRows } from './binary';
import type { VectorSource } from './types';

/** `.fvecs` (the TEXMEX / ANN benchmark format): per vector, a little-endian int32 dimension d, then d float32 values. */
export function fvecsSource(path: string, idsPath?: string, name = path): VectorSource {
  const size = statSync(path).size;
  let dimension = 0;
  if (size > 0) {
    const fd = openSync(path, 'r');
    const b = Buffer.alloc(4);
    try {
      readSync(fd, b, 0, 4, 0);
    } finally {
      closeSync(fd);
    }
    dimension = b.readInt32LE(0);
    if (dimension <= 0 || dimension > 1 << 20) throw new UsageError(`${name}: first dimension ${dimension} is not valid for .fvecs`);
  }
  const rowBytes = 4 + dimension * 4;
  if (size > 0 && size % rowBytes !== 0) throw new UsageError(`${name}: size ${size} is not a multiple of ${rowBytes} (4 + 4 x ${dimension}); vectors must all have the same dimension`);
  const rows = size > 0 ? size / rowBytes : 0;
  const decode = (b: Buffer, index: number): number[] => {
    const d = b.readInt32LE(0);
    if (d !== dimension) throw new UsageError(`${name}: vector ${index + 1} has dimension ${d}, expected ${dimension}`);
    const out = new Array<number>(d);
    for (let j = 0; j < d; j++) out[j] = b.readFloatLE(4 + j * 4);
    return out;
  };
  return {
    format: 'fvecs',
    path,
    totalBytes: size,
    totalRows: rows,
    dimension,
    records: (from) => fixedRows({ path, dataStart: 0, rowBytes, rows, decode, idsPath, name }, from),
  };
}
