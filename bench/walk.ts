// Reading a scenario once on a server: every page in turn, each answer checked, and the request
// bodies kept (with the real cursors) for the load windows.
import type { Child } from './processes.js';
import type { ReadScenario } from './operations.js';
import type { ServerStats, Variant } from './server.js';

export async function stats(child: Child): Promise<ServerStats> {
  const res = await fetch(`http://127.0.0.1:${child.ready.port}/__bench/stats`);
  return (await res.json()) as ServerStats;
}

export interface Target {
  label: string;
  backend: 'dynamodb-local' | 'stub' | 'none';
  variant: Variant;
  child: Child;
}

export const url = (t: Target) => `http://127.0.0.1:${t.child.ready.port}/graphql`;

async function post(t: Target, query: string, variables: Record<string, unknown>, token?: string) {
  const res = await fetch(url(t), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as {
    data?: any;
    errors?: unknown[];
    extensions?: { dynamodb?: { totalCalls: number; readCapacityUnits: number; calls: Record<string, number> } };
  };
}

/** autocannon's verifyBody: a response with GraphQL errors counts as a mismatch. */
export const noErrors = (body: string | Buffer | undefined) => !String(body ?? '').includes('"errors"');

const dig = (data: any, path: string[]) => path.reduce((d, k) => d?.[k], data);

/** Drops cursors and pageInfo, which legitimately differ between variants. */
function comparable(data: unknown): unknown {
  return JSON.parse(JSON.stringify(data, (k, v) => (k === 'cursor' || k === 'pageInfo' ? undefined : v)));
}

export interface Walk {
  bodies: string[];
  calls: number;
  rcu: number;
  callsByCommand: Record<string, number>;
  data: unknown[];
}

/** Reads every page of a scenario once, checking each answer, and keeps the request bodies (with real cursors) for the load run. */
export async function walk(t: Target, s: ReadScenario): Promise<Walk> {
  const w: Walk = { bodies: [], calls: 0, rcu: 0, callsByCommand: {}, data: [] };
  let after: string | undefined;
  for (const [k, vars] of s.pages.entries()) {
    const variables = { ...vars, ...(after ? { after } : {}) };
    const res = await post(t, s.query, variables);
    if (res.errors?.length || !res.data) throw new Error(`${s.id} page ${k} on ${t.label} answered errors: ${JSON.stringify(res.errors)}`);
    const conn = s.connectionPath.length ? dig(res.data, s.connectionPath) : undefined;
    if (conn) {
      const want = Math.min(Number(vars.first), s.fanout - k * Number(vars.first));
      if (conn.edges.length !== want) throw new Error(`${s.id} page ${k} on ${t.label} has ${conn.edges.length} edges, expected ${want}.`);
      after = conn.pageInfo.endCursor ?? undefined;
    }
    const cost = res.extensions?.dynamodb;
    if (cost) {
      w.calls += cost.totalCalls;
      w.rcu += cost.readCapacityUnits;
      for (const [c, n] of Object.entries(cost.calls)) w.callsByCommand[c] = (w.callsByCommand[c] ?? 0) + n;
    }
    w.data.push(comparable(res.data));
    w.bodies.push(JSON.stringify({ query: s.query, variables }));
  }
  return w;
}
