// Shared by the reliability tests: a whole-table snapshot (to prove a refused request wrote
// nothing), the invariants every counter must satisfy (to prove faults and races left nothing
// half-written), and fast seeding of the test's own entities straight into the table.
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Item } from '../../src/data/dynamo/batch.js';
import { loadItems } from '../../src/ops/load.js';

// Not test/helpers/server.js's: this module also runs outside vitest (bench/soak.ts).
const freshUsername = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

/** Every item of the table, strongly consistent. */
export async function scanAll(doc: DynamoDBDocumentClient, tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The table as one comparable value: items in key order, attributes in name order. */
export async function snapshot(doc: DynamoDBDocumentClient, tableName: string): Promise<string[]> {
  const items = await scanAll(doc, tableName);
  return items.map((it) => JSON.stringify(Object.fromEntries(Object.entries(it).sort(([a], [b]) => (a < b ? -1 : 1))))).sort();
}

export interface Scope {
  users?: readonly string[];
  games?: readonly string[];
  /** Photos as [owner, timestamp]. */
  photos?: readonly (readonly [string, string])[];
}

const STORED_TYPES = ['+1', 'smiley', 'sunglasses', 'heart'];

/**
 * Checks, over a whole-table scan, that every counter of the given entities equals the items it
 * counts: a game's `people` its player items (and at most 50, off the open index when full); a
 * user's `followers`/`following` their follow items, and one email guard naming them; a photo's
 * reaction counts its reaction items. Returns the violations, [] when all hold. Only the test's
 * own entities are checked: the labs' data arrives with inconsistent counters.
 */
export async function invariantViolations(doc: DynamoDBDocumentClient, tableName: string, scope: Scope): Promise<string[]> {
  const items = await scanAll(doc, tableName);
  const problems: string[] = [];
  const byPk = new Map<string, Item[]>();
  for (const it of items) {
    const list = byPk.get(it.PK as string) ?? [];
    list.push(it);
    byPk.set(it.PK as string, list);
  }

  for (const id of scope.games ?? []) {
    const part = byPk.get(`GAME#${id}`) ?? [];
    const game = part.find((it) => it.SK === `#METADATA#${id}`);
    if (!game) {
      if (part.length) problems.push(`game ${id}: ${part.length} items but no game item`);
      continue;
    }
    const players = part.filter((it) => String(it.SK).startsWith('USER#')).length;
    if (game.people !== players) problems.push(`game ${id}: people = ${String(game.people)} but ${players} player items`);
    if (players > 50) problems.push(`game ${id}: ${players} players, more than 50`);
    if (players >= 50 && game.open_timestamp !== undefined) problems.push(`game ${id}: full but still listed as open`);
  }

  for (const u of scope.users ?? []) {
    const user = items.find((it) => it.PK === `USER#${u}` && it.SK === `#METADATA#${u}`);
    const followers = items.filter((it) => it.PK === `USER#${u}` && String(it.SK).startsWith('#FRIEND#')).length;
    const following = items.filter((it) => it.SK === `#FRIEND#${u}`).length;
    if (!user) {
      if (followers || following) problems.push(`user ${u}: follow items but no user item`);
      continue;
    }
    if ((user.followers ?? 0) !== followers)
      problems.push(`user ${u}: followers = ${String(user.followers)} but ${followers} follow items`);
    if ((user.following ?? 0) !== following)
      problems.push(`user ${u}: following = ${String(user.following)} but ${following} follow items`);
    const guards = items.filter((it) => String(it.PK).startsWith('EMAIL#') && it.username === u);
    if (typeof user.email === 'string') {
      const expected = `EMAIL#${user.email.toLowerCase()}`;
      if (guards.length !== 1 || guards[0]!.PK !== expected)
        problems.push(`user ${u}: email guards ${JSON.stringify(guards.map((g) => g.PK))}, expected ["${expected}"]`);
    }
  }

  for (const [owner, ts] of scope.photos ?? []) {
    const sk = `PHOTO#${owner}#${ts}`;
    const photo = items.find((it) => it.PK === `USER#${owner}` && it.SK === sk);
    const reactions = items.filter((it) => it.SK === sk && String(it.PK).startsWith('REACTION#'));
    if (!photo) {
      if (reactions.length) problems.push(`photo ${owner}/${ts}: reactions but no photo`);
      continue;
    }
    const counts = (photo.reactions ?? {}) as Record<string, number>;
    for (const t of STORED_TYPES) {
      const n = reactions.filter((r) => r.reactionType === t).length;
      if ((counts[t] ?? 0) !== n) problems.push(`photo ${owner}/${ts}: ${t} = ${String(counts[t])} but ${n} reaction items`);
    }
  }
  return problems;
}

/** Writes `count` fresh users with email guards, shaped as createUser writes them; returns their names. */
export async function seedUsers(doc: DynamoDBDocumentClient, tableName: string, count: number, prefix = 'r'): Promise<string[]> {
  const names = Array.from({ length: count }, () => freshUsername(prefix));
  const items = names.flatMap((u) => [
    {
      PK: `USER#${u}`,
      SK: `#METADATA#${u}`,
      username: u,
      name: `User ${u}`,
      email: `${u}@example.com`,
      interests: [],
      followers: 0,
      following: 0,
    },
    { PK: `EMAIL#${u}@example.com`, SK: '#EMAIL', username: u },
  ]);
  await loadItems(doc, tableName, items);
  return names;
}

/** Runs `tasks` with at most `limit` in flight at once. */
export async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/**
 * Stops a test server and drops its table. DynamoDB Local slows down with every table it holds
 * (adding an index to a table stops finishing once ten or so others exist), and the whole suite
 * shares one, so these files leave none behind.
 */
export async function closeAndDrop(s: {
  tableName: string;
  clients: { raw: { send(c: DeleteTableCommand): Promise<unknown> } };
  close(): Promise<void>;
}): Promise<void> {
  await s.clients.raw.send(new DeleteTableCommand({ TableName: s.tableName }));
  await s.close();
}
