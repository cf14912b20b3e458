// Reads vectors from JSON Lines (an array, or an object with a vector field, per line) into a Matrix with ids.
import { readFileSync } from 'node:fs';
import { Matrix } from './types';

/** Field names tried, in order, when a JSONL line is an object rather than an array. */
export const JSONL_VECTOR_FIELDS = ['vector', 'embedding', 'values', 'emb'] as const;

/**
 * Parses JSON Lines where each non-empty line is either an array of numbers or an object holding
 * the vector under `field` (or, without `field`, the first of {@link JSONL_VECTOR_FIELDS} present).
 *
 * @throws Error naming the line (1-based) that is not valid JSON, has no vector, holds a
 *   non-finite value, or whose dimension differs from the first line's.
 */
export function parseJsonl(text: string, opts: { field?: string; maxRows?: number } = {}): Matrix & { ids: string[] } {
  const rows: number[][] = [];
  const ids: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && (opts.maxRows === undefined || rows.length < opts.maxRows); i++) {
    const line = lines[i].trim();
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new Error(`JSONL line ${i + 1} is not valid JSON: ${(err as Error).message}`);
    }
    let vec: unknown = value;
    let id: string = String(rows.length);
    if (!Array.isArray(value)) {
      if (typeof value !== 'object' || value === null) throw new Error(`JSONL line ${i + 1} is neither an array nor an object`);
      const obj = value as Record<string, unknown>;
      const key = opts.field ?? JSONL_VECTOR_FIELDS.find((f) => f in obj);
      if (!key || !(key in obj)) throw new Error(`JSONL line ${i + 1} has no vector field (${opts.field ?? JSONL_VECTOR_FIELDS.join(', ')})`);
      vec = obj[key];
      if (typeof obj.id === 'string' || typeof obj.id === 'number') id = String(obj.id);
    }
    if (!Array.isArray(vec) || vec.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw new Error(`JSONL line ${i + 1}: the vector must be an array of finite numbers`);
    }
    if (rows.length > 0 && vec.length !== rows[0].length) {
      throw new Error(`JSONL line ${i + 1} has dimension ${vec.length}, the first vector has ${rows[0].length}`);
    }
    rows.push(vec as number[]);
    ids.push(id);
  }
  const dim = rows[0]?.length ?? 0;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => data.set(r, i * dim));
  return { rows: rows.length, dim, data, ids };
}

/** Reads a JSONL file. See {@link parseJsonl}. */
export function readJsonl(file: string, opts: { field?: string; maxRows?: number } = {}): Matrix & { ids: string[] } {
  return parseJsonl(readFileSync(file, 'utf8'), opts);
}
