// Parsers of option values (integers in a range, lists of them, positive numbers, JSON objects) for
// `whiplash` and the benchmark commands, and the metric choices.
import { InvalidArgumentError } from 'commander';

/** The values of `--metric`. */
export const METRICS = ['cosine', 'euclidean', 'dot'];

// Number('') is 0, so a blank value is no number here.
const toNumber = (s: string) => (s.trim() === '' ? NaN : Number(s));
const inRange = (min: number, max: number) => (n: number) => Number.isInteger(n) && n >= min && n <= max;
const rangeText = (min: number, max: number) => (max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`);

/**
 * A parser of integers from `min` to `max`, both included.
 * @default max Number.MAX_SAFE_INTEGER (no upper bound)
 * @throws InvalidArgumentError naming the range
 */
export function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  const ok = inRange(min, max);
  return (value: string): number => {
    const n = toNumber(value);
    if (!ok(n)) throw new InvalidArgumentError(`must be an integer ${rangeText(min, max)}`);
    return n;
  };
}

/**
 * A parser of comma-separated integers from `min` to `max`, e.g. `0,4,8`.
 * @default max Number.MAX_SAFE_INTEGER (no upper bound)
 * @throws InvalidArgumentError naming the range, if any item is not such an integer
 */
export function intList(min: number, max = Number.MAX_SAFE_INTEGER) {
  const ok = inRange(min, max);
  return (value: string): number[] => {
    const xs = value.split(',').map(toNumber);
    if (!xs.every(ok)) throw new InvalidArgumentError(`must be a comma-separated list of integers ${rangeText(min, max)}`);
    return xs;
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
