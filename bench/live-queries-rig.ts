// What the @live-query benchmark (bench/live-queries.ts) drives: its server process
// (bench/live-server.ts, pinned to the CPU under test when the run pins), its games in DynamoDB
// Local, the lab's join and leave transactions sent from outside the server, and bare
// graphql-transport-ws clients holding live lobbies. Nothing here measures.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { BatchWriteCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import WebSocket from 'ws';
import { createClients, type DynamoClients } from '../src/data/dynamo/client.js';
import { ensureTable } from '../src/ops/admin.js';
import { loadItems } from '../src/ops/load.js';
import { HERE, ROOT } from './settings.js';
import type { CallTally } from './tally.js';

/** The lobby every client watches (and, in the polling comparison, polls without @live). */
export const LOBBY = 'query($id: ID!) @live { game(id: $id) { playerCount players(first: 50) { edges { node { user { username } } } } } }';
export const POLLED = LOBBY.replace(' @live', '');
/** Players seated in each game before the run; the stream's writes seat and unseat one more. */
export const SEATED = 5;

export interface ServerStats {
  rss: number;
  heapUsed: number;
  external: number;
  cpu: { user: number; system: number };
  liveQueries: number;
  idle: boolean;
  queries: { runs: number; matched: number };
  records: number;
  gaps: number;
  calls: CallTally;
  reader: { calls: Record<string, number> };
  matchMs: number[];
  arrivals: { pk: string; at: number }[];
  runs: { start: number; end: number }[];
}

export interface Rig {
  wsUrl: string;
  httpUrl: string;
  table: string;
  clients: DynamoClients;
  /** Game ids, and each game's writes so far (even: the extra player is out; odd: in). */
  games: string[];
  stats(gc?: boolean): Promise<ServerStats>;
  /** The lab's join of game `g`'s extra player, or its leave: one transaction of two items, from outside the server. */
  toggle(g: number): Promise<void>;
  /** `n` (≤ 25) photos of a user no live query read, in one BatchWriteItem: records that concern nobody. */
  noise(n: number): Promise<void>;
  /** Game `g`'s player count after the writes so far. */
  seated(g: number): number;
  stop(): Promise<void>;
}

export const now = () => performance.timeOrigin + performance.now();

export async function until(what: string, ready: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`live-query bench: ${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function startRig(o: { endpoint: string; pollMs: number; games: number; cpus?: string }): Promise<Rig> {
  const table = `lq-bench-${randomUUID().slice(0, 8)}`;
  const clients = createClients({ endpoint: o.endpoint, region: 'local', timeoutMs: 10_000, maxAttempts: 3 });
  await ensureTable(clients.raw, table);
  const games = Array.from({ length: o.games }, () => randomUUID());
  const user = (u: string) => ({ PK: `USER#${u}`, SK: `#METADATA#${u}`, username: u, name: `Player ${u}`, email: `${u}@example.com` });
  await loadItems(
    clients.doc,
    table,
    games.flatMap((id, g) => [
      {
        PK: `GAME#${id}`,
        SK: `#METADATA#${id}`,
        game_id: id,
        map: 'Bench',
        create_time: '2024-01-01T00:00:00',
        people: SEATED,
        creator: `p${g}_0`,
      },
      ...Array.from({ length: SEATED + 1 }, (_, k) => user(`p${g}_${k}`)),
      ...Array.from({ length: SEATED }, (_, k) => ({ PK: `GAME#${id}`, SK: `USER#p${g}_${k}`, game_id: id, username: `p${g}_${k}` })),
    ]),
  );
  const node = [process.execPath, '--expose-gc', '--import', 'tsx', join(HERE, 'live-server.ts'), o.endpoint, table, String(o.pollMs)];
  const [cmd, args] = o.cpus ? ['taskset', ['-c', o.cpus, ...node]] : [node[0]!, node.slice(1)];
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ wsUrl: string; httpUrl: string }>((resolve, reject) => {
    child.once('message', (m: { wsUrl: string; httpUrl: string }) => resolve(m));
    void exited.then(() => reject(new Error('bench/live-server.ts exited before it was ready')));
  });
  const writes = games.map(() => 0);
  let noise = 0;
  return {
    ...ready,
    table,
    clients,
    games,
    stats: (gc = true) =>
      new Promise((resolve) => {
        child.once('message', (m: ServerStats) => resolve(m));
        child.send({ type: 'stats', gc });
      }),
    async noise(n) {
      const at = `${Date.now()}-${noise++}`;
      const Item = (k: number) => ({ PK: 'USER#noise', SK: `PHOTO#noise#${at}.${k}`, username: 'noise', url: 'https://example.com/x.jpg' });
      await clients.doc.send(
        new BatchWriteCommand({ RequestItems: { [table]: Array.from({ length: n }, (_, k) => ({ PutRequest: { Item: Item(k) } })) } }),
      );
    },
    seated: (g) => SEATED + ((writes[g] ?? 0) % 2),
    async toggle(g) {
      const id = games[g]!;
      const username = `p${g}_${SEATED}`;
      const n = writes[g] ?? 0;
      writes[g] = n + 1;
      const joining = n % 2 === 0;
      const key = { PK: `GAME#${id}`, SK: `USER#${username}` };
      await clients.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            joining ? { Put: { TableName: table, Item: { ...key, game_id: id, username } } } : { Delete: { TableName: table, Key: key } },
            {
              Update: {
                TableName: table,
                Key: { PK: `GAME#${id}`, SK: `#METADATA#${id}` },
                UpdateExpression: 'SET people = people + :d',
                ExpressionAttributeValues: { ':d': joining ? 1 : -1 },
              },
            },
          ],
        }),
      );
    },
    async stop() {
      child.send({ type: 'stop' });
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
      clients.raw.destroy();
    },
  };
}

/** One live lobby as its client sees it: results received, the last player count and revision. */
export interface Watcher {
  game: number;
  results: number;
  playerCount: number;
  revision: number;
  lastAt: number;
}

/** What the server sent that no live lobby should get (errors, completions): must stay empty. */
export const clientErrors: string[] = [];

/** A bare client holding one live lobby per entry of `watchers` (the server allows 20 per connection). */
export function openClient(wsUrl: string, watchers: Watcher[], games: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as {
        type: string;
        id?: string;
        payload?: { data?: { game?: { playerCount: number } }; extensions?: { live?: { revision: number } } };
      };
      if (m.type === 'connection_ack') {
        watchers.forEach((w, i) =>
          ws.send(JSON.stringify({ id: `${i}`, type: 'subscribe', payload: { query: LOBBY, variables: { id: games[w.game] } } })),
        );
        resolve(ws);
      } else if (m.type === 'next' && m.payload?.data?.game) {
        const w = watchers[Number(m.id)]!;
        w.results++;
        w.playerCount = m.payload.data.game.playerCount;
        w.revision = m.payload.extensions?.live?.revision ?? -1;
        w.lastAt = now();
      } else if (m.type === 'error' || m.type === 'next' || m.type === 'complete') {
        // A refused or ended live query would silently stop counting: the phase fails on any.
        clientErrors.push(String(data).slice(0, 300));
        reject(new Error(`live-query bench: ${clientErrors.at(-1)}`));
      }
    });
  });
}
