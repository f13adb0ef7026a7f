// The battle-royale game end to end through the SDK: 51 players sign up, one creates a game, 49
// join it at once, the 51st is refused, the creator starts the game, records results, ends it,
// and the podium's players list their games.
//   npm run example:game            (SERVER_URL=... to use a running server)
import { isSdkError, type Client, type Medal, type PlayerResultInput } from '../sdk/src/index.js';
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

  heading(`${joiners.length} players join at once`);
  const joins = await Promise.all(joiners.map((username) => client(username).joinGame({ gameId: game.id })));
  const calls = joins.reduce((sum, j) => sum + (j.cost?.totalCalls ?? 0), 0);
  console.log(`${joins.length} joins succeeded, ${calls} DynamoDB calls in all (racing joins retry on a moved seat count)`);
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
