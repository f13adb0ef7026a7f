// Reads shared by the runs of one wave. When one stream record (or one batch of them) concerns
// fifty live queries of one lobby, their re-runs start together and issue the same reads: the
// same Query of the game's partition, the same BatchGetItem of its players' users. A ReadWave,
// created by the live-query scheduler for the runs due at one moment and handed to each run's Db
// (Db.shareReads), sends each distinct read once and gives every run the answer; each run's Db
// still records its own read set from that answer, so matching stays exact.
//
// Why this is never stale: a wave takes members only until the end of the event-loop turn it was
// created in, and sends nothing before that (every send waits for `closed`). A run takes the
// records that caused it when it starts, which is when it joins; so every read of the wave is
// sent after every record any member consumed had arrived, hence after its write committed, and
// (the table being read consistently) shows it. A record that arrives later is held by, or
// matched against, each member's own read set, as without sharing. A closed wave takes no member:
// a later record makes a later wave, which reads afresh. Nothing is kept past the wave's members.
//
// GetItem, Query and Scan are shared when their whole input is the same (consistency, projection,
// ExclusiveStartKey and Limit included). BatchGetItem is shared per key: keys asked for by every
// member in the same turn go out together, at most 100 a call, split by consistency and
// projection (ProjectionExpression and its names), so a strong read never shares with an eventual
// one and no member gets attributes it did not ask for. A failed read, or a key DynamoDB left
// unprocessed, is not kept: the member's retry asks the wave again and gets a read of its own.
//
// Cost: each real call goes through the one metered door exactly once, on the Db of the member
// whose read opened it (its request's CostMeter and call listener: metrics, traces). Members that
// join an answer are charged nothing for it, as it cost DynamoDB nothing: a wave's calls add up to
// what DynamoDB really served, never fifty times it.
import type { BatchGetCommandInput, BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { BATCH_GET_LIMIT, type Item } from './batch.js';
import type { ReadSharing } from './db.js';
import { keyId, type Key } from '../keys.js';

type Send<I, O> = (input: I) => Promise<O>;
type KeyAnswer = Item | null | 'unprocessed';

interface Queued {
  key: Key;
  settle: (answer: KeyAnswer | Error) => void;
}

/** The keys of one (consistency, projection) asked for in a wave. */
interface KeyGroup {
  table: string;
  /** The request's fields beside its keys: ConsistentRead, ProjectionExpression, its names. */
  request: Omit<NonNullable<BatchGetCommandInput['RequestItems']>[string], 'Keys'>;
  /** Each key's answer, asked for or on its way. */
  answers: Map<string, Promise<KeyAnswer>>;
  /** Keys not sent yet, with the send of the member that asked first. */
  queue: Queued[];
  send: Send<BatchGetCommandInput, BatchGetCommandOutput> | undefined;
  scheduled: boolean;
}

export class ReadWave implements ReadSharing {
  private open = true;
  /** Resolves when the wave stops taking members: no read is sent before. */
  private readonly closed: Promise<void>;
  private readonly answers = new Map<string, Promise<unknown>>();
  private readonly groups = new Map<string, KeyGroup>();
  private count = 0;

  constructor() {
    this.closed = new Promise((resolve) =>
      setImmediate(() => {
        this.open = false;
        resolve();
      }),
    );
  }

  /** True while runs may still join: until the end of the turn the wave was made in. */
  get joinable(): boolean {
    return this.open;
  }

  /** Runs that joined. */
  get members(): number {
    return this.count;
  }

  /** A run joins; only while joinable (a later run would be served reads sent before its records). */
  join(): this {
    if (!this.open) throw new Error('A read wave takes runs only in the turn it was made in.');
    this.count++;
    return this;
  }

  /** GetItem, Query, Scan: one call per distinct input; `send` (the first asker's metered door) makes it. */
  once<I extends object, O>(command: string, input: I, send: Send<I, O>): Promise<O> {
    const id = `${command}\u0000${stable(input)}`;
    let answer = this.answers.get(id) as Promise<O> | undefined;
    if (!answer) {
      answer = this.closed.then(() => send(input));
      this.answers.set(id, answer);
      answer.catch(() => this.answers.delete(id));
    }
    return answer.then(own);
  }

  /**
   * BatchGetItem of `table`, shared per key with the other members' (undefined when the input is
   * not one table's keys: the caller sends it alone). The answer holds this member's keys only.
   */
  batchGet(
    table: string,
    input: BatchGetCommandInput,
    send: Send<BatchGetCommandInput, BatchGetCommandOutput>,
  ): Promise<BatchGetCommandOutput> | undefined {
    const tables = Object.keys(input.RequestItems ?? {});
    const mine = input.RequestItems?.[table];
    if (tables.length !== 1 || !mine?.Keys) return undefined;
    const { Keys: keys, ...request } = mine;
    const group = this.group(table, request);
    const asked = (keys as Key[]).map((k) => this.ask(group, { PK: k.PK, SK: k.SK }, send));
    return Promise.all(asked).then((answers) => {
      const found: Item[] = [];
      const unprocessed: Key[] = [];
      answers.forEach((a, i) => {
        if (a === 'unprocessed') unprocessed.push(keys[i] as Key);
        else if (a) found.push(a);
      });
      return {
        $metadata: {},
        Responses: { [table]: found },
        ...(unprocessed.length ? { UnprocessedKeys: { [table]: { ...request, Keys: unprocessed } } } : {}),
      };
    });
  }

  private group(table: string, request: KeyGroup['request']): KeyGroup {
    const id = `${table}\u0000${stable(request)}`;
    let group = this.groups.get(id);
    if (!group) this.groups.set(id, (group = { table, request, answers: new Map(), queue: [], send: undefined, scheduled: false }));
    return group;
  }

  private ask(group: KeyGroup, key: Key, send: Send<BatchGetCommandInput, BatchGetCommandOutput>): Promise<KeyAnswer> {
    const id = keyId(key);
    let answer = group.answers.get(id);
    if (answer) return answer;
    answer = new Promise<KeyAnswer>((resolve, reject) =>
      group.queue.push({ key, settle: (a) => (a instanceof Error ? reject(a) : resolve(a)) }),
    );
    group.answers.set(id, answer);
    // Neither a failure nor "unprocessed" is kept: a retry asks for a read of its own.
    answer.then(
      (a) => a === 'unprocessed' && group.answers.delete(id),
      () => group.answers.delete(id),
    );
    group.send ??= send;
    if (!group.scheduled) {
      group.scheduled = true;
      // After the wave closes, and a turn later, so keys the members ask for in one turn go out together.
      void this.closed.then(() => setImmediate(() => this.flush(group)));
    }
    return answer;
  }

  private flush(group: KeyGroup): void {
    const queue = group.queue.splice(0);
    const send = group.send!;
    group.send = undefined;
    group.scheduled = false;
    for (let i = 0; i < queue.length; i += BATCH_GET_LIMIT) void this.sendChunk(group, queue.slice(i, i + BATCH_GET_LIMIT), send);
  }

  private async sendChunk(group: KeyGroup, chunk: Queued[], send: Send<BatchGetCommandInput, BatchGetCommandOutput>): Promise<void> {
    const table = group.table;
    let out: BatchGetCommandOutput;
    try {
      out = await send({ RequestItems: { [table]: { ...group.request, Keys: chunk.map((q) => q.key) } } });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const q of chunk) q.settle(error);
      return;
    }
    const found = new Map<string, Item>();
    for (const item of out.Responses?.[table] ?? []) found.set(keyId(item as Key), item);
    const unprocessed = new Set(((out.UnprocessedKeys?.[table]?.Keys ?? []) as Key[]).map(keyId));
    for (const q of chunk) {
      const id = keyId(q.key);
      q.settle(unprocessed.has(id) ? 'unprocessed' : (found.get(id) ?? null));
    }
  }
}

/** A member's own copy of a shared answer's top level (its Items array included), so none reorders another's. */
function own<O>(out: O): O {
  if (!out || typeof out !== 'object') return out;
  const copy = { ...out } as Record<string, unknown>;
  for (const [k, v] of Object.entries(copy)) if (Array.isArray(v)) copy[k] = [...(v as unknown[])];
  return copy as O;
}

/** One string per input, whatever the order of its object keys (ExpressionAttributeValues included). */
function stable(v: unknown): string {
  if (v instanceof Set) return `set(${[...v].map(stable).sort().join(',')})`;
  if (v instanceof Uint8Array) return `bin(${Buffer.from(v).toString('base64')})`;
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}
