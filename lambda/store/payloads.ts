// The non-filterable part of a vector's metadata (its payload): one item per version in the buckets
// table beside that version's entries, read only for the vectors a request returns with metadata.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Metadata } from '../core/types';
import { batchGetAll, CapacityMeter, Item } from './batch';
import { payloadKey } from './key-format';
import { keyItem, toMetadata } from './records';

/**
 * The payload item of one version of `id`: its non-filterable metadata as JSON (`m`), keyed by the
 * version (`payloadKey`). It is written with the version's entries, before the vector item that
 * names it (`p`), and deleted with them once another version replaced that item, so a reader that
 * finds the item live finds its payload (a strongly consistent read does at once).
 */
export function payloadItem(uid: string, id: string, version: Uint8Array, payload: Metadata): Item {
  return { ...keyItem(payloadKey(uid, id, version)), m: { S: JSON.stringify(payload) } };
}

/**
 * The whole metadata of each vector item: its filterable metadata (`m`) and, for an item that
 * names a payload (`p`), the payload of its version, read in one batch. Payloads are read as
 * `consistent` asks; an eventually consistent read that misses one (just written) reads it again
 * strongly consistent. A payload still missing belongs to a version replaced since its item was
 * read: that item is left out of the answer (its caller reads it again, or keeps its filterable
 * metadata, `toMetadata`).
 * @returns by id (the item's `sk`): every item without a payload, and those whose payload was read
 */
export async function fullMetadata(
  client: DynamoDBClient,
  table: string,
  uid: string,
  items: readonly Item[],
  opts: { consistent?: boolean; meter?: CapacityMeter } = {},
): Promise<Map<string, Metadata>> {
  const named = items.filter((i) => i.p !== undefined && i.f?.B !== undefined);
  const withPayload = new Set(named);
  const out = new Map(items.filter((i) => !withPayload.has(i)).map((i) => [i.sk.S!, toMetadata(i)]));
  if (named.length === 0) return out;
  const keyOf = (i: Item) => keyItem(payloadKey(uid, i.sk.S!, i.f.B!));
  const read = async (from: readonly Item[], consistentRead: boolean) => {
    const found = await batchGetAll(client, from.map((i) => ({ table, key: keyOf(i) })), { consistentRead, meter: opts.meter });
    const bySortKey = new Map((found[table] ?? []).map((p) => [p.sk.S!, JSON.parse(p.m.S!) as Metadata]));
    return from.filter((i) => {
      const payload = bySortKey.get(keyOf(i).sk.S!);
      if (payload) out.set(i.sk.S!, { ...toMetadata(i), ...payload });
      return payload === undefined;
    });
  };
  const missed = await read(named, opts.consistent === true);
  if (missed.length > 0 && opts.consistent !== true) await read(missed, true);
  return out;
}
