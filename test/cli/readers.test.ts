// Tests the import readers (JSONL, JSON arrays, CSV, npy, fvecs, Parquet; gzip; stdin) on real embeddings: ids,
// metadata, resuming mid-file, and errors that say where.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../lib/cli/errors';
import { Readable } from 'node:stream';
import { openSource, OpenedSource, SourceRecord, VectorSource } from '../../lib/cli/readers';
import { loadDocs } from '../client/support';
import { gzipFile, writeCsv, writeFvecs, writeIds, writeJsonArray, writeJsonl, writeNpy, writeParquet } from './formats';

const f32 = (v: readonly number[]) => Array.from(Float32Array.from(v));

async function all(src: VectorSource, from?: { row: number; byte: number }): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of src.records(from)) out.push(r);
  return out;
}

describe('import readers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wl-readers-'));
  const docs = loadDocs().slice(0, 50);
  const opened: OpenedSource[] = [];
  afterAll(() => {
    for (const s of opened) s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const open = async (...args: Parameters<typeof openSource>) => {
    const s = await openSource(...args);
    opened.push(s);
    return s;
  };

  /** Every reader: all records in order, and reading from any record's start yields exactly the rest. */
  async function checkResumable(src: VectorSource): Promise<SourceRecord[]> {
    const recs = await all(src);
    expect(recs.map((r) => r.row)).toEqual(docs.map((_, i) => i));
    expect(recs[recs.length - 1].end).toBe(src.totalBytes);
    for (const k of [1, 17, 49]) {
      const rest = await all(src, { row: k, byte: recs[k - 1].end });
      expect(rest.map((r) => [r.row, r.item.id, r.end])).toEqual(recs.slice(k).map((r) => [r.row, r.item.id, r.end]));
      expect(rest[0].item.vector).toEqual(recs[k].item.vector);
    }
    return recs;
  }

  test('JSONL: ids, vectors and metadata; resumes at a byte offset', async () => {
    const path = join(dir, 'a.jsonl');
    writeJsonl(path, docs);
    const recs = await checkResumable(await open(path));
    expect(recs.map((r) => r.item)).toEqual(docs.map((d) => ({ id: d.id, vector: d.vector, metadata: d.metadata })));
  });

  test('CSV with a header: the metadata column is JSON, CRLF line ends; resumes at a byte offset', async () => {
    const path = join(dir, 'a.csv');
    writeCsv(path, docs);
    const recs = await checkResumable(await open(path));
    expect(recs.map((r) => r.item)).toEqual(docs.map((d) => ({ id: d.id, vector: d.vector, metadata: d.metadata })));
  });

  test('CSV without a header: id then components', async () => {
    const path = join(dir, 'b.csv');
    writeCsv(path, docs, false);
    const recs = await checkResumable(await open(path));
    expect(recs.map((r) => r.item)).toEqual(docs.map((d) => ({ id: d.id, vector: d.vector })));
  });

  test('npy float32 and float64, ids from row numbers or a sidecar; seeks to a row', async () => {
    const p4 = join(dir, 'a.npy');
    writeNpy(p4, docs, '<f4');
    const src = await open(p4);
    expect(src).toMatchObject({ totalRows: 50, dimension: 384 });
    const recs = await checkResumable(src);
    expect(recs.map((r) => r.item.id)).toEqual(docs.map((_, i) => String(i)));
    expect(recs.map((r) => r.item.vector)).toEqual(docs.map((d) => f32(d.vector)));

    const p8 = join(dir, 'b.npy');
    const ids = join(dir, 'ids.txt');
    writeNpy(p8, docs, '<f8');
    writeIds(ids, docs);
    const recs8 = await checkResumable(await open(p8, { idsPath: ids }));
    expect(recs8.map((r) => r.item)).toEqual(docs.map((d) => ({ id: d.id, vector: d.vector })));
  });

  test('fvecs: dimension from the first vector; seeks to a row', async () => {
    const path = join(dir, 'a.fvecs');
    writeFvecs(path, docs);
    const src = await open(path);
    expect(src).toMatchObject({ totalRows: 50, dimension: 384, totalBytes: 50 * (4 + 384 * 4) });
    const recs = await checkResumable(src);
    expect(recs.map((r) => r.item.vector)).toEqual(docs.map((d) => f32(d.vector)));
  });

  test('bad input is a UsageError that says where', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id":"a","vector":[1,2]}\n{"id":"b","vector":[1,"x"]}\n');
    await expect(all(await open(bad))).rejects.toThrow(/record 2 .*"vector\[1\]" must be a finite number/);
    writeFileSync(bad, '{"id":"a","vector":[1,2]}\nnot json\n');
    await expect(all(await open(bad))).rejects.toThrow(UsageError);

    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'a,1,2\nb,1,oops\n');
    await expect(all(await open(csv))).rejects.toThrow(/record 2 .*column 3 must be a finite number/);

    const npy = join(dir, 'f.npy');
    writeNpy(npy, docs.slice(0, 2));
    const buf = require('node:fs').readFileSync(npy) as Buffer;
    writeFileSync(npy, Buffer.from(buf.toString('latin1').replace("'fortran_order': False", "'fortran_order': True "), 'latin1'));
    await expect(open(npy)).rejects.toThrow(/Fortran-order/);

    const fv = join(dir, 'short.fvecs');
    writeFvecs(fv, docs.slice(0, 2));
    writeFileSync(fv, (require('node:fs').readFileSync(fv) as Buffer).subarray(0, 1000));
    await expect(open(fv)).rejects.toThrow(/not a multiple/);

    await expect(open(join(dir, 'x.parquet'))).rejects.toThrow(/no such file/);
    writeFileSync(join(dir, 'x.vec'), 'a,1,2\n');
    await expect(open(join(dir, 'x.vec'))).rejects.toThrow(/cannot tell the format of .*x\.vec.*--format/);
    writeFileSync(join(dir, 'x.parquet'), 'a,1,2\n');
    await expect(open(join(dir, 'x.parquet'))).rejects.toThrow(/x\.parquet: not a Parquet file/);
  });

  test('JSON: an array of records (vector, values or embedding, or --vector-field), read element by element; resumes at a byte offset', async () => {
    const path = join(dir, 'a.json');
    writeJsonArray(path, docs);
    const recs = await checkResumable(await open(path));
    expect(recs.map((r) => r.item)).toEqual(docs.map((d) => ({ id: d.id, vector: d.vector, metadata: d.metadata })));
    expect(recs[0].row).toBe(0);

    // Pinecone's `values`, found without a flag; a field of another name with --vector-field.
    const pine = join(dir, 'values.json');
    writeJsonArray(pine, docs.slice(0, 3), 'values');
    expect((await all(await open(pine))).map((r) => r.item.vector)).toEqual(docs.slice(0, 3).map((d) => d.vector));
    const emb = join(dir, 'emb.json');
    writeJsonArray(emb, docs.slice(0, 3), 'e5');
    await expect(all(await open(emb))).rejects.toThrow(/record 1 .*"vector" must be a non-empty array of numbers \(the vector is read from "vector", "values", "embedding" or --vector-field\)/);
    expect((await all(await open(emb, { vectorField: 'e5' }))).map((r) => r.item.id)).toEqual(docs.slice(0, 3).map((d) => d.id));

    // Strings holding brackets, braces, quotes and commas do not end an element.
    const tricky = join(dir, 'tricky.json');
    writeFileSync(tricky, '\uFEFF [ {"id":"a]},\\"[","vector":[1,2],"metadata":{"s":"}{,]"}} ,\n{"id":"b","vector":[3,4]}]\n');
    expect((await all(await open(tricky))).map((r) => r.item)).toEqual([
      { id: 'a]},"[', vector: [1, 2], metadata: { s: '}{,]' } },
      { id: 'b', vector: [3, 4] },
    ]);
    writeFileSync(tricky, '[]');
    expect(await all(await open(tricky))).toEqual([]);

    // A .json file of one record per line is read as JSON Lines, as before.
    const lines = join(dir, 'lines.json');
    writeJsonl(lines, docs.slice(0, 4));
    expect((await open(lines)).format).toBe('jsonl');

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '[{"id":"a","vector":[1,2]}, 7]');
    await expect(all(await open(bad))).rejects.toThrow(/bad\.json: byte 28: each element must be a JSON object/);
    writeFileSync(bad, '[{"id":"a","vector":[1,2]}, {"id":"b","vector":[1,');
    await expect(all(await open(bad))).rejects.toThrow(/bad\.json: the array is not closed/);
    writeFileSync(bad, '[{"id":"a","vector":[1,2]}] x');
    await expect(all(await open(bad))).rejects.toThrow(/byte 28: data after the array/);
  });

  test('Parquet (hyparquet): list<float> vector column, id column, other columns as metadata; resumes at any row', async () => {
    const path = join(dir, 'a.parquet');
    writeParquet(path, docs, { rowGroupSize: 16 });
    const src = await open(path);
    expect(src).toMatchObject({ format: 'parquet', totalRows: 50 });
    const recs = await checkResumable(src);
    expect(recs.map((r) => r.item)).toEqual(
      docs.map((d, i) => ({
        id: d.id,
        vector: f32(d.vector),
        metadata: i % 5 === 4 ? { wordCount: d.metadata.wordCount } : { category: d.metadata.category, wordCount: d.metadata.wordCount },
      })),
    );

    // list<double> keeps every digit; a vector column named `vector` or chosen with --vector-field.
    const p64 = join(dir, 'b.parquet');
    writeParquet(p64, docs.slice(0, 5), { element: 'DOUBLE', vectorColumn: 'vector' });
    expect((await all(await open(p64))).map((r) => r.item.vector)).toEqual(docs.slice(0, 5).map((d) => d.vector));
    const other = join(dir, 'c.parquet');
    writeParquet(other, docs.slice(0, 5), { vectorColumn: 'minilm' });
    await expect(open(other)).rejects.toThrow(/c\.parquet: no vector column \(vector, values, embedding\); its columns are id, minilm, category, wordCount: pass --vector-field/);
    expect((await all(await open(other, { vectorField: 'minilm' }))).map((r) => r.item.id)).toEqual(docs.slice(0, 5).map((d) => d.id));
    await expect(open(other, { vectorField: 'minilm', idField: 'key' })).rejects.toThrow(/no id column "key"/);
    // A column of another type as the vector: stops at its first row and says why.
    await expect(all(await open(other, { vectorField: 'category' }))).rejects.toThrow(/row 1: column "category" must be a non-empty list of floats/);
  });

  test('gzip in any format (by its magic bytes), decompressed to a temporary file that close() removes', async () => {
    const jl = join(dir, 'z.jsonl');
    writeJsonl(jl, docs);
    const src = await open(gzipFile(jl));
    expect(src.totalBytes).toBe(readFileSync(jl).length); // positions are those of the decompressed data
    const recs = await checkResumable(src);
    expect(recs.map((r) => r.item.id)).toEqual(docs.map((d) => d.id));
    expect(existsSync(src.path)).toBe(true);
    src.close();
    expect(existsSync(src.path)).toBe(false);

    const pq = join(dir, 'z.parquet');
    writeParquet(pq, docs.slice(0, 10));
    expect((await all(await open(gzipFile(pq)))).map((r) => r.item.id)).toEqual(docs.slice(0, 10).map((d) => d.id));
    const npy = join(dir, 'z.npy');
    writeNpy(npy, docs.slice(0, 10));
    expect(await open(gzipFile(npy))).toMatchObject({ format: 'npy', totalRows: 10, dimension: 384 });

    writeFileSync(join(dir, 'broken.jsonl.gz'), readFileSync(`${jl}.gz`).subarray(0, 200));
    await expect(open(join(dir, 'broken.jsonl.gz'))).rejects.toThrow(/broken\.jsonl\.gz: not valid gzip/);
  });

  test('stdin (-): the format from --format or the first bytes; gzip too', async () => {
    const stdin = (b: Buffer | string) => Readable.from([Buffer.from(b)]);
    const jl = join(dir, 's.jsonl');
    writeJsonl(jl, docs.slice(0, 5));
    const a = await open('-', { stdin: stdin(readFileSync(jl)) });
    expect(a).toMatchObject({ format: 'jsonl', input: { stdin: true, name: 'stdin' } });
    expect((await all(a)).map((r) => r.item)).toEqual(docs.slice(0, 5).map((d) => ({ id: d.id, vector: d.vector, metadata: d.metadata })));

    const pq = join(dir, 's.parquet');
    writeParquet(pq, docs.slice(0, 5));
    expect((await open('-', { stdin: stdin(readFileSync(gzipFile(pq))) })).format).toBe('parquet');

    const csv = join(dir, 's.csv');
    writeCsv(csv, docs.slice(0, 5), false);
    await expect(open('-', { stdin: stdin(readFileSync(csv)) })).rejects.toThrow(/cannot tell the format of stdin from its first bytes; pass --format/);
    const c = await open('-', { stdin: stdin(readFileSync(csv)), format: 'csv' });
    expect((await all(c)).map((r) => r.item.id)).toEqual(docs.slice(0, 5).map((d) => d.id));
    await expect(all(await open('-', { stdin: stdin('{"id":"a","vector":[1,"x"]}\n') }))).rejects.toThrow(/^stdin: record 1 \(byte 0\): "vector\[1\]" must be a finite number/);
  });
});
