// Tests the cost model's inputs: choosing the anchor measurement and the growth exponent from result files, price
// sources, and index-setting differences.
import { createdLike, findExponents, indexDifferences, isWhiplashDefault, pickAnchor, pickExponent, MeasuredSystem } from '../../bench/cost/inputs';
import type { Summary } from '../../bench/summary';
import { PRICES } from '../../bench/cost/prices';

const m = (over: Partial<MeasuredSystem>): MeasuredSystem => ({
  file: 'x.json',
  commit: 'abc',
  date: '2026-11-22T00:00:00.000Z',
  dataset: 'fashion-mnist',
  dim: 784,
  base: 60_000,
  queries: 100,
  label: 'whiplash (defaults)',
  recall: 0.95,
  readUnits: 280,
  candidates: 6000,
  p50Ms: 250,
  indexMethod: 'lsh',
  ...over,
});

describe('cost model inputs', () => {
  test('the anchor is the largest Fashion-MNIST collection, then the latest run', () => {
    const picked = pickAnchor([
      m({ file: 'small.json', base: 10_000, date: '2026-11-22T05:00:00.000Z' }),
      m({ file: 'old.json', date: '2026-11-22T01:00:00.000Z', queries: 300 }),
      m({ file: 'new.json', date: '2026-11-22T03:00:00.000Z' }),
      m({ file: 'glove.json', dataset: 'glove-100', base: 340_000 }),
    ]);
    expect(picked?.file).toBe('new.json');
    expect(pickAnchor([m({ dataset: 'minilm' })])).toBeUndefined();
  });

  test('exponents are found anywhere in a result, Whiplash read units preferred, the original ignored', () => {
    const found = findExponents({ scaling: { original: { readUnitsExponent: 1.01 }, whiplash: { readUnitsExponent: 0.21, candidatesExponent: 0.3 } }, n: 3 }, 'f.json');
    expect(found).toEqual([
      { file: 'f.json', path: 'scaling.original.readUnitsExponent', value: 1.01 },
      { file: 'f.json', path: 'scaling.whiplash.readUnitsExponent', value: 0.21 },
      { file: 'f.json', path: 'scaling.whiplash.candidatesExponent', value: 0.3 },
    ]);
    expect(pickExponent(found)?.value).toBe(0.21);
    expect(pickExponent([])).toBeUndefined();
    // fits in a list: the object's own system / label names whose exponent it is
    const listed = findExponents({ fits: [{ system: 'original-model', fit: { exponent: 0.98 } }, { system: 'model', label: 'whiplash (model)', fit: { exponent: 0.18 } }] }, 'g.json');
    expect(listed.map((e) => e.path)).toEqual(['fits.0[original-model].fit.exponent', 'fits.1[model / whiplash (model)].fit.exponent']);
    expect(pickExponent(listed)?.value).toBe(0.18);
    expect(pickExponent(listed, 'original')?.value).toBe(0.98);
    // the shape bench/report.ts writes: scaling.fits.<system>.readUnits.exponent; the anchor's own file first
    const a = findExponents({ scaling: { fits: { model: { readUnits: { exponent: 0.2 }, candidates: { exponent: 0.4 } }, 'original-model': { readUnits: { exponent: 1.0 } } } } }, 'fashion-mnist.json');
    const b = findExponents({ scaling: { fits: { model: { readUnits: { exponent: 0.5 } } } } }, 'glove-100.json');
    expect(pickExponent([...b, ...a], 'whiplash', 'fashion-mnist.json')?.path).toBe('scaling.fits.model.readUnits.exponent');
    expect(pickExponent([...b, ...a], 'whiplash', 'fashion-mnist.json')?.value).toBe(0.2);
    expect(pickExponent([...b, ...a], 'whiplash', 'x.json', 'glove')?.value).toBe(0.5);
    expect(pickExponent([...b, ...a], 'original')?.value).toBe(1.0);
  });

  test("Whiplash's default settings: no per-query overrides and the index method the store chose; results without that record count hash tables only", () => {
    const run = (settings: Record<string, unknown>) => ({ system: 'whiplash', settings }) as unknown as Summary;
    expect(isWhiplashDefault(run({ overrides: {}, indexMethod: 'ivf', indexMethodGiven: false }))).toBe(true);
    expect(isWhiplashDefault(run({ overrides: {}, indexMethod: 'lsh', indexMethodGiven: true }))).toBe(false);
    expect(isWhiplashDefault(run({ overrides: { probes: 4 }, indexMethod: 'ivf', indexMethodGiven: false }))).toBe(false);
    // results written before the lists default
    expect(isWhiplashDefault(run({ overrides: {} }))).toBe(true);
    expect(isWhiplashDefault(run({ overrides: {}, indexMethod: 'ivf', listSize: 1000 }))).toBe(false);
  });

  test("a collection like a run's: in k-means lists, its index less the hash table parameters the store refuses there", () => {
    const index = { hashTables: 1, partitionBits: 4, recallTarget: 0.95, sketchBits: 384, rerank: 500 };
    expect(createdLike(m({ index, indexMethod: 'ivf' }))).toEqual({ index: { recallTarget: 0.95, sketchBits: 384, rerank: 500 }, indexMethod: 'ivf' });
    expect(createdLike(m({ index, indexMethod: 'lsh' }))).toEqual({ index, indexMethod: 'lsh' });
  });

  test('every price names an https source and the date it was read', () => {
    for (const p of Object.values(PRICES)) {
      expect(p.source).toMatch(/^https:\/\//);
      expect(p.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(p.usd).toBeGreaterThan(0);
    }
  });
});

describe('index settings of two runs', () => {
  test('differences are listed by key; unknown settings compare as equal', () => {
    expect(indexDifferences({ hashTables: 16, probes: 5 }, { hashTables: 20, probes: 5 })).toEqual(['hashTables: 16 vs 20']);
    expect(indexDifferences({ hashTables: 16 }, { hashTables: 16 })).toEqual([]);
    expect(indexDifferences(undefined, { hashTables: 16 })).toEqual([]);
  });
});
