// Pure helpers of the retrieval benchmark: metadata cut or padded to a byte budget, and the base rows
// a filter keeps (through the store's own filter compiler), for the filtered ground truth.
import { compileFilter } from '../../lambda/core/filter';
import type { Filter, Metadata } from '../../lambda/core/types';

/** Bytes of metadata as the store counts them: UTF-8 of its JSON (`checkMetadata` in lambda/core/metadata.ts). */
export function metadataBytes(m: Metadata): number {
  return Buffer.byteLength(JSON.stringify(m), 'utf8');
}

/** Metadata with a text under one key, and whether the text had to be cut to fit. */
export interface FittedMetadata {
  readonly metadata: Metadata;
  /** The text itself, once, did not fit whole. */
  readonly cut: boolean;
}

/**
 * `base` with `text` under `key`, cut (at a code point, never inside a surrogate pair) to the
 * longest prefix whose whole metadata is at most `maxBytes` as UTF-8 JSON; with `pad`, the text is
 * first repeated past the budget, so the result is as close under `maxBytes` as whole code points
 * allow (the worst case of a collection at the limit).
 * @throws RangeError when `base` alone, with an empty text, exceeds `maxBytes`
 */
export function fitText(base: Metadata, key: string, text: string, maxBytes: number, opts: { pad?: boolean } = {}): FittedMetadata {
  const withText = (t: string): Metadata => ({ ...base, [key]: t });
  if (metadataBytes(withText('')) > maxBytes) throw new RangeError(`the metadata without its text is over ${maxBytes} bytes`);
  const cut = metadataBytes(withText(text)) > maxBytes;
  // a string of more than maxBytes UTF-8 bytes is more than maxBytes bytes as JSON: it cannot fit
  const unit = text.length > 0 ? text : ' ';
  const source = opts.pad ? unit.repeat(Math.ceil(maxBytes / Buffer.byteLength(unit, 'utf8')) + 1) : text;
  if (!cut && !opts.pad) return { metadata: withText(text), cut };
  // every code point adds at least one byte, so no prefix longer than maxBytes code points fits
  const points = Array.from(source).slice(0, maxBytes + 1);
  // the JSON grows with every code point added: the longest fitting prefix by bisection
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (metadataBytes(withText(points.slice(0, mid).join(''))) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  return { metadata: withText(points.slice(0, lo).join('')), cut };
}

/**
 * The rows whose metadata passes `filter`, in order, by the store's own predicate
 * (`compileFilter`); every row without a filter.
 * @throws ValidationError for a filter the store would refuse
 */
export function matchingRows(metadata: readonly Metadata[], filter: Filter | undefined): number[] {
  if (filter === undefined) return metadata.map((_, i) => i);
  const keep = compileFilter(filter);
  return metadata.flatMap((m, i) => (keep(m) ? [i] : []));
}
