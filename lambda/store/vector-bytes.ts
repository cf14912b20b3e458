// How a vector item holds its vector: the float32 little-endian bytes as they are (`v`), or
// byte-shuffled and deflated (`vz`) when that is smaller, as vectors of few distinct values are.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { bytesToVector } from '../core/vector';
import type { Item } from './batch';

/**
 * The vector item attributes that may hold the vector: a projection that reads the vector names
 * both (an item holds one of them).
 */
export const VECTOR_ATTRIBUTES = ['v', 'vz'] as const;

/**
 * Byte shuffle, as HDF5's shuffle filter and Blosc do (https://www.blosc.org/pages/blosc-in-depth/):
 * byte k of every float32 together, then byte k+1. Values with few distinct levels (pixels,
 * quantized embeddings stored as float32) share their exponent and high mantissa bytes, which
 * then lie in runs that deflate (RFC 1951, node:zlib) shrinks; dense float embeddings do not shrink.
 */
function shuffle(bytes: Uint8Array): Uint8Array {
  const n = bytes.byteLength / 4;
  const out = new Uint8Array(bytes.byteLength);
  for (let i = 0; i < n; i++) for (let k = 0; k < 4; k++) out[k * n + i] = bytes[i * 4 + k];
  return out;
}

function unshuffle(bytes: Uint8Array): Uint8Array {
  const n = bytes.byteLength / 4;
  const out = new Uint8Array(bytes.byteLength);
  for (let i = 0; i < n; i++) for (let k = 0; k < 4; k++) out[i * 4 + k] = bytes[k * n + i];
  return out;
}

/**
 * The attribute that holds `vectorBytes` (float32 little-endian, `vectorToBytes`) in a vector
 * item: `vz`, the shuffled bytes deflated, when shorter, else `v`, the bytes as they are. The
 * vector comes back bit for bit either way. A shorter item costs fewer bytes stored and, once
 * under a 1 KB step, fewer write units; a fetch reads half a unit per item under 4 KB either way.
 */
export function vectorAttribute(vectorBytes: Uint8Array): Item {
  const deflated = deflateRawSync(shuffle(vectorBytes));
  return deflated.byteLength < vectorBytes.byteLength ? { vz: { B: deflated } } : { v: { B: vectorBytes } };
}

/**
 * The float32 bytes of the vector a vector item holds (`vectorAttribute`), or undefined when the
 * item has no vector (a tombstone, or a projection without it).
 * @throws Error when `vz` does not inflate to whole float32 values
 */
export function storedVectorBytes(item: Item): Uint8Array | undefined {
  if (item.v?.B) return item.v.B;
  if (!item.vz?.B) return undefined;
  const shuffled = inflateRawSync(item.vz.B);
  if (shuffled.byteLength % 4 !== 0) throw new Error(`a vector item's vz inflates to ${shuffled.byteLength} bytes, not whole float32 values`);
  return unshuffle(shuffled);
}

/**
 * The vector a live vector item holds (`storedVectorBytes`).
 * @throws Error when the item holds no vector
 */
export function storedVector(item: Item): Float32Array {
  const bytes = storedVectorBytes(item);
  if (!bytes) throw new Error(`vector item ${item.sk?.S} holds no vector`);
  return bytesToVector(bytes);
}
