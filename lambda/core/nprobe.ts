// How many lists a query of a collection in k-means lists reads: the mean nprobe of the share of
// lists its queries read, and the whole number of lists one query reads to keep that mean.
import { xoshiroUniform } from './prng';

/**
 * The mean nprobe of a collection of `lists` lists whose queries read `share` of its lists, from 1
 * to `lists`: the first batch sets the share (its nprobe over its lists), and splits keep it, so
 * that queries keep their recall as lists grow (and their read units grow with the collection)
 * until the nprobe is calibrated on the grown lists. A fraction is kept (`queryNprobe`).
 */
export const nprobeOf = (share: number, lists: number): number => Math.min(lists, Math.max(1, share * lists));

/**
 * The lists one query reads at a mean nprobe of `mean`: the whole number below it, and one more
 * for the share of queries that its fraction says. Which queries read one more is fixed by the
 * query vector (`vectorUniform`), so a query repeated reads the same lists, and over many queries
 * reading n + 1 lists for a fraction f of them and n for the rest makes recall@k and read units
 * the mix of the two nprobes in proportion: what the calibration aimed at (`calibratedShare`).
 */
export function queryNprobe(mean: number, query: Float32Array): number {
  const whole = Math.floor(mean);
  return mean > whole && vectorUniform(query) < mean - whole ? whole + 1 : whole;
}

/**
 * A number in [0, 1) fixed by the vector's float32 bytes: the first draw of `xoshiroUniform`
 * seeded with their FNV-1a hash (32-bit), whose seeding spreads near-equal vectors. Not a PRNG for
 * anything stored: only which queries read one list more.
 */
export function vectorUniform(v: Float32Array): number {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return xoshiroUniform(h)();
}
