// The import checkpoint: which rows of an input file the server acknowledged, saved atomically after every batch
// so that a re-run resumes where the last one stopped.
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './errors';
import type { SourceFormat, SourcePosition } from './readers';

/** What an import writes to, and what it reads. A checkpoint only resumes the same pair. */
export interface ImportIdentity {
  readonly apiUrl: string;
  readonly projectId: string;
  readonly collection: string;
  /** When the collection was created: a dropped and re-created collection of the same name differs. */
  readonly collectionCreatedAt: string;
  readonly format: SourceFormat;
  /** Absolute path of the input file. */
  readonly input: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** A run of acknowledged rows `[start, end)` beyond the watermark, and the byte offset after row `end - 1`. */
type Range = [start: number, end: number, endByte: number];

interface CheckpointFile {
  readonly version: 1;
  readonly identity: ImportIdentity;
  /** Every record before `watermark.row` was acknowledged by the server. */
  readonly watermark: SourcePosition;
  /** Rows acknowledged beyond the watermark (batches that completed out of order). */
  readonly acked: Range[];
  readonly updatedAt: string;
}

/** The checkpoint file beside the input unless `--checkpoint` names another. */
export function defaultCheckpointPath(input: string): string {
  return `${input}.whiplash-import.json`;
}

/** Identity of an import of `input` into a collection. */
export function importIdentity(input: string, format: SourceFormat, target: { apiUrl: string; projectId: string; collection: string; collectionCreatedAt: string }): ImportIdentity {
  const st = statSync(input);
  return { ...target, format, input: resolve(input), size: st.size, mtimeMs: Math.trunc(st.mtimeMs) };
}

/**
 * Progress of one import, saved after every acknowledged batch so that a re-run after an
 * interruption (even `kill -9`) skips exactly the acknowledged rows and re-sends the rest
 * (upserts are idempotent). Written atomically: a temporary file, then rename.
 */
export class ImportCheckpoint {
  private watermark: SourcePosition = { row: 0, byte: 0 };
  private acked: Range[] = [];

  private constructor(
    readonly path: string,
    private readonly identity: ImportIdentity,
  ) {}

  /**
   * Opens the checkpoint at `path`: resumes it when it belongs to this import, starts afresh
   * when there is none or `restart` is set.
   * A checkpoint of the same import into a collection that was dropped and re-created since is
   * not resumed (its rows went with the old collection): the import starts over and `log` says so.
   * @throws UsageError when the checkpoint belongs to another import (another file, changed file, other target)
   */
  static open(path: string, identity: ImportIdentity, restart: boolean, log: (line: string) => void = () => undefined): ImportCheckpoint {
    const cp = new ImportCheckpoint(path, identity);
    if (restart || !existsSync(path)) return cp;
    let saved: CheckpointFile;
    try {
      saved = JSON.parse(readFileSync(path, 'utf8')) as CheckpointFile;
    } catch (err) {
      throw new UsageError(`${path}: checkpoint is not readable (${(err as Error).message}); pass --restart to start over`);
    }
    const diff = (Object.keys(identity) as (keyof ImportIdentity)[]).filter((k) => saved.identity?.[k] !== identity[k]);
    if (saved.version === 1 && diff.length === 1 && diff[0] === 'collectionCreatedAt') {
      log(
        `${path}: collection ${identity.collection} was created anew (${identity.collectionCreatedAt}) since this checkpoint` +
          `${saved.identity.collectionCreatedAt ? ` (${saved.identity.collectionCreatedAt})` : ''}: its rows went with the old collection, starting over from the first row`,
      );
      return cp;
    }
    if (saved.version !== 1 || diff.length > 0) {
      throw new UsageError(`${path}: checkpoint belongs to another import (${diff.join(', ') || 'version'} differ); pass --restart to start over`);
    }
    cp.watermark = saved.watermark;
    cp.acked = saved.acked;
    return cp;
  }

  /** True when a previous run left progress to resume. */
  get resumed(): boolean {
    return this.watermark.row > 0 || this.acked.length > 0;
  }

  /** Where reading resumes: the first record not known to be acknowledged in order. */
  get position(): SourcePosition {
    return this.watermark;
  }

  /** Bytes of the input before the watermark. */
  get bytesDone(): number {
    return this.watermark.byte;
  }

  /** Rows acknowledged so far, this run and earlier ones. */
  get rowsDone(): number {
    return this.watermark.row + this.acked.reduce((n, [s, e]) => n + e - s, 0);
  }

  /** True when `row` was acknowledged by an earlier run (beyond the watermark). */
  isAcked(row: number): boolean {
    return row < this.watermark.row || this.acked.some(([s, e]) => row >= s && row < e);
  }

  /** Records acknowledged rows (ascending `row`, with the byte offset after each) and saves. */
  ack(rows: readonly { row: number; end: number }[]): void {
    for (const r of rows) this.addRange([r.row, r.row + 1, r.end]);
    while (this.acked.length > 0 && this.acked[0][0] === this.watermark.row) {
      const [, end, endByte] = this.acked.shift()!;
      this.watermark = { row: end, byte: endByte };
    }
    this.save();
  }

  /** Deletes the checkpoint (the import finished). */
  remove(): void {
    rmSync(this.path, { force: true });
  }

  save(): void {
    const data: CheckpointFile = { version: 1, identity: this.identity, watermark: this.watermark, acked: this.acked, updatedAt: new Date().toISOString() };
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.path);
  }

  /** Inserts a range, merging it with its neighbours; `acked` stays sorted and disjoint. */
  private addRange(r: Range): void {
    let i = this.acked.findIndex(([s]) => s > r[0]);
    if (i === -1) i = this.acked.length;
    this.acked.splice(i, 0, r);
    const merged: Range[] = [];
    for (const cur of this.acked) {
      const last = merged[merged.length - 1];
      if (last && cur[0] <= last[1]) {
        if (cur[1] > last[1]) {
          last[1] = cur[1];
          last[2] = cur[2];
        }
      } else merged.push([cur[0], cur[1], cur[2]]);
    }
    this.acked = merged;
  }
}
