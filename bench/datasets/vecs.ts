// Reads and writes the .fvecs / .ivecs / .bvecs formats of the TEXMEX corpus as a Matrix.
import { readFileSync } from 'node:fs';
import { Matrix } from './types';

/**
 * The `.fvecs` / `.ivecs` / `.bvecs` formats of the INRIA TEXMEX corpus (SIFT1M, GIST1M;
 * corpus-texmex.irisa.fr): each vector is a little-endian int32 dimension `d` followed by `d`
 * values (float32, int32 or uint8). Every vector of a file must have the same dimension.
 */
export type VecsKind = 'fvecs' | 'ivecs' | 'bvecs';

const VALUE_BYTES: Record<VecsKind, number> = { fvecs: 4, ivecs: 4, bvecs: 1 };

/** The kind of a file from its extension. @throws Error for any other extension. */
export function vecsKindOf(file: string): VecsKind {
  const m = /\.(fvecs|ivecs|bvecs)$/.exec(file);
  if (!m) throw new Error(`${file}: extension is not .fvecs, .ivecs or .bvecs`);
  return m[1] as VecsKind;
}

/**
 * Parses `*vecs` bytes into a matrix.
 * @param maxRows read at most this many rows. @default every row
 * @throws Error when the length is not a whole number of rows or dimensions differ.
 */
export function parseVecs(buf: Uint8Array, kind: VecsKind, maxRows?: number): Matrix {
  if (buf.byteLength === 0) return { rows: 0, dim: 0, data: new Float32Array(0) };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dim = view.getInt32(0, true);
  const bytes = VALUE_BYTES[kind];
  const stride = 4 + dim * bytes;
  if (dim < 1 || buf.byteLength % stride !== 0) {
    throw new Error(`.${kind} length ${buf.byteLength} is not a multiple of the row size ${stride} (dimension ${dim})`);
  }
  const total = buf.byteLength / stride;
  const rows = maxRows === undefined ? total : Math.min(total, maxRows);
  const data = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const o = r * stride;
    const d = view.getInt32(o, true);
    if (d !== dim) throw new Error(`.${kind} row ${r} has dimension ${d}, row 0 has ${dim}`);
    for (let j = 0; j < dim; j++) {
      const p = o + 4 + j * bytes;
      data[r * dim + j] = kind === 'fvecs' ? view.getFloat32(p, true) : kind === 'ivecs' ? view.getInt32(p, true) : view.getUint8(p);
    }
  }
  return { rows, dim, data };
}

/** Reads a `.fvecs`, `.ivecs` or `.bvecs` file (kind from the extension). See {@link parseVecs}. */
export function readVecs(file: string, maxRows?: number): Matrix {
  return parseVecs(readFileSync(file), vecsKindOf(file), maxRows);
}

/** Encodes rows as `.fvecs` (float32) or `.ivecs` (int32; values are truncated to integers). */
export function encodeVecs(m: Matrix, kind: 'fvecs' | 'ivecs'): Buffer {
  const stride = 4 + m.dim * 4;
  const out = Buffer.alloc(m.rows * stride);
  for (let r = 0; r < m.rows; r++) {
    out.writeInt32LE(m.dim, r * stride);
    for (let j = 0; j < m.dim; j++) {
      const v = m.data[r * m.dim + j];
      if (kind === 'fvecs') out.writeFloatLE(v, r * stride + 4 + j * 4);
      else out.writeInt32LE(Math.trunc(v), r * stride + 4 + j * 4);
    }
  }
  return out;
}
