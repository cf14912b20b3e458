// Tests the import checkpoint: the watermark under out-of-order acknowledgements, reloading, and refusing another
// import's checkpoint unless --restart.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportCheckpoint, importIdentity } from '../../lib/cli/checkpoint';

describe('ImportCheckpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wl-cp-'));
  const input = join(dir, 'in.jsonl');
  writeFileSync(input, 'x'.repeat(1000));
  const identity = importIdentity(input, 'jsonl', { apiUrl: 'http://h', projectId: 'p', collection: 'c', collectionCreatedAt: '2026-11-30T10:00:00.000Z' });
  const cpPath = join(dir, 'cp.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ row: from + i, end: (from + i + 1) * 10 }));

  test('out-of-order acknowledgements advance the watermark only over contiguous rows, and survive a reload', () => {
    const cp = ImportCheckpoint.open(cpPath, identity, false);
    expect(cp.resumed).toBe(false);
    cp.ack(rows(10, 20)); // a later batch first
    expect(cp.position).toEqual({ row: 0, byte: 0 });
    expect(cp.isAcked(15)).toBe(true);
    expect(cp.isAcked(5)).toBe(false);
    cp.ack(rows(0, 10));
    expect(cp.position).toEqual({ row: 20, byte: 200 });
    cp.ack(rows(30, 40));
    expect(cp.rowsDone).toBe(30);

    const again = ImportCheckpoint.open(cpPath, identity, false);
    expect(again.resumed).toBe(true);
    expect(again.position).toEqual({ row: 20, byte: 200 });
    expect(again.isAcked(25)).toBe(false);
    expect(again.isAcked(35)).toBe(true);
    again.ack(rows(20, 30));
    expect(again.position).toEqual({ row: 40, byte: 400 });
    expect(JSON.parse(readFileSync(cpPath, 'utf8')).acked).toEqual([]);
  });

  test('a checkpoint of another import is refused unless --restart', () => {
    const other = { ...identity, collection: 'other' };
    expect(() => ImportCheckpoint.open(cpPath, other, false)).toThrow(/belongs to another import \(collection differ/);
    expect(ImportCheckpoint.open(cpPath, other, true).resumed).toBe(false);
    writeFileSync(input, 'y'.repeat(1001));
    const changed = importIdentity(input, 'jsonl', { apiUrl: 'http://h', projectId: 'p', collection: 'c', collectionCreatedAt: '2026-11-30T10:00:00.000Z' });
    expect(() => ImportCheckpoint.open(cpPath, changed, false)).toThrow(/size/);
  });

  test('a checkpoint of a collection dropped and re-created since starts over, and says so', () => {
    writeFileSync(input, 'z'.repeat(1000));
    const first = importIdentity(input, 'jsonl', { apiUrl: 'http://h', projectId: 'p', collection: 'c', collectionCreatedAt: '2026-11-30T10:00:00.000Z' });
    ImportCheckpoint.open(cpPath, first, true).ack(rows(0, 10));
    expect(ImportCheckpoint.open(cpPath, first, false).rowsDone).toBe(10);
    const recreated = { ...first, collectionCreatedAt: '2026-11-30T11:00:00.000Z' };
    const said: string[] = [];
    const cp = ImportCheckpoint.open(cpPath, recreated, false, (line) => said.push(line));
    expect(cp.resumed).toBe(false);
    expect(cp.rowsDone).toBe(0);
    expect(said.join('\n')).toMatch(/collection c was created anew .* starting over from the first row/);
  });
});
