// The battle-royale game end to end through the SDK: 51 players sign up, one creates a game and
// watches its lobby live (a subscription), 49 join it at once, the 51st is refused, the creator
// starts the game, records results, ends it, and the podium's players list their games.
//   npm run example:game            (SERVER_URL=... to use a running server)
import {
  isSdkError,
  type Client,
  type GameLobbyEventKind,
  type GameLobbySubscription,
  type LiveSubscription,
  type Medal,
  type PlayerResultInput,
} from '../sdk/src/index.js';
import { describeCost, heading, runExample, runId } from './support.js';

const MAP = 'Green Grasslands';

await runExample(async (session) => {
  const run = runId();
  const names = Array.from({ length: 51 }, (_, i) => `g${run}_${String(i).padStart(2, '0')}`);
  const clients = new Map<string, Client>();
  for (const name of names) clients.set(name, await session.as(name));
  const client = (name: string): Client => clients.get(name)!;
  const [creator, ...others] = names as [string, ...string[]];
  const joiners = others.slice(0, 49);
  const latecomer = others[49]!;

  heading(`Creating ${names.length} users`);
  await Promise.all(
    names.map((username) =>
      client(username).createUser({ input: { username, name: `Player ${username.slice(-2)}`, email: `${username}@example.com` } }),
    ),
  );
  console.log(`created ${names[0]} .. ${names[names.length - 1]}`);

  heading('Creating a game');
  const created = await client(creator).createGame({ input: { map: MAP } });
  const game = created.data.createGame;
  console.log(
    `${creator} created game ${game.id} on ${game.map}: ${game.playerCount}/${game.capacity} players, ${game.status} (${describeCost(created.cost)})`,
  );

  heading('Watching the lobby live');
  const lobby = watchLobby(session.anonymous.gameLobby({ gameId: game.id }));
  // The protocol does not say when a subscription is in place: the first join's event says it.
  const [first, ...rest] = joiners as [string, ...string[]];
  const firstJoin = await client(first).joinGame({ gameId: game.id });
  await lobby.seen('PLAYER_JOINED');

  heading(`${rest.length} more players join at once`);
  const joins = [firstJoin, ...(await Promise.all(rest.map((username) => client(username).joinGame({ gameId: game.id }))))];
  const calls = joins.reduce((sum, j) => sum + (j.cost?.totalCalls ?? 0), 0);
  console.log(`${joins.length} joins succeeded, ${calls} DynamoDB calls in all (racing joins retry on a moved seat count)`);
  await lobby.seen('GAME_FILLED');
  const full = await client(creator).game({ id: game.id, first: 1 });
  console.log(`game ${game.id}: ${full.data.game?.playerCount}/${full.data.game?.capacity} players, ${full.data.game?.status}`);

  heading('The 51st player tries to join');
  try {
    await client(latecomer).joinGame({ gameId: game.id });
    throw new Error(`${latecomer} joined a full game`);
  } catch (err) {
    if (!isSdkError(err)) throw err;
    switch (err.code) {
      case 'GAME_FULL':
        console.log(`refused with GAME_FULL: ${err.errors[0]?.message} (${describeCost(err.cost)})`);
        break;
      case 'GAME_NOT_OPEN':
        throw new Error(`expected GAME_FULL, the game was already closed: ${err.message}`, { cause: err });
      default:
        throw err;
    }
  }

  heading('Starting the game');
  const started = await client(creator).startGame({ gameId: game.id });
  console.log(`status ${started.data.startGame.status}, started at ${started.data.startGame.startedAt}`);

  heading('Recording results');
  const results: [string, Medal | null, Omit<PlayerResultInput, 'place'>][] = [
    [joiners[6]!, 'GOLD', { kills: 11, damage: 2_450, survivedSeconds: 1_260 }],
    [joiners[17]!, 'SILVER', { kills: 7, damage: 1_980, survivedSeconds: 1_190 }],
    [creator, 'BRONZE', { kills: 5, damage: 1_400, survivedSeconds: 1_020 }],
    [joiners[30]!, null, { kills: 2, damage: 600, survivedSeconds: 700 }],
    [joiners[41]!, null, { kills: 0, damage: 35, survivedSeconds: 95 }],
  ];
  for (const [username, place, stats] of results) {
    const r = await client(creator).recordPlayerResult({ gameId: game.id, username, input: { place, ...stats } });
    const p = r.data.recordPlayerResult;
    console.log(`${p.user.username}: ${p.place ?? 'no medal'}, ${p.kills} kills, ${p.damage} damage, survived ${p.survivedSeconds} s`);
  }

  heading('Ending the game');
  const ended = (await client(creator).endGame({ gameId: game.id })).data.endGame;
  console.log(`status ${ended.status}, ended at ${ended.endedAt}`);

  await lobby.seen('GAME_ENDED');
  console.log(`the lobby saw ${lobby.count()} events`);

  heading('The podium');
  const podium = [
    ['gold', ended.gold],
    ['silver', ended.silver],
    ['bronze', ended.bronze],
  ] as const;
  for (const [medal, user] of podium) console.log(`podium ${medal}: ${user?.username ?? '(none)'}`);

  for (const [medal, user] of podium) {
    if (!user) continue;
    const { data, cost } = await session.anonymous.userGames({ username: user.username, first: 10 });
    const games = data.user?.games.edges ?? [];
    console.log(`\n${user.username} (${medal}) has played ${games.length} game(s) (${describeCost(cost)}):`);
    for (const { node } of games) {
      console.log(
        `  ${node.game.id} on ${node.game.map}: ${node.game.status}, ${node.game.playerCount} players, place ${node.place ?? '-'}, ${node.kills ?? 0} kills`,
      );
    }
  }

  const total = session.tally.total;
  console.log(`\nTotal DynamoDB cost: ${describeCost(total)} over ${session.tally.operations} operations`);
});

type LobbyEvent = GameLobbySubscription['gameLobby'];

/** Prints each lobby event as it arrives; seen(kind) waits (at most 30 s) until one of that kind came. */
function watchLobby(events: LiveSubscription<LobbyEvent>) {
  const kinds = new Set<GameLobbyEventKind>();
  const waiters: (() => void)[] = [];
  let count = 0;
  const reading = (async () => {
    for await (const e of events) {
      count++;
      const who = e.player ? ` ${e.player.user.username}` : '';
      const game = e.game ? ` (${e.game.playerCount}/${e.game.capacity}, ${e.game.status})` : '';
      console.log(`lobby: ${e.kind}${who}${game}`);
      kinds.add(e.kind);
      waiters.splice(0).forEach((w) => w());
      if (e.kind === 'GAME_ENDED') break;
    }
  })();
  return {
    count: () => count,
    async seen(kind: GameLobbyEventKind) {
      const deadline = Date.now() + 30_000;
      while (!kinds.has(kind)) {
        const failed = await Promise.race([
          new Promise<false>((resolve) => waiters.push(() => resolve(false))),
          reading.then(() => true),
          new Promise<true>((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()), true).unref()),
        ]);
        if (failed && !kinds.has(kind)) throw new Error(`The lobby showed no ${kind} (${count} events seen).`);
      }
    },
  };
}
