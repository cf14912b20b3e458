// Parsers of `whiplash`'s option values (integers in a range, positive numbers, JSON objects) and
// the metric choices.
import { InvalidArgumentError } from 'commander';

/** The values of `--metric`. */
export const METRICS = ['cosine', 'euclidean', 'dot'];

/** A parser of integers from `min` to `max`, both included. */
export function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    return n;
  };
}

/** Parses a finite number greater than 0. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError('must be a positive number');
  return n;
}

/** Parses a JSON object (e.g. a metadata filter). */
export function jsonObject(value: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('must be a JSON object, e.g. \'{"genre": {"$eq": "drama"}}\'');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidArgumentError('must be a JSON object');
  return v as Record<string, unknown>;
}
