// Writers of the import formats (JSONL, JSON, CSV, .npy, .fvecs, Parquet, gzip, id sidecars), for test fixtures made
// from real embeddings.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import type { Doc } from '../client/support';

/** JSON: one array of `{id, <vectorField>, metadata}` objects, pretty-printed across lines. */
export function writeJsonArray(path: string, docs: readonly Doc[], vectorField = 'vector'): void {
  writeFileSync(path, JSON.stringify(docs.map((d) => ({ id: d.id, [vectorField]: d.vector, metadata: d.metadata })), null, 2) + '\n');
}

/** Gzips `path` into `path.gz` and returns the new path. */
export function gzipFile(path: string): string {
  writeFileSync(`${path}.gz`, gzipSync(readFileSync(path)));
  return `${path}.gz`;
}

/** hyparquet-writer (an ES module), loaded by Node's own require as the CLI loads hyparquet. */
const writer = createRequire(__filename)('hyparquet-writer') as {
  parquetWriteFile(o: { filename: string; columnData: { name: string; data: unknown[] }[]; schema: Record<string, unknown>[]; rowGroupSize?: number; codec?: string }): void;
};

/**
 * Parquet written by hyparquet-writer: `id` (string), `<vectorColumn>` (list<float>, the standard
 * three-level LIST), `category` (string, null for every 5th row), `wordCount` (int64).
 */
export function writeParquet(path: string, docs: readonly Doc[], opts: { vectorColumn?: string; rowGroupSize?: number; element?: 'FLOAT' | 'DOUBLE' } = {}): void {
  const vc = opts.vectorColumn ?? 'embedding';
  writer.parquetWriteFile({
    filename: path,
    rowGroupSize: opts.rowGroupSize ?? 16,
    columnData: [
      { name: 'id', data: docs.map((d) => d.id) },
      { name: vc, data: docs.map((d) => d.vector) },
      { name: 'category', data: docs.map((d, i) => (i % 5 === 4 ? null : d.metadata.category)) },
      { name: 'wordCount', data: docs.map((d) => BigInt(d.metadata.wordCount)) },
    ],
    schema: [
      { name: 'root', num_children: 4 },
      { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: vc, repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: opts.element ?? 'FLOAT', repetition_type: 'REQUIRED' },
      { name: 'category', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'wordCount', type: 'INT64', repetition_type: 'REQUIRED' },
    ],
  });
}

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
