// The NumPy .npy reader of `whiplash import`: a 2-D float32 or float64 array, one vector per row.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { UsageError } from '../errors';
import { fixedRows } from './binary';
import type { VectorSource } from './types';

interface NpyHeader {
  readonly dataStart: number;
  readonly itemBytes: 4 | 8;
  readonly rows: number;
  readonly cols: number;
}

/** Parses the header of a NumPy `.npy` file (format versions 1 to 3). */
export function readNpyHeader(path: string, name = path): NpyHeader {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(12);
    readSync(fd, head, 0, 12, 0);
    if (head.toString('latin1', 0, 6) !== '\x93NUMPY') throw new UsageError(`${name}: not a NumPy .npy file (bad magic)`);
    const major = head[6];
    const lenBytes = major === 1 ? 2 : 4;
    const headerLen = major === 1 ? head.readUInt16LE(8) : head.readUInt32LE(8);
    const dataStart = 8 + lenBytes + headerLen;
    const text = Buffer.alloc(headerLen);
    readSync(fd, text, 0, headerLen, 8 + lenBytes);
    const dict = text.toString('latin1');
    const descr = /'descr':\s*'([^']*)'/.exec(dict)?.[1];
    const fortran = /'fortran_order':\s*(True|False)/.exec(dict)?.[1];
    const shape = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1];
    if (descr !== '<f4' && descr !== '<f8') throw new UsageError(`${name}: dtype ${descr} is not supported; use little-endian float32 ('<f4') or float64 ('<f8')`);
    if (fortran !== 'False') throw new UsageError(`${name}: Fortran-order arrays are not supported; save with np.ascontiguousarray`);
    const dims = (shape ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
    if (dims.length !== 2 || !dims.every((d) => Number.isInteger(d) && d >= 0)) throw new UsageError(`${name}: shape (${shape}) must be 2-D (rows, dimension)`);
    return { dataStart, itemBytes: descr === '<f4' ? 4 : 8, rows: dims[0], cols: dims[1] };
  } finally {
    closeSync(fd);
  }
}

/** NumPy `.npy`: a 2-D C-order array of float32 or float64, one vector per row. */
export function npySource(path: string, idsPath?: string, name = path): VectorSource {
  const h = readNpyHeader(path, name);
  const size = statSync(path).size;
  const rowBytes = h.cols * h.itemBytes;
  if (size < h.dataStart + h.rows * rowBytes) throw new UsageError(`${name}: truncated: the header says ${h.rows} x ${h.cols} but the file is ${size} bytes`);
  const decode = (b: Buffer): number[] => {
    const out = new Array<number>(h.cols);
    for (let j = 0; j < h.cols; j++) out[j] = h.itemBytes === 4 ? b.readFloatLE(j * 4) : b.readDoubleLE(j * 8);
    return out;
  };
  return {
    format: 'npy',
    path,
    totalBytes: size,
    totalRows: h.rows,
    dimension: h.cols,
    records: (from) => fixedRows({ path, dataStart: h.dataStart, rowBytes, rows: h.rows, decode, idsPath, name }, from),
  };
}
