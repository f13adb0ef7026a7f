// The one door to the table's items. Each request gets its own Db around the shared client, and so
// does each kind of background work (source: the lease, checkpoints, the expirer, sweeps, bulk
// loads), so every call asks for consumed capacity, goes through the meter (cost.ts: the request's
// CostMeter, one count per attempt on the wire, and the call listener: metrics, traces, labelled
// with the source), and turns availability failures into UNAVAILABLE. With a ReadSet attached (a
// live query's run), every read also records what it covered (read-set.ts); with a ReadWave
// attached (the runs one stream record caused), identical reads of those runs go out once (wave.ts).
// Query and BatchGetItem, the hot reads, go out as the low-level commands with our own
// unmarshalling (wire.ts).
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
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
import { UnavailableError } from '../../errors.js';
import { isUnavailable } from './unavailable.js';
import { CostMeter, metered, type CallAnswer, type CallInput, type CallListener, type CallSink, type CallSource } from './cost.js';
import type { ReadSet } from './read-set.js';
import { wireBatchGet, wireQuery } from './wire.js';

export class Db implements CallSink {
  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly meter: CostMeter = new CostMeter(),
    readonly onCall?: CallListener,
    /** Whose calls these are: a request's, or which background work's (cost.ts). */
    readonly source: CallSource = 'request',
  ) {}

  private reads: ReadSet | undefined;
  private consistent = false;
  private wave: ReadSharing | undefined;

  /**
   * From now on, every read of this Db records what it covered into `set` (a live query's run);
   * with `consistent`, reads of the table itself are strongly consistent, so a re-run caused by a
   * stream record sees at least that record (indexes cannot be read so: see live/query/index-lag.ts).
   */
  recordReads(set: ReadSet, opts: { consistent?: boolean } = {}): void {
    this.reads = set;
    this.consistent = opts.consistent ?? false;
  }

  /** From now on, reads join the other members of `wave` (joined already): each distinct read is sent once, on the Db that asked first. */
  shareReads(wave: ReadSharing): void {
    this.wave = wave;
  }

  async get(input: GetCommandInput): Promise<GetCommandOutput> {
    if (this.consistent) input = { ...input, ConsistentRead: true };
    const send = (i: GetCommandInput) => this.send('GetItem', withCapacity(i), (c) => this.client.send(new GetCommand(c)));
    const out = this.wave ? await this.wave.once('GetItem', input, send) : await send(input);
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
    const send = (i: BatchGetCommandInput) => this.send('BatchGetItem', withCapacity(i), (c) => wireBatchGet(this.client, c));
    const out = (await this.wave?.batchGet(this.tableName, input, send)) ?? (await send(input));
    if (this.reads) {
      // Every key asked for, found or not: one that appears later must count.
      for (const key of input.RequestItems?.[this.tableName]?.Keys ?? []) this.reads.key(key as { PK: string; SK: string });
      for (const item of out.Responses?.[this.tableName] ?? []) this.reads.item(item);
    }
    return out;
  }
  async query(input: QueryCommandInput): Promise<QueryCommandOutput> {
    if (this.consistent && !input.IndexName) input = { ...input, ConsistentRead: true };
    const send = (i: QueryCommandInput) => this.send('Query', withCapacity(i), (c) => wireQuery(this.client, c));
    const out = this.wave ? await this.wave.once('Query', input, send) : await send(input);
    if (this.reads) {
      this.reads.query(input, out.LastEvaluatedKey);
      for (const item of out.Items ?? []) this.reads.item(item);
      if (input.IndexName) this.reads.indexRead(input.IndexName, out.Items ?? []);
    }
    return out;
  }
  async scan(input: ScanCommandInput): Promise<ScanCommandOutput> {
    const send = (i: ScanCommandInput) => this.send('Scan', withCapacity(i), (c) => this.client.send(new ScanCommand(c)));
    const out = this.wave ? await this.wave.once('Scan', input, send) : await send(input);
    if (this.reads) {
      this.reads.scan(input.IndexName);
      for (const item of out.Items ?? []) this.reads.item(item);
      if (input.IndexName) this.reads.indexRead(input.IndexName, out.Items ?? []);
    }
    return out;
  }
  put(input: PutCommandInput): Promise<PutCommandOutput> {
    return this.send('PutItem', withCapacity(input), (i) => this.client.send(new PutCommand(i)));
  }
  update(input: UpdateCommandInput): Promise<UpdateCommandOutput> {
    return this.send('UpdateItem', withCapacity(input), (i) => this.client.send(new UpdateCommand(i)));
  }
  delete(input: DeleteCommandInput): Promise<DeleteCommandOutput> {
    return this.send('DeleteItem', withCapacity(input), (i) => this.client.send(new DeleteCommand(i)));
  }
  transactWrite(input: TransactWriteCommandInput): Promise<TransactWriteCommandOutput> {
    return this.send('TransactWriteItems', withCapacity(input), (i) => this.client.send(new TransactWriteCommand(i)));
  }
  batchWrite(input: BatchWriteCommandInput): Promise<BatchWriteCommandOutput> {
    return this.send('BatchWriteItem', withCapacity(input), (i) => this.client.send(new BatchWriteCommand(i)));
  }

  /** Through the meter (cost.ts); an availability failure becomes UNAVAILABLE once it is recorded. */
  private async send<I extends CallInput, O extends CallAnswer>(command: string, input: I, call: (input: I) => Promise<O>): Promise<O> {
    try {
      return await metered(command, input, () => call(input), this);
    } catch (err) {
      if (isUnavailable(err)) throw new UnavailableError((err as Error).name);
      throw err;
    }
  }
}

/**
 * What a Db needs of a read wave (wave.ts's ReadWave; declared here so the door imports nothing
 * above it): one answer per distinct read, sent through the `send` of the member that asked first.
 */
export interface ReadSharing {
  once<I extends object, O>(command: string, input: I, send: (input: I) => Promise<O>): Promise<O>;
  /** Undefined when the input cannot be shared: the Db sends it alone. */
  batchGet(
    table: string,
    input: BatchGetCommandInput,
    send: (input: BatchGetCommandInput) => Promise<BatchGetCommandOutput>,
  ): Promise<BatchGetCommandOutput> | undefined;
}

function withCapacity<T extends object>(input: T): T & { ReturnConsumedCapacity: 'TOTAL' } {
  return { ...input, ReturnConsumedCapacity: 'TOTAL' };
}
