// Tests the import readers (JSONL, CSV, npy, fvecs) on real embeddings: ids, metadata, resuming mid-file, and
// errors that say where.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../lib/cli/errors';
import { openSource, SourceRecord, VectorSource } from '../../lib/cli/readers';
import { loadDocs } from '../client/support';
import { writeCsv, writeFvecs, writeIds, writeJsonl, writeNpy } from './formats';

const f32 = (v: readonly number[]) => Array.from(Float32Array.from(v));

async function all(src: VectorSource, from?: { row: number; byte: number }): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of src.records(from)) out.push(r);
  return out;
}

describe('import readers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wl-readers-'));
  const docs = loadDocs().slice(0, 50);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
    const recs = await checkResumable(openSource(path));
    expect(recs.map((r) => r.item)).toEqual(docs.map((d) => ({ id: d.id, vector: d.vector, metadata: d.metadata })));
  });

  test('CSV with a header: the metadata column is JSON, CRLF line ends; resumes at a byte offset', async () => {
    const path = join(dir, 'a.csv');
    writeCsv(path, docs);
    const recs = await checkResumable(openSource(path));
    expect(recs.map((r) => r.item)).toEqual(docs.map((d) => ({ id: d.id, vector: d.vector, metadata: d.metadata })));
  });

  test('CSV without a header: id then components', async () => {
    const path = join(dir, 'b.csv');
    writeCsv(path, docs, false);
    const recs = await checkResumable(openSource(path));
    expect(recs.map((r) => r.item)).toEqual(docs.map((d) => ({ id: d.id, vector: d.vector })));
  });

  test('npy float32 and float64, ids from row numbers or a sidecar; seeks to a row', async () => {
    const p4 = join(dir, 'a.npy');
    writeNpy(p4, docs, '<f4');
    const src = openSource(p4);
    expect(src).toMatchObject({ totalRows: 50, dimension: 384 });
    const recs = await checkResumable(src);
    expect(recs.map((r) => r.item.id)).toEqual(docs.map((_, i) => String(i)));
    expect(recs.map((r) => r.item.vector)).toEqual(docs.map((d) => f32(d.vector)));

    const p8 = join(dir, 'b.npy');
    const ids = join(dir, 'ids.txt');
    writeNpy(p8, docs, '<f8');
    writeIds(ids, docs);
    const recs8 = await checkResumable(openSource(p8, { idsPath: ids }));
    expect(recs8.map((r) => r.item)).toEqual(docs.map((d) => ({ id: d.id, vector: d.vector })));
  });

  test('fvecs: dimension from the first vector; seeks to a row', async () => {
    const path = join(dir, 'a.fvecs');
    writeFvecs(path, docs);
    const src = openSource(path);
    expect(src).toMatchObject({ totalRows: 50, dimension: 384, totalBytes: 50 * (4 + 384 * 4) });
    const recs = await checkResumable(src);
    expect(recs.map((r) => r.item.vector)).toEqual(docs.map((d) => f32(d.vector)));
  });

  test('bad input is a UsageError that says where', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id":"a","vector":[1,2]}\n{"id":"b","vector":[1,"x"]}\n');
    await expect(all(openSource(bad))).rejects.toThrow(/record 2 .*"vector\[1\]" must be a finite number/);
    writeFileSync(bad, '{"id":"a","vector":[1,2]}\nnot json\n');
    await expect(all(openSource(bad))).rejects.toThrow(UsageError);

    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'a,1,2\nb,1,oops\n');
    await expect(all(openSource(csv))).rejects.toThrow(/record 2 .*column 3 must be a finite number/);

    const npy = join(dir, 'f.npy');
    writeNpy(npy, docs.slice(0, 2));
    const buf = require('node:fs').readFileSync(npy) as Buffer;
    writeFileSync(npy, Buffer.from(buf.toString('latin1').replace("'fortran_order': False", "'fortran_order': True "), 'latin1'));
    expect(() => openSource(npy)).toThrow(/Fortran-order/);

    const fv = join(dir, 'short.fvecs');
    writeFvecs(fv, docs.slice(0, 2));
    writeFileSync(fv, (require('node:fs').readFileSync(fv) as Buffer).subarray(0, 1000));
    expect(() => openSource(fv)).toThrow(/not a multiple/);

    expect(() => openSource(join(dir, 'x.parquet'))).toThrow(/no such file/);
    writeFileSync(join(dir, 'x.parquet'), '');
    expect(() => openSource(join(dir, 'x.parquet'))).toThrow(/--format/);
  });
});
