// The check of a vector's metadata (value types, key names, the size limits of `limits.ts`), of a
// collection's metadata configuration, and the split of metadata into its filterable part and its
// non-filterable payload.
import { ValidationError } from './errors';
import { MAX_FILTERABLE_METADATA_BYTES, MAX_METADATA_BYTES, MAX_METADATA_KEY_LENGTH, MAX_METADATA_KEYS, MAX_NON_FILTERABLE_KEYS } from './limits';
import { Metadata, MetadataConfiguration } from './types';

/** The non-filterable keys of a collection (empty: every key is filterable). */
export const nonFilterableKeys = (config: { metadataConfiguration?: MetadataConfiguration }): ReadonlySet<string> =>
  new Set(config.metadataConfiguration?.nonFilterableMetadataKeys ?? []);

/**
 * Checks metadata: a JSON object whose values are strings, finite numbers, booleans or lists of
 * strings; keys 1-64 characters, not starting with `$`; at most 32 keys and 40 KiB as JSON
 * (`MAX_METADATA_KEY_LENGTH`, `MAX_METADATA_KEYS`, `MAX_METADATA_BYTES`), of which the filterable
 * keys (those not in `nonFilterable`) at most 2 KiB (`MAX_FILTERABLE_METADATA_BYTES`): they are
 * copied into every bucket entry so filters apply before re-ranking, and read with every candidate.
 * @param nonFilterable the collection's non-filterable keys ({@link nonFilterableKeys})
 * @returns the metadata (an empty object when `undefined`)
 * @throws ValidationError naming the key and the rule
 */
export function checkMetadata(value: unknown, field = 'metadata', nonFilterable: ReadonlySet<string> = new Set()): Metadata {
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
  const metadata = value as Metadata;
  const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (bytes > MAX_METADATA_BYTES) throw new ValidationError(field, `must be at most ${MAX_METADATA_BYTES} bytes as JSON (got ${bytes})`);
  const { filterable } = splitMetadata(metadata, nonFilterable);
  const filterableBytes = nonFilterable.size === 0 ? bytes : Buffer.byteLength(JSON.stringify(filterable), 'utf8');
  if (filterableBytes > MAX_FILTERABLE_METADATA_BYTES) {
    throw new ValidationError(
      field,
      `filterable keys must be at most ${MAX_FILTERABLE_METADATA_BYTES} bytes as JSON (got ${filterableBytes}); ` +
        'keep larger values in keys the collection declares in metadataConfiguration.nonFilterableMetadataKeys',
    );
  }
  return metadata;
}

/**
 * Metadata in its two parts: the filterable keys (bucket entries, the vector item, the filter
 * index) and the non-filterable payload (its own item, read only for results returned with metadata).
 */
export function splitMetadata(metadata: Metadata, nonFilterable: ReadonlySet<string>): { filterable: Metadata; payload: Metadata } {
  if (nonFilterable.size === 0) return { filterable: metadata, payload: {} };
  const filterable: Record<string, Metadata[string]> = {};
  const payload: Record<string, Metadata[string]> = {};
  for (const [k, v] of Object.entries(metadata)) (nonFilterable.has(k) ? payload : filterable)[k] = v;
  return { filterable, payload };
}

/**
 * Checks a collection's metadata configuration: 1 to `MAX_NON_FILTERABLE_KEYS` distinct keys, each
 * a valid metadata key.
 * @returns the configuration, or undefined when none was given
 * @throws ValidationError naming the field and the rule
 */
export function checkMetadataConfiguration(value: unknown, field = 'metadataConfiguration'): MetadataConfiguration | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError(field, 'must be an object');
  const extra = Object.keys(value).find((k) => k !== 'nonFilterableMetadataKeys');
  if (extra !== undefined) throw new ValidationError(`${field}.${extra}`, 'is not a known field (nonFilterableMetadataKeys)');
  const keys = (value as { nonFilterableMetadataKeys?: unknown }).nonFilterableMetadataKeys;
  const f = `${field}.nonFilterableMetadataKeys`;
  if (!Array.isArray(keys) || keys.length < 1 || keys.length > MAX_NON_FILTERABLE_KEYS) {
    throw new ValidationError(f, `must be a list of 1 to ${MAX_NON_FILTERABLE_KEYS} metadata keys`);
  }
  keys.forEach((k: unknown, i) => {
    if (typeof k !== 'string' || k.length === 0 || k.length > MAX_METADATA_KEY_LENGTH) throw new ValidationError(`${f}[${i}]`, `must be a key of 1-${MAX_METADATA_KEY_LENGTH} characters`);
    if (k.startsWith('$')) throw new ValidationError(`${f}[${i}]`, 'must not start with "$"');
    if (keys.indexOf(k) !== i) throw new ValidationError(`${f}[${i}]`, `duplicates ${f}[${keys.indexOf(k)}] "${k}"`);
  });
  return { nonFilterableMetadataKeys: [...(keys as string[])] };
}
