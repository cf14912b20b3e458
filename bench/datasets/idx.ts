// Reads and writes the IDX format of MNIST and Fashion-MNIST as a Matrix.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Matrix } from './types';

/**
 * IDX, the format of MNIST and Fashion-MNIST (yann.lecun.com/exdb/mnist): a big-endian header
 * `0x00 0x00 <type> <ndims>`, then `ndims` uint32 sizes, then the values, big-endian, row-major.
 * Type codes: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64.
 */
const IDX_TYPES: Record<number, { bytes: number; read: (v: DataView, o: number) => number }> = {
  0x08: { bytes: 1, read: (v, o) => v.getUint8(o) },
  0x09: { bytes: 1, read: (v, o) => v.getInt8(o) },
  0x0b: { bytes: 2, read: (v, o) => v.getInt16(o, false) },
  0x0c: { bytes: 4, read: (v, o) => v.getInt32(o, false) },
  0x0d: { bytes: 4, read: (v, o) => v.getFloat32(o, false) },
  0x0e: { bytes: 8, read: (v, o) => v.getFloat64(o, false) },
};

/**
 * Parses IDX bytes (already gunzipped) into a matrix: the first dimension is the row count, the
 * others are flattened into the row (28 x 28 images become 784-component rows). A 1-dimensional
 * file (labels) becomes `n x 1`.
 *
 * @param maxRows read at most this many rows. @default every row
 * @throws Error when the magic number, type code or length is wrong.
 */
export function parseIdx(buf: Uint8Array, maxRows?: number): Matrix {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < 4 || view.getUint8(0) !== 0 || view.getUint8(1) !== 0) {
    throw new Error('not an IDX file: the first two bytes must be zero');
  }
  const type = IDX_TYPES[view.getUint8(2)];
  if (!type) throw new Error(`IDX type code 0x${view.getUint8(2).toString(16)} is not one of 08, 09, 0B, 0C, 0D, 0E`);
  const ndims = view.getUint8(3);
  if (ndims < 1) throw new Error('IDX file has no dimensions');
  const headerBytes = 4 + 4 * ndims;
  if (buf.byteLength < headerBytes) throw new Error('IDX header is truncated');
  const sizes = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const total = sizes[0];
  const dim = sizes.slice(1).reduce((a, b) => a * b, 1);
  const rows = maxRows === undefined ? total : Math.min(total, maxRows);
  const expected = headerBytes + total * dim * type.bytes;
  if (buf.byteLength < expected) {
    throw new Error(`IDX file is truncated: ${buf.byteLength} bytes, the header promises ${expected}`);
  }
  const data = new Float32Array(rows * dim);
  if (type.bytes === 1 && view.getUint8(2) === 0x08) {
    data.set(buf.subarray(headerBytes, headerBytes + rows * dim)); // uint8 -> float32, fast path
  } else {
    for (let i = 0; i < rows * dim; i++) data[i] = type.read(view, headerBytes + i * type.bytes);
  }
  return { rows, dim, data };
}

/** Reads an IDX file, gunzipping it when its name ends in `.gz`. See {@link parseIdx}. */
export function readIdx(file: string, maxRows?: number): Matrix {
  const raw = readFileSync(file);
  return parseIdx(file.endsWith('.gz') ? gunzipSync(raw) : raw, maxRows);
}

/** Encodes a matrix as an IDX file of uint8 (type 0x08) with shape `rows x dim`; values are rounded and clamped to 0..255. */
export function encodeIdxUint8(m: Matrix): Buffer {
  const buf = Buffer.alloc(4 + 8 + m.rows * m.dim);
  buf.writeUInt32BE(0x00000802, 0);
  buf.writeUInt32BE(m.rows, 4);
  buf.writeUInt32BE(m.dim, 8);
  for (let i = 0; i < m.data.length; i++) buf[12 + i] = Math.max(0, Math.min(255, Math.round(m.data[i])));
  return buf;
}
