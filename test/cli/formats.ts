// Writers of the import formats (JSONL, CSV, .npy, .fvecs, id sidecars), for test fixtures made from real embeddings.
import { writeFileSync } from 'node:fs';
import type { Doc } from '../client/support';

export function writeJsonl(path: string, docs: readonly Doc[]): void {
  writeFileSync(path, docs.map((d) => JSON.stringify({ id: d.id, vector: d.vector, metadata: d.metadata })).join('\n') + '\n');
}

/** CSV with a header `id,x0,...,metadata`; the metadata column is quoted JSON. */
export function writeCsv(path: string, docs: readonly Doc[], header = true): void {
  const dim = docs[0].vector.length;
  const lines = header ? [['id', ...Array.from({ length: dim }, (_, j) => `x${j}`), 'metadata'].join(',')] : [];
  for (const d of docs) {
    const cells = [d.id, ...d.vector.map(String)];
    if (header) cells.push(`"${JSON.stringify(d.metadata).replace(/"/g, '""')}"`);
    lines.push(cells.join(','));
  }
  writeFileSync(path, lines.join('\r\n') + '\r\n');
}

/** NumPy .npy, version 1.0, C order, `<f4` or `<f8`. */
export function writeNpy(path: string, docs: readonly Doc[], dtype: '<f4' | '<f8' = '<f4'): void {
  const rows = docs.length;
  const cols = docs[0].vector.length;
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const size = dtype === '<f4' ? 4 : 8;
  const data = Buffer.alloc(rows * cols * size);
  docs.forEach((d, i) =>
    d.vector.forEach((x, j) => (size === 4 ? data.writeFloatLE(x, (i * cols + j) * 4) : data.writeDoubleLE(x, (i * cols + j) * 8))),
  );
  writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), data]));
}

/** .fvecs: per vector an int32 dimension, then float32 values (little-endian). */
export function writeFvecs(path: string, docs: readonly Doc[]): void {
  const dim = docs[0].vector.length;
  const buf = Buffer.alloc(docs.length * (4 + 4 * dim));
  docs.forEach((d, i) => {
    const o = i * (4 + 4 * dim);
    buf.writeInt32LE(dim, o);
    d.vector.forEach((x, j) => buf.writeFloatLE(x, o + 4 + 4 * j));
  });
  writeFileSync(path, buf);
}

export function writeIds(path: string, docs: readonly Doc[]): void {
  writeFileSync(path, docs.map((d) => d.id).join('\n') + '\n');
}
