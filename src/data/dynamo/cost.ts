// The meter of every DynamoDB call, in one place: metered() times a call, reads its attempts and
// consumed capacity once into a CallRecord, and hands that record to a request's CostMeter (calls
// per command, sequential waves, capacity: what one GraphQL operation cost) and to the listener
// (metrics, traces). db.ts is the door for the table's items; the stream reader, the start-up
// table check and /readyz's probe send their calls through metered() too, each with its source.

export interface CostReport {
  calls: Record<string, number>;
  totalCalls: number;
  /** Length of the longest chain of calls that had to wait for one another. */
  waves: number;
  readCapacityUnits: number;
  writeCapacityUnits: number;
}

export interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const WRITE_COMMANDS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

export class CostMeter {
  private calls: Record<string, number> = {};
  private maxFinishedDepth = 0;
  private waves = 0;
  private rcu = 0;
  private wcu = 0;

  /**
   * Marks a call's start; the returned function takes its record at the end. A call's wave is one
   * more than the deepest call finished before it began; its attempts on the wire are counted
   * (retries included, so the count matches what DynamoDB saw), and its capacity.
   */
  begin(): (call?: CallRecord) => void {
    const depth = this.maxFinishedDepth + 1;
    this.waves = Math.max(this.waves, depth);
    return (call) => {
      this.maxFinishedDepth = Math.max(this.maxFinishedDepth, depth);
      if (!call) return;
      this.attempts(call.command, call.attempts);
      this.rcu += call.rcu;
      this.wcu += call.wcu;
    };
  }

  /** Counts attempts of a call metered outside metered() (bench/server.ts's textbook peer). */
  attempts(command: string, attempts = 1): void {
    this.calls[command] = (this.calls[command] ?? 0) + Math.max(1, attempts);
  }

  report(): CostReport {
    const totalCalls = Object.values(this.calls).reduce((a, b) => a + b, 0);
    return {
      calls: { ...this.calls },
      totalCalls,
      waves: this.waves,
      readCapacityUnits: round(this.rcu),
      writeCapacityUnits: round(this.wcu),
    };
  }
}

/** Read and write units of one call's ConsumedCapacity (TOTAL gives only CapacityUnits: the command says which kind). */
export function capacityUnits(command: string, consumed: Capacity | Capacity[] | undefined): { rcu: number; wcu: number } {
  let rcu = 0;
  let wcu = 0;
  for (const c of consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed]) {
    if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
      rcu += c.ReadCapacityUnits ?? 0;
      wcu += c.WriteCapacityUnits ?? 0;
    } else if (WRITE_COMMANDS.has(command)) wcu += c.CapacityUnits ?? 0;
    else rcu += c.CapacityUnits ?? 0;
  }
  return { rcu, wcu };
}

/**
 * Whose work a call is: a GraphQL request, or the process's own background work (the stream
 * reader's streams calls, its lease and checkpoints, the expirer, the sweep of a removed game's
 * players, table admin and bulk loads, /readyz's probe, and the serverless on-failure handler's
 * re-read of a given-up stream batch and its RESYNC). A bounded label on metrics and spans.
 */
export type CallSource = 'request' | 'stream-reader' | 'lease' | 'checkpoint' | 'expirer' | 'sweep' | 'admin' | 'probe' | 'resync';

/** One finished DynamoDB call, as metrics and traces see it. */
export interface CallRecord {
  command: string;
  source: CallSource;
  /** The index a Query or Scan read, undefined for the table itself. */
  index: string | undefined;
  /** Epoch milliseconds (fractional) of the call's start and end, retries included. */
  startMs: number;
  endMs: number;
  /** Requests on the wire: 1 plus the SDK's retries. */
  attempts: number;
  rcu: number;
  wcu: number;
  /** The raw ConsumedCapacity the call returned. */
  consumed: Capacity | Capacity[] | undefined;
  /** The error's name when the call failed. */
  error?: string;
  /** BatchGetItem: keys asked for and keys DynamoDB left unprocessed. */
  keys?: number;
  unprocessedKeys?: number;
}

export type CallListener = (call: CallRecord) => void;

/** Where a call's record goes: the request's meter (absent for background work) and the listener. */
export interface CallSink {
  source: CallSource;
  meter?: CostMeter;
  onCall?: CallListener;
}

/** What the meter reads of a call's input: the index, and a BatchGetItem's keys (every call on the table asks for its capacity). */
export interface CallInput {
  ReturnConsumedCapacity?: string;
  IndexName?: string;
  RequestItems?: Record<string, unknown>;
}

/** What the meter reads of a call's output or error. The SDK's retry middleware reports attempts, failed calls included. */
export interface CallAnswer {
  $metadata?: { attempts?: number };
  ConsumedCapacity?: Capacity | Capacity[];
  UnprocessedKeys?: Record<string, unknown>;
}

const clock = () => performance.timeOrigin + performance.now();

/** Sends one call through the meter: its record goes to the sink's meter and listener, whether it succeeds or fails. */
export async function metered<O extends CallAnswer>(
  command: string,
  input: CallInput | undefined,
  send: () => Promise<O>,
  sink: CallSink,
): Promise<O> {
  const end = sink.meter?.begin();
  const startMs = clock();
  let answer: CallAnswer | undefined;
  let error: string | undefined;
  try {
    const out = await send();
    answer = out;
    return out;
  } catch (err) {
    answer = err as CallAnswer; // SDK errors carry $metadata, and some ConsumedCapacity
    error = (err as { name?: string }).name ?? 'Error';
    throw err;
  } finally {
    const call = callRecord(command, sink.source, input, answer, error, startMs);
    end?.(call);
    sink.onCall?.(call);
  }
}

function callRecord(
  command: string,
  source: CallSource,
  input: CallInput | undefined,
  answer: CallAnswer | undefined,
  error: string | undefined,
  startMs: number,
): CallRecord {
  const consumed = answer?.ConsumedCapacity;
  const keys = command === 'BatchGetItem' ? countKeys(input?.RequestItems) : undefined;
  return {
    command,
    source,
    index: input?.IndexName,
    startMs,
    endMs: clock(),
    attempts: Math.max(1, answer?.$metadata?.attempts ?? 1),
    ...capacityUnits(command, consumed),
    consumed,
    ...(error ? { error } : {}),
    ...(keys !== undefined ? { keys, unprocessedKeys: countKeys(answer?.UnprocessedKeys) } : {}),
  };
}

/** Keys of a BatchGetItem's RequestItems or UnprocessedKeys, every table's. */
function countKeys(byTable: Record<string, unknown> | undefined): number {
  let n = 0;
  for (const t of Object.values(byTable ?? {})) if (t && typeof t === 'object' && 'Keys' in t && Array.isArray(t.Keys)) n += t.Keys.length;
  return n;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
