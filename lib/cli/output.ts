// Output of `whiplash`: tables, records and confirmations for people, JSON for scripts.
/** Output of `whiplash`: aligned tables for people, JSON (`--json`) for scripts. */

export type Row = Record<string, unknown>;

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    const s = v.toFixed(6);
    return /^-0\.0+$/.test(s) ? s.slice(1) : s; // no "-0.000000" for a rounding residue
  }
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/**
 * Formats rows as a table with a header line; columns are padded to their widest cell, numbers
 * are right-aligned.
 */
export function formatTable(rows: readonly Row[], columns: readonly string[]): string {
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, j) => Math.max(c.length, ...cells.map((row) => row[j].length)));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number' || r[c] === undefined));
  const line = (vals: string[], header = false) =>
    vals
      .map((v, j) => (numeric[j] && !header ? v.padStart(widths[j]) : v.padEnd(widths[j])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase()), true), ...cells.map((r) => line(r))].join('\n') + '\n';
}

/** Formats one object as aligned `key  value` lines. */
export function formatRecord(obj: Row): string {
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  const w = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(w)}  ${cell(obj[k])}`).join('\n') + '\n';
}

/** Writes `value` as JSON (`--json`) or as a table / record. */
export class Output {
  constructor(
    private readonly out: NodeJS.WritableStream,
    readonly json: boolean,
  ) {}

  table(rows: readonly Row[], columns: readonly string[], jsonValue: unknown = rows): void {
    this.out.write(this.json ? JSON.stringify(jsonValue, null, 2) + '\n' : formatTable(rows, columns));
  }

  record(obj: Row, jsonValue: unknown = obj): void {
    this.out.write(this.json ? JSON.stringify(jsonValue, null, 2) + '\n' : formatRecord(obj));
  }

  /** A short confirmation; as `{"ok": true, ...}` in JSON mode. */
  done(message: string, jsonValue: Row = {}): void {
    this.out.write(this.json ? JSON.stringify({ ok: true, ...jsonValue }, null, 2) + '\n' : message + '\n');
  }
}

/** Shortens a vector for a table cell. */
export function previewVector(v: readonly number[] | undefined): string | undefined {
  if (!v) return undefined;
  const head = v.slice(0, 4).map((x) => x.toFixed(4)).join(', ');
  return v.length > 4 ? `[${head}, ... ${v.length} values]` : `[${head}]`;
}
