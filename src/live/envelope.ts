// The one wire form of a change record on Redis, shared by every publisher (the lease-holding
// server, the Lambda reader) and every listener, so containers do not care which reader runs.
// JSON, with DynamoDB's sets and binaries tagged so they come back as they went in.
import type { ChangeRecord } from './stream/records.js';

export const ENVELOPE_VERSION = 1;

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Set) return { $set: [...value] };
  if (value instanceof Uint8Array) return { $bin: Buffer.from(value).toString('base64') };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.$set) && Object.keys(v).length === 1) return new Set(v.$set);
    if (typeof v.$bin === 'string' && Object.keys(v).length === 1) return new Uint8Array(Buffer.from(v.$bin, 'base64'));
  }
  return value;
}

export function encodeRecord(record: ChangeRecord): string {
  return JSON.stringify({ v: ENVELOPE_VERSION, r: record }, replacer);
}

/** Throws on an envelope of another version: a listener never guesses at a shape it does not know. */
export function decodeRecord(json: string): ChangeRecord {
  const parsed = JSON.parse(json, reviver) as { v?: number; r?: ChangeRecord };
  if (parsed.v !== ENVELOPE_VERSION || !parsed.r || typeof parsed.r.id !== 'string') {
    throw new Error(`Unknown live envelope (version ${String(parsed.v)}): ${json.slice(0, 200)}`);
  }
  return parsed.r;
}
