// The check of a vector's metadata: value types, key names, and the size limits of `limits.ts`.
import { ValidationError } from './errors';
import { MAX_METADATA_BYTES, MAX_METADATA_KEY_LENGTH, MAX_METADATA_KEYS } from './limits';
import { Metadata } from './types';

/**
 * Checks metadata: a JSON object whose values are strings, finite numbers, booleans or lists of
 * strings; keys 1-64 characters, not starting with `$`; at most 32 keys and 2 KiB as JSON
 * (`MAX_METADATA_KEY_LENGTH`, `MAX_METADATA_KEYS`, `MAX_METADATA_BYTES`). Metadata is copied into
 * every bucket entry so filters apply before re-ranking: its bytes are read with every candidate,
 * which is why it is kept small.
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
