// The one door to the table's items. Each request gets its own Db around the shared client, and so
// does each kind of background work (source: the lease, checkpoints, the expirer, sweeps, bulk
// loads), so every call asks for consumed capacity, goes through the meter (cost.ts: the request's
// CostMeter, one count per attempt on the wire, and the call listener: metrics, traces, labelled
// with the source), and turns availability failures into UNAVAILABLE.
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
import { CostMeter, metered, type CallAnswer, type CallInput, type CallListener, type CallSink, type CallSource } from './cost.js';

export class Db implements CallSink {
  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly meter: CostMeter = new CostMeter(),
    readonly onCall?: CallListener,
    /** Whose calls these are: a request's, or which background work's (cost.ts). */
    readonly source: CallSource = 'request',
  ) {}

  get(input: GetCommandInput): Promise<GetCommandOutput> {
    return this.send('GetItem', withCapacity(input), (i) => this.client.send(new GetCommand(i)));
  }
  batchGet(input: BatchGetCommandInput): Promise<BatchGetCommandOutput> {
    return this.send('BatchGetItem', withCapacity(input), (i) => this.client.send(new BatchGetCommand(i)));
  }
  query(input: QueryCommandInput): Promise<QueryCommandOutput> {
    return this.send('Query', withCapacity(input), (i) => this.client.send(new QueryCommand(i)));
  }
  scan(input: ScanCommandInput): Promise<ScanCommandOutput> {
    return this.send('Scan', withCapacity(input), (i) => this.client.send(new ScanCommand(i)));
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

function withCapacity<T extends object>(input: T): T & { ReturnConsumedCapacity: 'TOTAL' } {
  return { ...input, ReturnConsumedCapacity: 'TOTAL' };
}
