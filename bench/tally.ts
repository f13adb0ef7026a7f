// The DynamoDB calls, items and capacity a server process's client completed, counted by a
// middleware on its document client (outermost step: retries included in one call). Shared by the
// bench's server processes (bench/server.ts, bench/live-server.ts), so every figure of calls and
// capacity comes from the server's own count, never from the load generator's guess.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface CallTally {
  calls: number;
  callsByCommand: Record<string, number>;
  items: number;
  itemsByCommand: Record<string, number>;
  rcu: number;
  wcu: number;
  failedCalls: number;
}

export const emptyTally = (): CallTally => ({ calls: 0, callsByCommand: {}, items: 0, itemsByCommand: {}, rcu: 0, wcu: 0, failedCalls: 0 });

// context.commandName is the low-level client's command name, also for lib-dynamodb commands.
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

/** Adds one completed command's items and consumed capacity to `t`. */
export function count(t: CallTally, name: string, tableName: string, output: object): void {
  t.calls++;
  t.callsByCommand[name] = (t.callsByCommand[name] ?? 0) + 1;
  const o = output as { Items?: unknown[]; Item?: unknown; Responses?: Record<string, unknown[]>; ConsumedCapacity?: unknown };
  const items = o.Items?.length ?? o.Responses?.[tableName]?.length ?? (o.Item ? 1 : 0);
  t.items += items;
  t.itemsByCommand[name] = (t.itemsByCommand[name] ?? 0) + items;
  for (const c of [o.ConsumedCapacity ?? []].flat() as {
    CapacityUnits?: number;
    ReadCapacityUnits?: number;
    WriteCapacityUnits?: number;
  }[]) {
    if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
      t.rcu += c.ReadCapacityUnits ?? 0;
      t.wcu += c.WriteCapacityUnits ?? 0;
    } else if (WRITES.has(name)) t.wcu += c.CapacityUnits ?? 0;
    else t.rcu += c.CapacityUnits ?? 0;
  }
}

/** Tallies every command `doc` completes into `t`. */
export function tally(t: CallTally, doc: DynamoDBDocumentClient, tableName: string): void {
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        const out = await next(args);
        count(t, String(context.commandName ?? 'unknown'), tableName, out.output as object);
        return out;
      } catch (err) {
        t.calls++;
        t.failedCalls++;
        throw err;
      }
    },
    { step: 'initialize', priority: 'high', name: 'benchTally' },
  );
}
