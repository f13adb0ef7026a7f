// What operations cost in DynamoDB, as the server reports it in extensions.dynamodb.

/** What one operation cost in DynamoDB: the server's extensions.dynamodb (the SDK's own copy of its shape, checked against the server's by test/unit/sdk.test.ts). */
export interface CostReport {
  /** Calls per DynamoDB command, each attempt on the wire counted. */
  calls: Record<string, number>;
  totalCalls: number;
  /** Length of the longest chain of calls that had to wait for one another. */
  waves: number;
  readCapacityUnits: number;
  writeCapacityUnits: number;
}

/** The report in a response's extensions, or null when the server does not send one (DYNAMODB_COST=off). */
export function readCost(extensions: Record<string, unknown> | undefined): CostReport | null {
  const c = extensions?.dynamodb as Partial<CostReport> | undefined;
  if (!c || typeof c !== 'object' || typeof c.totalCalls !== 'number' || typeof c.calls !== 'object' || c.calls === null) return null;
  return {
    calls: { ...c.calls },
    totalCalls: c.totalCalls,
    waves: typeof c.waves === 'number' ? c.waves : 0,
    readCapacityUnits: typeof c.readCapacityUnits === 'number' ? c.readCapacityUnits : 0,
    writeCapacityUnits: typeof c.writeCapacityUnits === 'number' ? c.writeCapacityUnits : 0,
  };
}

export interface CostTally {
  /** Adds one operation's cost; pass it as createClient's onCost to count every call, failed ones too. */
  add(cost: CostReport | null): void;
  /** The sum so far. `waves` is summed too: the round trips if every operation had run one after another. */
  readonly total: CostReport;
  /** How many operations were added (with or without a report). */
  readonly operations: number;
}

export function createCostTally(): CostTally {
  const total: CostReport = { calls: {}, totalCalls: 0, waves: 0, readCapacityUnits: 0, writeCapacityUnits: 0 };
  let operations = 0;
  return {
    add(cost) {
      operations++;
      if (!cost) return;
      for (const [command, n] of Object.entries(cost.calls)) total.calls[command] = (total.calls[command] ?? 0) + n;
      total.totalCalls += cost.totalCalls;
      total.waves += cost.waves;
      // Capacity comes in thousandths; keep the sum free of float noise.
      total.readCapacityUnits = Math.round((total.readCapacityUnits + cost.readCapacityUnits) * 1000) / 1000;
      total.writeCapacityUnits = Math.round((total.writeCapacityUnits + cost.writeCapacityUnits) * 1000) / 1000;
    },
    get total() {
      return { ...total, calls: { ...total.calls } };
    },
    get operations() {
      return operations;
    },
  };
}
