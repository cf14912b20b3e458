import { ValidationError } from './errors';
import { Metadata } from './types';

/**
 * Largest metadata of one vector, as UTF-8 JSON: 2 KiB, the limit S3 Vectors sets on filterable
 * metadata (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-limitations.html).
 * Metadata is copied into every bucket entry so filters apply before re-ranking: its bytes are
 * read with every candidate, which is why it is kept small.
 */
export const MAX_METADATA_BYTES = 2048;
/** Largest number of keys in one vector's metadata. */
export const MAX_METADATA_KEYS = 32;
/** Longest metadata key, in characters. */
export const MAX_METADATA_KEY_LENGTH = 64;

/**
 * Checks metadata: a JSON object whose values are strings, finite numbers, booleans or lists of
 * strings; keys 1-64 characters, not starting with `$`; at most 32 keys and 2 KiB as JSON.
 * @returns the metadata (an empty object when `undefined`)
 * @throws ValidationError naming the key and the rule
 */
export function checkMetadata(value: unknown, field = 'metadata'): Metadata {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ValidationError(field, 'must be an object');
  const keys = Object.keys(value);
  if (keys.length > MAX_METADATA_KEYS) throw new ValidationError(field, `must have at most ${MAX_METADATA_KEYS} keys`);
  for (const key of keys) {
    const f = `${field}.${key}`;
    if (key.length === 0 || key.length > MAX_METADATA_KEY_LENGTH) throw new ValidationError(f, `key must be 1-${MAX_METADATA_KEY_LENGTH} characters`);
    if (key.startsWith('$')) throw new ValidationError(f, 'key must not start with "$"');
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new ValidationError(f, 'must be a finite number');
      continue;
    }
    if (Array.isArray(v)) {
      if (!v.every((s) => typeof s === 'string')) throw new ValidationError(f, 'must be a list of strings');
      continue;
    }
    throw new ValidationError(f, 'must be a string, a finite number, a boolean or a list of strings');
  }
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > MAX_METADATA_BYTES) throw new ValidationError(field, `must be at most ${MAX_METADATA_BYTES} bytes as JSON (got ${bytes})`);
  return value as Metadata;
}
