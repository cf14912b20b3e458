// Reads and writes NumPy .npy files (1-D and 2-D, C order) as a Matrix.
import { readFileSync } from 'node:fs';
import { Matrix } from './types';

/**
 * NumPy `.npy` (format versions 1.0, 2.0 and 3.0, numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * magic `\x93NUMPY`, version, header length, a Python-dict header with `descr`, `fortran_order`
 * and `shape`, then the raw values. Reads 1-D (one row) and 2-D C-order arrays of
 * float32/float64/int8/uint8/int16/int32/int64 in either byte order.
 */
const DTYPES: Record<string, { bytes: number; read: (v: DataView, o: number, le: boolean) => number }> = {
  f4: { bytes: 4, read: (v, o, le) => v.getFloat32(o, le) },
  f8: { bytes: 8, read: (v, o, le) => v.getFloat64(o, le) },
  i1: { bytes: 1, read: (v, o) => v.getInt8(o) },
  u1: { bytes: 1, read: (v, o) => v.getUint8(o) },
  i2: { bytes: 2, read: (v, o, le) => v.getInt16(o, le) },
  i4: { bytes: 4, read: (v, o, le) => v.getInt32(o, le) },
  i8: { bytes: 8, read: (v, o, le) => Number(v.getBigInt64(o, le)) },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Parses `.npy` bytes into a matrix.
 * @throws Error naming what is wrong: magic, version, dtype, Fortran order, or shape.
 */
export function parseNpy(buf: Uint8Array): Matrix {
  if (buf.byteLength < 10 || MAGIC.some((b, i) => buf[i] !== b)) throw new Error('not a .npy file: bad magic');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const major = buf[6];
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new Error(`.npy format version ${major} is not 1, 2 or 3`);
  }
  const header = Buffer.from(buf.subarray(start, start + headerLen)).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`.npy header is malformed: ${header.trim()}`);
  if (fortran === 'True') throw new Error('.npy arrays in Fortran order are not supported: save with C order');
  const order = descr[0];
  const dtype = DTYPES[descr.slice(1)];
  if (!dtype || !'<>|='.includes(order)) throw new Error(`.npy dtype ${descr} is not supported (f4, f8, i1, u1, i2, i4, i8)`);
  const le = order !== '>';
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.length < 1 || shape.length > 2 || shape.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new Error(`.npy shape (${shapeText}) is not 1- or 2-dimensional`);
  }
  const [rows, dim] = shape.length === 1 ? [1, shape[0]] : shape;
  const dataStart = start + headerLen;
  if (buf.byteLength < dataStart + rows * dim * dtype.bytes) throw new Error('.npy file is truncated');
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = dtype.read(view, dataStart + i * dtype.bytes, le);
  return { rows, dim, data };
}

/** Reads a `.npy` file. See {@link parseNpy}. */
export function readNpy(file: string): Matrix {
  return parseNpy(readFileSync(file));
}

/** Encodes a matrix as a version 1.0 `.npy` file of little-endian float32 (`<f4`), shape `(rows, dim)`. */
export function encodeNpy(m: Matrix): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${m.rows}, ${m.dim}), }`;
  // magic(6) + version(2) + len(2) + header + '\n' must be a multiple of 64
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const out = Buffer.alloc(10 + header.length + m.data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  for (let i = 0; i < m.data.length; i++) out.writeFloatLE(m.data[i], 10 + header.length + i * 4);
  return out;
}
