// On real DynamoDB a global secondary index is updated a moment after the table and its stream,
// so a re-run caused by a record could read an index that does not show that record yet and
// settle on a stale result that no later record would correct. The run reads the table
// consistently (Db.recordReads); its index reads are checked here against the records that caused
// it, and a contradicted run is retried a bounded number of times (live-query.ts).
// DynamoDB Local updates its indexes at once, so the rule is proved by a unit test.
import { indexKeysOf, inRange, tableKeyId, TABLE_INDEX, type ReadSet } from '../../data/dynamo/read-set.js';
import type { ChangeRecord } from '../stream/records.js';

type Image = Record<string, unknown>;

/**
 * True when an index read of the run contradicts one of the records: the record put the item in
 * a range the run read on that index, yet the read lacked it or returned its old image; or the
 * record moved it out of such a range, yet the read still returned the old image there.
 */
export function contradicts(records: readonly Pick<ChangeRecord, 'keys' | 'oldImage' | 'newImage'>[], reads: ReadSet): boolean {
  const indexItems = reads.indexItems;
  if (!indexItems) return false;
  for (const record of records) {
    const id = tableKeyId(record.keys);
    const changed = !record.oldImage || !record.newImage || !sameItem(record.oldImage, record.newImage);
    if (!changed) continue;
    for (const [index, items] of indexItems) {
      const seen = items.get(id);
      const newKey = record.newImage && keyOn(record.newImage, index);
      const oldKey = record.oldImage && keyOn(record.oldImage, index);
      const showsOld = seen !== undefined && record.oldImage !== undefined && sameItem(seen, record.oldImage);
      if (newKey && covered(reads, index, newKey)) {
        if (seen === undefined || showsOld) return true;
      } else if (oldKey && covered(reads, index, oldKey) && showsOld) {
        return true;
      }
    }
  }
  return false;
}

function keyOn(image: Image, index: string) {
  return index === TABLE_INDEX ? undefined : indexKeysOf(image).find((k) => k.index === index);
}

function covered(reads: ReadSet, index: string, key: { partition: string; sort: string | undefined }): boolean {
  return reads.ranges.some((r) => r.index === index && (r.partition === null || r.partition === key.partition) && inRange(r, key.sort));
}

/** Equal attributes, whatever their order. */
export function sameItem(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (v instanceof Set) return `set(${[...v].map(canonical).sort().join(',')})`;
  if (v instanceof Uint8Array) return `bin(${Buffer.from(v).toString('base64')})`;
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}
