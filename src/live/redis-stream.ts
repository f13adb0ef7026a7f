// The Redis side of the bus (redis-bus.ts): its keys, the Lua script that publishes, and the
// stream ids and positions it hands out. Pure, except for the replay read at the end.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { BusEntry } from './bus.js';
import { decodeRecord } from './envelope.js';

/** The keys of one table's bus: one hash slot (`{<prefix>}`), so the script may touch them all. */
export function busKeys(prefix: string) {
  return {
    stream: `{${prefix}}:stream`,
    epoch: `{${prefix}}:epoch`,
    seen: `{${prefix}}:seen:`,
    count: `{${prefix}}:count`,
  };
}

export type BusKeys = ReturnType<typeof busKeys>;

// KEYS: stream, epoch, counter. ARGV: candidate epoch, maxlen, dedupe ttl, dedupe key prefix, then (id, body) pairs.
// An empty id publishes a gap marker (never de-duplicated). Returns how many entries were added.
export const PUBLISH = `
local epoch = redis.call('GET', KEYS[2])
if not epoch then epoch = ARGV[1]; redis.call('SET', KEYS[2], epoch) end
local added = 0
for i = 5, #ARGV, 2 do
  local id = ARGV[i]
  local kind = 'r'
  if id == '' then kind = 'g' end
  if kind == 'g' or redis.call('SET', ARGV[4] .. id, '1', 'NX', 'EX', ARGV[3]) then
    local n = redis.call('INCR', KEYS[3])
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'e', epoch, 'n', n, 't', kind, 'd', ARGV[i + 1])
    added = added + 1
  end
end
return added
`;

export type StreamId = [number, number];

export function parseId(id: string): StreamId | null {
  const m = /^(\d+)-(\d+)$/.exec(id);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export function compareIds(a: StreamId, b: StreamId): number {
  return a[0] - b[0] || a[1] - b[1];
}

export function parsePosition(p: string): { epoch: string; id: string; sid: StreamId } | null {
  const dot = p.indexOf('.');
  if (dot <= 0) return null;
  const sid = parseId(p.slice(dot + 1));
  return sid ? { epoch: p.slice(0, dot), id: p.slice(dot + 1), sid } : null;
}

export function fieldsOf(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/** XINFO STREAM's reply as a map; entries are kept as they are. */
export function infoOf(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/**
 * Entries after `after`, or null when the stream no longer holds all of them (another epoch, a
 * position it never had, trimmed past it, a gap marker after it, or Redis unreachable).
 */
export async function replayAfter(
  cmd: Redis,
  key: BusKeys,
  maxLen: number,
  epoch: string | null,
  after: string,
  log: Logger,
): Promise<BusEntry[] | null> {
  const from = parsePosition(after);
  if (!from || epoch === null || from.epoch !== epoch) return null;
  try {
    const res = await cmd
      .multi()
      .get(key.epoch)
      .xinfo('STREAM', key.stream)
      .xrange(key.stream, `(${from.id}`, '+', 'COUNT', maxLen + 1)
      .exec();
    if (!res) return null;
    const [[, current], [infoErr, info], [rangeErr, range]] = res as [
      [null, string | null],
      [Error | null, unknown[]],
      [Error | null, [string, string[]][]],
    ];
    if (current !== from.epoch) return null;
    if (infoErr) return from.id === '0-0' ? [] : null; // no stream yet: only "from the start" is whole
    if (rangeErr) return null;
    const i = infoOf(info);
    const lastGenerated = parseId(String(i['last-generated-id']));
    if (lastGenerated && compareIds(from.sid, lastGenerated) > 0) return null; // a position this stream never had
    // Trimming removes the oldest entries: the window is whole after `after` when nothing was ever
    // trimmed, or when the oldest entry still held is at or before it.
    const trimmed = Number(i['entries-added']) > Number(i.length);
    const first = i['first-entry'] as [string, string[]] | null;
    const firstId = first ? parseId(first[0]) : lastGenerated;
    if (trimmed && firstId && compareIds(firstId, from.sid) > 0) return null;
    const out: BusEntry[] = [];
    for (const [id, flat] of range) {
      const f = fieldsOf(flat);
      if (f.e !== from.epoch || f.t === 'g') return null; // a gap after the cursor: resuming would hide it
      out.push({ position: `${from.epoch}.${id}`, record: decodeRecord(f.d ?? '') });
    }
    return out;
  } catch (err) {
    log.warn('replay from redis failed: the subscriber resyncs', { error: String(err) });
    return null;
  }
}
