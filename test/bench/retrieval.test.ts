// Tests the retrieval benchmark's pure helpers: metadata cut or padded to a byte budget, the rows a
// filter keeps, the read-unit ratio check, and the MiniLM records lined up with the held-out split.
import { readFileSync } from 'node:fs';
import { ValidationError } from '../../lambda/core/errors';
import { MAX_METADATA_BYTES } from '../../lambda/core/limits';
import { checkMetadata } from '../../lambda/core/metadata';
import type { Filter, Metadata } from '../../lambda/core/types';
import { loadMiniLm, loadMiniLmRecords, MINILM_DIM, miniLmFile, miniLmSplit, parseFloat32Rows } from '../../bench/datasets/minilm';
import { row } from '../../bench/datasets/types';
import { fitText, matchingRows, metadataBytes } from '../../bench/retrieval/metadata';
import { ratioCheck, READ_UNIT_RATIO_TARGET, RetrievalConfiguration } from '../../bench/retrieval/report';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const base = { category: 'Sapui5', wordCount: 615 };
const textOf = (m: { text?: unknown }) => m.text as string;

describe('fitText', () => {
  it('keeps a text that fits whole, uncut', () => {
    const out = fitText(base, 'text', 'a short "chunk"\nof text', 1000);
    expect(out).toEqual({ metadata: { ...base, text: 'a short "chunk"\nof text' }, cut: false });
  });

  it('cuts the longest real chunk to the longest prefix that fits, which the store accepts', () => {
    const longest = loadMiniLmRecords().reduce((a, r) => (r.content.length > a.length ? r.content : a), '');
    const out = fitText(base, 'text', longest, MAX_METADATA_BYTES);
    expect(out.cut).toBe(true);
    expect(metadataBytes(out.metadata)).toBeLessThanOrEqual(MAX_METADATA_BYTES);
    expect(longest.startsWith(textOf(out.metadata))).toBe(true);
    // one more code point would not fit
    const next = Array.from(longest.slice(textOf(out.metadata).length))[0];
    expect(metadataBytes({ ...out.metadata, text: textOf(out.metadata) + next })).toBeGreaterThan(MAX_METADATA_BYTES);
    expect(checkMetadata(out.metadata, 'metadata', new Set(['text']))).toEqual(out.metadata);
  });

  it('never cuts inside a surrogate pair, and counts escapes and multi-byte characters as JSON bytes', () => {
    const text = 'é"\n😀'.repeat(5000);
    for (const budget of [100, 101, 102, 103, 1001, 4096]) {
      const out = fitText(base, 'text', text, budget);
      expect(out.cut).toBe(true);
      expect(textOf(out.metadata)).not.toMatch(LONE_SURROGATE);
      expect(metadataBytes(out.metadata)).toBeLessThanOrEqual(budget);
      expect(text.startsWith(textOf(out.metadata))).toBe(true);
      // within one code point's JSON of the budget (at most 4 bytes, or 2 for an escape)
      expect(budget - metadataBytes(out.metadata)).toBeLessThan(4);
    }
  });

  it('pads a short text by repeating it to fill the budget, and an empty one with spaces', () => {
    const out = fitText(base, 'text', 'abc ', MAX_METADATA_BYTES, { pad: true });
    expect(out.cut).toBe(false);
    expect(metadataBytes(out.metadata)).toBe(MAX_METADATA_BYTES);
    expect('abc '.repeat(20000).startsWith(textOf(out.metadata))).toBe(true);
    const empty = fitText(base, 'text', '', 200, { pad: true });
    expect(metadataBytes(empty.metadata)).toBe(200);
    expect(textOf(empty.metadata)).toMatch(/^ +$/);
  });

  it('pads a long text by cutting it, and says it was cut', () => {
    const out = fitText(base, 'text', 'x'.repeat(50000), MAX_METADATA_BYTES, { pad: true });
    expect(out.cut).toBe(true);
    expect(metadataBytes(out.metadata)).toBe(MAX_METADATA_BYTES);
  });

  it('refuses a budget the metadata without text already exceeds', () => {
    expect(() => fitText(base, 'text', 'x', 20)).toThrow(RangeError);
  });
});

describe('matchingRows', () => {
  const rows: Metadata[] = [
    { category: 'Sapui5', wordCount: 100 },
    { category: 'Btp Fiori Tools', wordCount: 600 },
    { category: 'Sapui5', wordCount: 800 },
    { wordCount: 300 },
  ];

  it('keeps every row without a filter, and the rows the store predicate passes with one', () => {
    expect(matchingRows(rows, undefined)).toEqual([0, 1, 2, 3]);
    expect(matchingRows(rows, { category: { $eq: 'Sapui5' } })).toEqual([0, 2]);
    expect(matchingRows(rows, { wordCount: { $gte: 250, $lt: 750 } })).toEqual([1, 3]);
    expect(matchingRows(rows, { category: 'Sapui5', wordCount: { $gte: 500 } })).toEqual([2]);
    expect(matchingRows(rows, { category: { $ne: 'Sapui5' } })).toEqual([1, 3]);
  });

  it('refuses a filter the store refuses', () => {
    expect(() => matchingRows(rows, { wordCount: { $gte: 'x' } } as unknown as Filter)).toThrow(ValidationError);
  });
});

describe('ratioCheck', () => {
  const config = (collection: string, filter: string, readUnits: number, includeMetadata = false, queries = 100) =>
    ({ collection, filter, readUnits, includeMetadata, queries }) as RetrievalConfiguration;

  it('pools every filter without metadata, and holds the worst filter to the target too', () => {
    const configs = [config('bare', 'none', 30), config('bare', 'a', 40), config('t', 'none', 31), config('t', 'a', 40), config('t', 'a', 90, true)];
    const r = ratioCheck(configs, 't')!;
    expect(r.ratio).toBeCloseTo(71 / 70, 12);
    expect(r.worst).toBeCloseTo(31 / 30, 12);
    expect(r.met).toBe(true);
    const over = ratioCheck([...configs.slice(0, 2), config('t', 'none', 30), config('t', 'a', 40 * READ_UNIT_RATIO_TARGET + 1)], 't')!;
    expect(over.ratio).toBeLessThan(READ_UNIT_RATIO_TARGET);
    expect(over.met).toBe(false);
    expect(ratioCheck(configs, 'missing')).toBeUndefined();
  });
});

describe('MiniLM records and the held-out split', () => {
  it('lines the records up with the base rows loadMiniLm keeps', () => {
    const records = loadMiniLmRecords();
    const all = parseFloat32Rows(readFileSync(miniLmFile()), MINILM_DIM);
    expect(records).toHaveLength(all.rows);
    const ds = loadMiniLm();
    const { queryRows, baseRows } = miniLmSplit(all.rows);
    expect(baseRows).toHaveLength(ds.base.rows);
    expect(queryRows).toHaveLength(ds.queries.rows);
    for (const i of [0, 1, 337, ds.base.rows - 1]) expect(row(ds.base, i)).toEqual(row(all, baseRows[i]));
    for (const i of [0, 99]) expect(row(ds.queries, i)).toEqual(row(all, queryRows[i]));
    expect(records.every((r) => typeof r.category === 'string' && Number.isFinite(r.wordCount) && typeof r.content === 'string')).toBe(true);
  });
});
