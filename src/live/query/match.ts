// Which live queries a stream record concerns. Every read set is filed by (table or index,
// partition value); a record's old and new images are keyed on the table and on every index, and
// only the read sets filed under those few keys are checked against the sort key. A record that
// concerns nobody costs one map look-up per key it has; no live query is ever walked for it.
import { indexKeysOf, inRange, TABLE_INDEX, type ReadRange } from '../../data/dynamo/read-set.js';
import type { ChangeRecord } from '../stream/records.js';

const slot = (index: string, partition: string) => `${index}\u0000${partition}`;

export class ReadIndex<T> {
  /** (index, partition) → owner → its ranges in that partition. */
  private readonly byPartition = new Map<string, Map<T, ReadRange[]>>();
  /** index → owners that read all of it (a Scan). */
  private readonly wholeIndex = new Map<string, Set<T>>();
  /** index → owners with any range on it: only for a record that carries no images (see match). */
  private readonly onIndex = new Map<string, Set<T>>();
  private readonly filed = new Map<T, ReadRange[]>();

  /** Files `owner` under its read set, replacing what it had. */
  set(owner: T, ranges: readonly ReadRange[]): void {
    this.delete(owner);
    const mine = [...ranges];
    this.filed.set(owner, mine);
    for (const r of mine) {
      addTo(this.onIndex, r.index, owner);
      if (r.partition === null) {
        addTo(this.wholeIndex, r.index, owner);
        continue;
      }
      const key = slot(r.index, r.partition);
      let owners = this.byPartition.get(key);
      if (!owners) this.byPartition.set(key, (owners = new Map()));
      let list = owners.get(owner);
      if (!list) owners.set(owner, (list = []));
      list.push(r);
    }
  }

  delete(owner: T): void {
    const mine = this.filed.get(owner);
    if (!mine) return;
    this.filed.delete(owner);
    for (const r of mine) {
      removeFrom(this.onIndex, r.index, owner);
      if (r.partition === null) {
        removeFrom(this.wholeIndex, r.index, owner);
        continue;
      }
      const key = slot(r.index, r.partition);
      const owners = this.byPartition.get(key);
      owners?.delete(owner);
      if (owners?.size === 0) this.byPartition.delete(key);
    }
  }

  get size(): number {
    return this.filed.size;
  }

  /** The owners whose read set holds a key of the record's old or new item, on the table or any index. */
  match(record: Pick<ChangeRecord, 'keys' | 'oldImage' | 'newImage'>): Set<T> {
    const hit = new Set<T>();
    const at = (index: string, partition: string, sort: string | undefined) => {
      for (const owner of this.wholeIndex.get(index) ?? []) hit.add(owner);
      const owners = this.byPartition.get(slot(index, partition));
      if (!owners) return;
      for (const [owner, ranges] of owners) if (!hit.has(owner) && ranges.some((r) => inRange(r, sort))) hit.add(owner);
    };
    for (const k of recordSlots(record)) at(k.index, k.partition, k.sort);
    if (!record.oldImage && !record.newImage) {
      // A removal with no images (DynamoDB Local's TTL): where it sat on the indexes is unknown, so
      // everyone who read any index may be concerned. Rare, and a needless re-run is only a cost.
      for (const [index, owners] of this.onIndex) if (index !== TABLE_INDEX) for (const o of owners) hit.add(o);
    }
    return hit;
  }
}

export interface Slot {
  index: string;
  partition: string;
  sort: string | undefined;
}

/**
 * Where a record's item sat and sits: its table key (always known, even from a record without
 * images) and its old and new image's keys on every index, each once. The container's matcher and
 * the serverless delivery function (its watch items) both look a record up by these.
 */
export function recordSlots(record: Pick<ChangeRecord, 'keys' | 'oldImage' | 'newImage'>): Slot[] {
  const out: Slot[] = [{ index: TABLE_INDEX, partition: record.keys.PK, sort: record.keys.SK }];
  const seen = new Set<string>([slot(TABLE_INDEX, record.keys.PK) + '\u0000' + record.keys.SK]);
  for (const image of [record.oldImage, record.newImage]) {
    if (!image) continue;
    for (const k of indexKeysOf(image)) {
      const id = slot(k.index, k.partition) + '\u0000' + (k.sort ?? '');
      if (k.index === TABLE_INDEX || seen.has(id)) continue;
      seen.add(id);
      out.push(k);
    }
  }
  return out;
}

function addTo<T>(m: Map<string, Set<T>>, k: string, v: T) {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function removeFrom<T>(m: Map<string, Set<T>>, k: string, v: T) {
  const s = m.get(k);
  s?.delete(v);
  if (s?.size === 0) m.delete(k);
}
