// A stub DynamoDB endpoint: a separate process that speaks DynamoDB's JSON protocol and answers
// GetItem, BatchGetItem and Query at once, from the benchmark's own items (bench/seed.ts) held in
// memory and marshalled in advance. With it the server under test does all of its own work
// (HTTP, Apollo, loaders, the SDK's signing and marshalling) while the database costs nothing,
// so the server's CPU per operation is measured apart from DynamoDB Local's.
// Reads honour ProjectionExpression as DynamoDB does (stub-projection.ts): a server that projects
// is sent, and unmarshals, only what it asked for.
// With --latency each answer waits for a delay drawn from bench/latency-model.ts (seeded, per
// command), so a wave of calls costs what it costs on DynamoDB; /__bench/stats then also reports
// how far the timers overshot the drawn delays (Node's timers have millisecond resolution).
//
//   node --import tsx bench/stub-dynamo.ts <table> [--latency default|off|<spec>] [--seed n]
import { createServer } from 'node:http';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Item } from '../src/data/dynamo/batch.js';
import { keyId } from '../src/data/keys.js';
import { TABLE } from '../src/data/table.js';
import { parseModel, sampler } from './latency-model.js';
import { benchItems, itemBytes } from './seed.js';
import { projectedAttributes, projectedJson, Validation, type Projectable } from './stub-projection.js';

type AV = Record<string, unknown>;

interface Stored extends Projectable {
  item: Item;
  /** The whole item's size: DynamoDB charges for it whatever a read projects. */
  bytes: number;
}

interface IndexData {
  partitionKey: string;
  sortKey?: string;
  /** Attributes a LastEvaluatedKey carries on this index. */
  keyNames: string[];
  partitions: Map<string, { list: Stored[]; position: Map<string, number> }>;
}

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const tableName = args[0] ?? 'bench';
const model = parseModel(option('--latency'));
const delay = model ? sampler(model, Number(option('--seed') ?? 17)) : undefined;
const byKey = new Map<string, Stored>();
const indexes = new Map<string, IndexData>();

function load(items: Item[]) {
  const defs = [{ name: '', partitionKey: TABLE.partitionKey, sortKey: TABLE.sortKey as string | undefined }, ...TABLE.indexes];
  for (const d of defs) {
    const keyNames = [...new Set([TABLE.partitionKey, TABLE.sortKey, d.partitionKey, ...(d.sortKey ? [d.sortKey] : [])])];
    indexes.set(d.name, { partitionKey: d.partitionKey, sortKey: d.sortKey, keyNames, partitions: new Map() });
  }
  for (const item of items) {
    const av = marshall(item);
    const stored: Stored = { item, av, json: JSON.stringify(av), bytes: itemBytes(item) };
    byKey.set(keyId({ PK: String(item.PK), SK: String(item.SK) }), stored);
    for (const ix of indexes.values()) {
      const pv = item[ix.partitionKey];
      if (typeof pv !== 'string' || (ix.sortKey && item[ix.sortKey] === undefined)) continue; // sparse
      const p = ix.partitions.get(pv) ?? ix.partitions.set(pv, { list: [], position: new Map() }).get(pv)!;
      p.list.push(stored);
    }
  }
  for (const ix of indexes.values()) {
    for (const p of ix.partitions.values()) {
      const order = (s: Stored) => `${ix.sortKey ? String(s.item[ix.sortKey]) : ''}\u0000${String(s.item.PK)}\u0000${String(s.item.SK)}`;
      p.list.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
      p.list.forEach((s, i) => p.position.set(keyId({ PK: String(s.item.PK), SK: String(s.item.SK) }), i));
    }
  }
}

const units = (bytes: number, consistent: boolean) => Math.ceil(Math.max(bytes, 1) / 4096) * (consistent ? 1 : 0.5);
const scalar = (v: unknown): string => {
  const av = v as { S?: string; N?: string } | undefined;
  if (av?.S !== undefined) return av.S;
  if (av?.N !== undefined) return av.N;
  throw new Error(`Unsupported key value ${JSON.stringify(v)}`);
};
const keyString = (key: AV) => keyId({ PK: scalar(key.PK), SK: scalar(key.SK) });

interface Condition {
  name: string;
  op: string;
  values: string[];
}

const CONDITION =
  /\s*(?:begins_with\s*\(\s*([#\w]+)\s*,\s*(:\w+)\s*\)|([#\w]+)\s+BETWEEN\s+(:\w+)\s+AND\s+(:\w+)|([#\w]+)\s*(<=|>=|=|<|>)\s*(:\w+))\s*(?:AND\s+|$)/iy;

function parseKeyCondition(expr: string, names: Record<string, string> = {}, values: Record<string, unknown> = {}): Condition[] {
  const out: Condition[] = [];
  const name = (n: string) => (n.startsWith('#') ? (names[n] ?? n) : n);
  const value = (v: string) => scalar(values[v]);
  CONDITION.lastIndex = 0;
  while (CONDITION.lastIndex < expr.length) {
    const m = CONDITION.exec(expr);
    if (!m) throw new Validation(`Stub cannot parse KeyConditionExpression: ${expr}`);
    if (m[1]) out.push({ name: name(m[1]), op: 'begins_with', values: [value(m[2]!)] });
    else if (m[3]) out.push({ name: name(m[3]), op: 'between', values: [value(m[4]!), value(m[5]!)] });
    else out.push({ name: name(m[6]!), op: m[7]!, values: [value(m[8]!)] });
  }
  return out;
}

function matches(v: string, c: Condition): boolean {
  const [a, b] = c.values as [string, string];
  switch (c.op) {
    case '=':
      return v === a;
    case '<':
      return v < a;
    case '<=':
      return v <= a;
    case '>':
      return v > a;
    case '>=':
      return v >= a;
    case 'between':
      return v >= a && v <= b;
    default:
      return v.startsWith(a);
  }
}

const wantsCapacity = (req: AV) => Boolean(req.ReturnConsumedCapacity) && req.ReturnConsumedCapacity !== 'NONE';
const capacity = (rcu: number) => JSON.stringify({ TableName: tableName, CapacityUnits: rcu });

/** A handler's answer: the response body and how many items it returned (for the latency model). */
type Answer = [body: string, items: number];

function getItem(req: AV): Answer {
  const attributes = projectedAttributes(req);
  const s = byKey.get(keyString(req.Key as AV));
  const fields = s ? [`"Item":${projectedJson(s, attributes)}`] : [];
  if (wantsCapacity(req)) fields.push(`"ConsumedCapacity":${capacity(units(s?.bytes ?? 0, Boolean(req.ConsistentRead)))}`);
  return [`{${fields.join(',')}}`, s ? 1 : 0];
}

function batchGetItem(req: AV): Answer {
  const all = req.RequestItems as Record<string, { Keys: AV[]; ConsistentRead?: boolean; ProjectionExpression?: string }>;
  const parts: string[] = [];
  let rcu = 0;
  let items = 0;
  for (const [t, entry] of Object.entries(all)) {
    const { Keys, ConsistentRead } = entry;
    if (Keys.length > 100) throw new Validation('Too many items requested for the BatchGetItem call');
    const attributes = projectedAttributes(entry);
    const found: string[] = [];
    for (const k of Keys) {
      const s = byKey.get(keyString(k));
      rcu += units(s?.bytes ?? 0, Boolean(ConsistentRead));
      if (s) found.push(projectedJson(s, attributes));
    }
    items += found.length;
    parts.push(`${JSON.stringify(t)}:[${found.join(',')}]`);
  }
  const cap = wantsCapacity(req) ? `,"ConsumedCapacity":[${capacity(rcu)}]` : '';
  return [`{"Responses":{${parts.join(',')}},"UnprocessedKeys":{}${cap}}`, items];
}

function query(req: AV): Answer {
  const ix = indexes.get(String(req.IndexName ?? ''));
  if (!ix) throw new Validation(`Unknown index ${String(req.IndexName)}`);
  const attributes = projectedAttributes(req);
  const conditions = parseKeyCondition(
    String(req.KeyConditionExpression),
    req.ExpressionAttributeNames as Record<string, string>,
    req.ExpressionAttributeValues as AV,
  );
  const hash = conditions.find((c) => c.name === ix.partitionKey && c.op === '=');
  if (!hash) throw new Validation(`Query condition missed key schema element: ${ix.partitionKey}`);
  const range = conditions.find((c) => c !== hash);
  const p = ix.partitions.get(hash.values[0]!);
  const forward = req.ScanIndexForward !== false;
  const limit = typeof req.Limit === 'number' ? req.Limit : Infinity;
  const out: Stored[] = [];
  let bytes = 0;
  let last: Stored | undefined;
  let more = false;
  if (p) {
    const n = p.list.length;
    let i = forward ? 0 : n - 1;
    if (req.ExclusiveStartKey) {
      const at = p.position.get(keyString(req.ExclusiveStartKey as AV));
      if (at === undefined) throw new Validation('The provided starting key is invalid');
      i = forward ? at + 1 : at - 1;
    }
    for (; i >= 0 && i < n; i += forward ? 1 : -1) {
      const s = p.list[i]!;
      if (range && !matches(String(s.item[range.name] ?? ''), range)) continue;
      if (out.length >= limit) {
        more = true;
        break;
      }
      out.push(s);
      bytes += s.bytes;
      last = s;
    }
  }
  // DynamoDB returns a LastEvaluatedKey whenever it stopped at Limit, even with nothing after.
  const stoppedAtLimit = out.length === limit && limit !== Infinity;
  const lek =
    (more || stoppedAtLimit) && last
      ? `,"LastEvaluatedKey":${JSON.stringify(marshall(Object.fromEntries(ix.keyNames.map((k) => [k, last!.item[k]]))))}`
      : '';
  const cap = wantsCapacity(req) ? `,"ConsumedCapacity":${capacity(units(bytes, Boolean(req.ConsistentRead)))}` : '';
  return [
    `{"Items":[${out.map((s) => projectedJson(s, attributes)).join(',')}],"Count":${out.length},"ScannedCount":${out.length}${lek}${cap}}`,
    out.length,
  ];
}

const handlers: Record<string, (req: AV) => Answer> = {
  GetItem: getItem,
  BatchGetItem: batchGetItem,
  Query: query,
  ListTables: () => [JSON.stringify({ TableNames: [tableName] }), 0],
};

let served = 0;
/** Per command: calls delayed, the delays drawn and the delays delivered (ms, summed). */
const delays: Record<string, { calls: number; drawnMs: number; deliveredMs: number }> = {};
load(benchItems());
const server = createServer((req, res) => {
  if (req.url === '/__bench/stats') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ pid: process.pid, cpu: process.cpuUsage(), served, model: model ?? null, delays }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const target = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': String(++served) }).end(body);
    };
    try {
      const handler = handlers[target];
      if (!handler) throw new Validation(`The stub does not implement ${target}.`);
      const [body, items] = handler(JSON.parse(Buffer.concat(chunks).toString('utf8')) as AV);
      if (!delay) return send(200, body);
      const drawn = delay(target, items);
      const start = performance.now();
      setTimeout(() => {
        const d = delays[target] ?? (delays[target] = { calls: 0, drawnMs: 0, deliveredMs: 0 });
        d.calls++;
        d.drawnMs += drawn;
        d.deliveredMs += performance.now() - start;
        send(200, body);
      }, drawn);
    } catch (err) {
      const type = err instanceof Validation ? 'ValidationException' : 'InternalServerError';
      send(
        err instanceof Validation ? 400 : 500,
        JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: String((err as Error).message) }),
      );
    }
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid, port, items: byKey.size })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
