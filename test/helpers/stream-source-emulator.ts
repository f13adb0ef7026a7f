// Lambda's DynamoDB event source mapping, emulated for the tests: it reads DynamoDB Local's real
// stream (raw JSON off the wire, so records have the shape Lambda hands a function: epoch-second
// times, marshalled images), applies the mapping's filter criteria, invokes the function with
// batches of at most `batchSize` records of one shard, one batch per shard at a time, and honours
// ReportBatchItemFailures: a reported record and everything after it is retried, up to `maxRetries`
// and while the batch is younger than `maxRecordAgeMs`, after which the batch is given up: it goes
// to the on-failure list and, with a destination, Lambda's on-failure record goes there
// (on-failure-destination.ts). A record's age counts from when it was read, since DynamoDB Local
// cuts ApproximateCreationDateTime to the minute.
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { FailureDestination } from './on-failure-destination.js';

type WireRecord = DynamoDBStreamEvent['Records'][number];

export interface StreamSourceOptions {
  endpoint: string;
  client: DynamoDBClient;
  tableName: string;
  /** A Lambda filter pattern (the subset used here: nested objects, exact strings, `prefix`). */
  filter?: object;
  batchSize?: number;
  maxRetries?: number;
  /** Lambda's MaximumRecordAgeInSeconds, scaled down; absent: no age limit. */
  maxRecordAgeMs?: number;
  /** Pause between two attempts of a failing batch (Lambda backs off too). */
  retryDelayMs?: number;
  /** Lambda's on-failure destination (DestinationConfig.OnFailure). */
  onFailure?: FailureDestination;
}

export interface StreamSource {
  /** Batches given up after maxRetries (what the on-failure destination would receive). */
  failed: WireRecord[][];
  /** Invocations so far, with the records each carried. */
  invocations: WireRecord[][];
  /** Resolves once a record matching `keyPk`/`keySk` was read and its batch handled (it may itself be filtered out). */
  passed(pk: string, sk: string, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Lambda's event filtering for the pattern subset we use. */
export function matchesFilter(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((p) =>
      typeof p === 'string'
        ? value === p
        : typeof p === 'object' && p && 'prefix' in p
          ? typeof value === 'string' && value.startsWith(String(p.prefix))
          : false,
    );
  }
  if (pattern && typeof pattern === 'object') {
    if (!value || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([k, p]) => matchesFilter(p, (value as Record<string, unknown>)[k]));
  }
  return false;
}

export async function startStreamSource(
  fn: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>,
  opts: StreamSourceOptions,
): Promise<StreamSource> {
  const streamArn = (await opts.client.send(new DescribeTableCommand({ TableName: opts.tableName }))).Table!.LatestStreamArn!;
  const call = async (target: string, body: unknown): Promise<any> => {
    const res = await fetch(opts.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDBStreams_20120810.${target}`,
        authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${target}: ${JSON.stringify(json)}`);
    return json;
  };
  // The table is the test's own, so every record is the test's: read each shard from its start.
  const iterators = new Map<string, string | null>();
  /** The last sequence number handled per shard: a reopened iterator skips up to it. */
  const done = new Map<string, bigint>();
  const open = async (shardId: string) => {
    const it = await call('GetShardIterator', { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' });
    iterators.set(shardId, it.ShardIterator);
  };
  const discover = async () => {
    const shards = (await call('DescribeStream', { StreamArn: streamArn })).StreamDescription.Shards as { ShardId: string }[];
    for (const s of shards) if (!iterators.has(s.ShardId)) await open(s.ShardId);
  };
  await discover();

  const failed: WireRecord[][] = [];
  const invocations: WireRecord[][] = [];
  const seen: { pk: string; sk: string }[] = [];
  const waiters = new Set<() => void>();
  const batchSize = opts.batchSize ?? 100;
  const maxRetries = opts.maxRetries ?? 3;
  let stopped = false;

  const handle = async (records: WireRecord[], shardId: string) => {
    let pending = opts.filter ? records.filter((r) => matchesFilter(opts.filter, r)) : records;
    const readAt = Date.now();
    for (let attempt = 0; pending.length > 0; attempt++) {
      const tooOld = opts.maxRecordAgeMs !== undefined && Date.now() - readAt > opts.maxRecordAgeMs;
      if (attempt > maxRetries || tooOld) {
        failed.push(pending);
        opts.onFailure?.giveUp(pending, shardId, streamArn, tooOld ? 'RecordAgeExceeded' : 'RetryAttemptsExhausted', attempt);
        break;
      }
      if (attempt > 0 && opts.retryDelayMs) await new Promise((r) => setTimeout(r, opts.retryDelayMs));
      invocations.push(pending);
      let out: DynamoDBBatchResponse | void;
      try {
        out = await fn({ Records: pending });
      } catch {
        continue; // the whole batch again
      }
      const first = out?.batchItemFailures?.[0]?.itemIdentifier;
      const at = first === undefined ? -1 : pending.findIndex((r) => r.dynamodb?.SequenceNumber === first);
      pending = at < 0 ? [] : pending.slice(at);
    }
  };

  let broken: unknown = null;
  const loop = (async () => {
    let lastDiscovery = Date.now();
    while (!stopped) {
      let any = false;
      for (const [shard, iterator] of iterators) {
        if (!iterator) continue;
        let out;
        try {
          out = await call('GetRecords', { ShardIterator: iterator, Limit: 1000 });
        } catch (err) {
          // DynamoDB Local sometimes calls an idle iterator trimmed: reopen it and skip what was handled.
          if (!String(err).includes('TrimmedDataAccessException') && !String(err).includes('ExpiredIteratorException')) throw err;
          await open(shard);
          continue;
        }
        iterators.set(shard, out.NextShardIterator ?? null);
        const last = done.get(shard) ?? -1n;
        const records = (out.Records as WireRecord[])
          .filter((r) => BigInt(r.dynamodb!.SequenceNumber!) > last)
          .map((r) => ({ ...r, eventSourceARN: streamArn }));
        if (records.length) done.set(shard, BigInt(records.at(-1)!.dynamodb!.SequenceNumber!));
        for (let i = 0; i < records.length; i += batchSize) await handle(records.slice(i, i + batchSize), shard);
        for (const r of records) seen.push({ pk: String(r.dynamodb?.Keys?.PK?.S), sk: String(r.dynamodb?.Keys?.SK?.S) });
        if (records.length) {
          any = true;
          for (const w of waiters) w();
        }
      }
      if (Date.now() - lastDiscovery > 2_000) {
        await discover();
        lastDiscovery = Date.now();
      }
      if (!any) await new Promise((r) => setTimeout(r, 25)); // DynamoDB Local shows a record on the first poll after the write
    }
  })().catch((err: unknown) => {
    broken = err; // reported by passed() and stop(), not as an unhandled rejection
  });

  return {
    failed,
    invocations,
    passed(pk, sk, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (broken) return reject(broken as Error);
          if (!seen.some((s) => s.pk === pk && s.sk === sk)) return;
          clearTimeout(t);
          waiters.delete(check);
          resolve();
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`The stream did not carry ${pk} ${sk} within ${ms} ms.`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      stopped = true;
      await loop;
      if (broken) throw broken as Error;
    },
  };
}
