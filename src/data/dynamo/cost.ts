// What one GraphQL operation cost in DynamoDB: calls per command, sequential waves, capacity.

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

  /** Marks a call's start; the returned function marks its end. A call's wave is one more than the deepest call finished before it began. */
  begin(): () => void {
    const depth = this.maxFinishedDepth + 1;
    this.waves = Math.max(this.waves, depth);
    return () => {
      this.maxFinishedDepth = Math.max(this.maxFinishedDepth, depth);
    };
  }

  /** Counts a call's attempts on the wire (retries included, so the count matches what DynamoDB saw). */
  attempts(command: string, attempts = 1): void {
    this.calls[command] = (this.calls[command] ?? 0) + Math.max(1, attempts);
  }

  capacity(command: string, consumed: Capacity | Capacity[] | undefined): void {
    const units = capacityUnits(command, consumed);
    this.rcu += units.rcu;
    this.wcu += units.wcu;
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

/** One finished DynamoDB call, as metrics and traces see it. */
export interface CallRecord {
  command: string;
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

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
