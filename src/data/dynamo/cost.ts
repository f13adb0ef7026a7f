// What one GraphQL operation cost in DynamoDB: calls per command, sequential waves, capacity.

export interface CostReport {
  calls: Record<string, number>;
  totalCalls: number;
  /** Length of the longest chain of calls that had to wait for one another. */
  waves: number;
  readCapacityUnits: number;
  writeCapacityUnits: number;
}

interface Capacity {
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
    for (const c of consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed]) {
      if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
        this.rcu += c.ReadCapacityUnits ?? 0;
        this.wcu += c.WriteCapacityUnits ?? 0;
      } else if (WRITE_COMMANDS.has(command)) this.wcu += c.CapacityUnits ?? 0;
      else this.rcu += c.CapacityUnits ?? 0;
    }
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

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
