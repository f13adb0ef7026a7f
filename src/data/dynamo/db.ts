// The one door to DynamoDB for request-time code. Each request gets its own Db around the shared
// client, so every call asks for consumed capacity, is counted on the request's CostMeter (one
// count per attempt on the wire), is reported to the request's call listener (metrics, traces),
// and turns availability failures into UNAVAILABLE. With a ReadSet attached (a live query's run),
// every read also records what it covered (read-set.ts).
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  type DeleteCommandInput,
  type DeleteCommandOutput,
  type DynamoDBDocumentClient,
  type GetCommandInput,
  type GetCommandOutput,
  type PutCommandInput,
  type PutCommandOutput,
  type QueryCommandInput,
  type QueryCommandOutput,
  type ScanCommandInput,
  type ScanCommandOutput,
  type TransactWriteCommandInput,
  type TransactWriteCommandOutput,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { UnavailableError, isUnavailable } from '../../errors.js';
import { CostMeter, capacityUnits, type CallListener, type Capacity } from './cost.js';
import type { ReadSet } from './read-set.js';

export class Db {
  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly meter: CostMeter = new CostMeter(),
    private readonly onCall?: CallListener,
  ) {}

  private reads: ReadSet | undefined;
  private consistent = false;

  /**
   * From now on, every read of this Db records what it covered into `set` (a live query's run);
   * with `consistent`, reads of the table itself are strongly consistent, so a re-run caused by a
   * stream record sees at least that record (indexes cannot be read so: see live/query/index-lag.ts).
   */
  recordReads(set: ReadSet, opts: { consistent?: boolean } = {}): void {
    this.reads = set;
    this.consistent = opts.consistent ?? false;
  }

  async get(input: GetCommandInput): Promise<GetCommandOutput> {
    if (this.consistent) input = { ...input, ConsistentRead: true };
    const out = await this.send<GetCommandOutput>('GetItem', new GetCommand(withCapacity(input)));
    if (this.reads && input.TableName === this.tableName) {
      this.reads.key(input.Key as { PK: string; SK: string });
      this.reads.item(out.Item);
    }
    return out;
  }
  async batchGet(input: BatchGetCommandInput): Promise<BatchGetCommandOutput> {
    const mine = input.RequestItems?.[this.tableName];
    if (this.consistent && mine)
      input = { ...input, RequestItems: { ...input.RequestItems, [this.tableName]: { ...mine, ConsistentRead: true } } };
    const out = await this.send<BatchGetCommandOutput>('BatchGetItem', new BatchGetCommand(withCapacity(input)));
    if (this.reads) {
      // Every key asked for, found or not: one that appears later must count.
      for (const key of input.RequestItems?.[this.tableName]?.Keys ?? []) this.reads.key(key as { PK: string; SK: string });
      for (const item of out.Responses?.[this.tableName] ?? []) this.reads.item(item);
    }
    return out;
  }
  async query(input: QueryCommandInput): Promise<QueryCommandOutput> {
    if (this.consistent && !input.IndexName) input = { ...input, ConsistentRead: true };
    const out = await this.send<QueryCommandOutput>('Query', new QueryCommand(withCapacity(input)));
    if (this.reads) {
      this.reads.query(input, out.LastEvaluatedKey);
      for (const item of out.Items ?? []) this.reads.item(item);
      if (input.IndexName) this.reads.indexRead(input.IndexName, out.Items ?? []);
    }
    return out;
  }
  async scan(input: ScanCommandInput): Promise<ScanCommandOutput> {
    const out = await this.send<ScanCommandOutput>('Scan', new ScanCommand(withCapacity(input)));
    if (this.reads) {
      this.reads.scan(input.IndexName);
      for (const item of out.Items ?? []) this.reads.item(item);
      if (input.IndexName) this.reads.indexRead(input.IndexName, out.Items ?? []);
    }
    return out;
  }
  put(input: PutCommandInput): Promise<PutCommandOutput> {
    return this.send('PutItem', new PutCommand(withCapacity(input)));
  }
  update(input: UpdateCommandInput): Promise<UpdateCommandOutput> {
    return this.send('UpdateItem', new UpdateCommand(withCapacity(input)));
  }
  delete(input: DeleteCommandInput): Promise<DeleteCommandOutput> {
    return this.send('DeleteItem', new DeleteCommand(withCapacity(input)));
  }
  transactWrite(input: TransactWriteCommandInput): Promise<TransactWriteCommandOutput> {
    return this.send('TransactWriteItems', new TransactWriteCommand(withCapacity(input)));
  }
  batchWrite(input: BatchWriteCommandInput): Promise<BatchWriteCommandOutput> {
    return this.send('BatchWriteItem', new BatchWriteCommand(withCapacity(input)));
  }

  private async send<O extends { ConsumedCapacity?: unknown }>(name: string, command: object): Promise<O> {
    const end = this.meter.begin();
    const startMs = this.onCall ? performance.timeOrigin + performance.now() : 0;
    let metadata: Metadata | undefined;
    let consumed: Capacity | Capacity[] | undefined;
    let error: string | undefined;
    let unprocessed: number | undefined;
    try {
      const out = (await this.client.send(command as never)) as unknown as O & { $metadata?: Metadata };
      metadata = out.$metadata;
      consumed = out.ConsumedCapacity as never;
      if (name === 'BatchGetItem') unprocessed = unprocessedKeys(out as never);
      return out;
    } catch (err) {
      const e = err as { ConsumedCapacity?: unknown; $metadata?: Metadata; name?: string };
      metadata = e.$metadata;
      consumed = e.ConsumedCapacity as never;
      error = e.name ?? 'Error';
      if (isUnavailable(err)) throw new UnavailableError((err as Error).name);
      throw err;
    } finally {
      this.meter.attempts(name, metadata?.attempts);
      if (consumed) this.meter.capacity(name, consumed);
      end();
      if (this.onCall) this.report(name, command, startMs, metadata, consumed, error, unprocessed);
    }
  }

  private report(
    command: string,
    sent: object,
    startMs: number,
    metadata: Metadata | undefined,
    consumed: Capacity | Capacity[] | undefined,
    error: string | undefined,
    unprocessedKeys: number | undefined,
  ) {
    const input = (sent as { input?: { IndexName?: string; RequestItems?: Record<string, { Keys?: unknown[] }> } }).input;
    const keys = command === 'BatchGetItem' ? (input?.RequestItems?.[this.tableName]?.Keys?.length ?? 0) : undefined;
    this.onCall!({
      command,
      index: input?.IndexName,
      startMs,
      endMs: performance.timeOrigin + performance.now(),
      attempts: Math.max(1, metadata?.attempts ?? 1),
      ...capacityUnits(command, consumed),
      consumed,
      ...(error ? { error } : {}),
      ...(keys !== undefined ? { keys, unprocessedKeys: unprocessedKeys ?? 0 } : {}),
    });
  }
}

function unprocessedKeys(out: { UnprocessedKeys?: Record<string, { Keys?: unknown[] }> }): number {
  let n = 0;
  for (const t of Object.values(out.UnprocessedKeys ?? {})) n += t.Keys?.length ?? 0;
  return n;
}

// The SDK's retry middleware reports how many attempts a call took, failed calls included, so
// the meter counts every request DynamoDB saw without hooking into the shared client.
interface Metadata {
  attempts?: number;
}

function withCapacity<T extends object>(input: T): T & { ReturnConsumedCapacity: 'TOTAL' } {
  return { ...input, ReturnConsumedCapacity: 'TOTAL' };
}
