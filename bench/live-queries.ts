// The matching side of @live queries, in process (`npx tsx bench/live-queries.ts [--quick]`): 10,000
// live lobbies (200 games × 50 watchers), each read set what `game(id) { players(first: 50) { user } }`
// records (the game's partition from its metadata to the last player, plus 50 user keys), filed in
// the read index; then a seeded stream of records: joins into watched games, renames of players,
// and writes nobody read. Measures the time to match one record (p50/p99), checks that each record
// matches exactly the live queries it concerns (never all of them), and the heap each filed read set
// costs. No database: the runs themselves are measured by the integration tests, not here.
import { ReadSet } from '../src/data/dynamo/read-set.js';
import { ReadIndex } from '../src/live/query/match.js';
import { prng } from './stats.js';

const quick = process.argv.includes('--quick');
const GAMES = quick ? 20 : 200;
const WATCHERS = 50;
const PLAYERS = 50;
const RECORDS = quick ? 2_000 : 20_000;

function lobbyReads(game: number): ReadSet {
  const r = new ReadSet(0);
  r.query(
    {
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :m AND :e',
      ExpressionAttributeValues: { ':pk': `GAME#g${game}`, ':m': `#METADATA#g${game}`, ':e': 'USER$' },
    },
    undefined,
  );
  for (let p = 0; p < PLAYERS; p++) r.key({ PK: `USER#u${game}_${p}`, SK: `#METADATA#u${game}_${p}` });
  return r;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const global = globalThis as { gc?: () => void };
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const index = new ReadIndex<number>();
let owner = 0;
for (let g = 0; g < GAMES; g++) {
  // Watchers of one game read the same things, but each files its own read set, as live queries do.
  for (let w = 0; w < WATCHERS; w++) index.set(owner++, lobbyReads(g).ranges);
}
global.gc?.();
const heapPerQuery = (process.memoryUsage().heapUsed - heapBefore) / owner;

const rand = prng(23);
const times: number[] = [];
let wrong = 0;
let concerned = 0;
for (let i = 0; i < RECORDS; i++) {
  const kind = rand();
  const g = Math.floor(rand() * GAMES);
  let record: { keys: { PK: string; SK: string }; newImage: Record<string, unknown> };
  let expected: number;
  if (kind < 0.3) {
    // A new player joins a watched game.
    record = { keys: { PK: `GAME#g${g}`, SK: `USER#new${i}` }, newImage: { PK: `GAME#g${g}`, SK: `USER#new${i}`, username: `new${i}` } };
    expected = WATCHERS;
  } else if (kind < 0.5) {
    // A player of a watched game renames themselves (their user item is in 50 read sets).
    const u = `u${g}_${Math.floor(rand() * PLAYERS)}`;
    record = { keys: { PK: `USER#${u}`, SK: `#METADATA#${u}` }, newImage: { PK: `USER#${u}`, SK: `#METADATA#${u}`, name: 'x' } };
    expected = WATCHERS;
  } else {
    // Writes nobody read: a photo, a reaction, another game's player.
    const pk = kind < 0.7 ? `USER#other${i}` : kind < 0.85 ? `REACTION#x${i}#heart` : `GAME#unwatched${i}`;
    const sk = kind < 0.7 ? `PHOTO#other${i}#2019` : kind < 0.85 ? 'PHOTO#y#2019' : `USER#z${i}`;
    record = { keys: { PK: pk, SK: sk }, newImage: { PK: pk, SK: sk } };
    expected = 0;
  }
  const t0 = performance.now();
  const hit = index.match(record);
  times.push(performance.now() - t0);
  if (hit.size !== expected) wrong++;
  concerned += hit.size;
}
times.sort((a, b) => a - b);
const result = {
  liveQueries: owner,
  records: RECORDS,
  matchMs: { p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1)! },
  recordsMatchingOtherThanExpected: wrong,
  meanLiveQueriesPerRecord: concerned / RECORDS,
  readSetHeapBytesPerLiveQuery: global.gc ? Math.round(heapPerQuery) : null,
};
console.log(JSON.stringify(result, null, 2));
if (wrong > 0) process.exitCode = 1;
