// TTL's stand-in where TTL does not run: DynamoDB Local never deletes an item that lacks a key of
// one of the table's indexes, and every game lacks `email` (as does every connection and
// subscription item of the serverless WebSocket, which this sweeps too: a Scan, local only). The server deletes expired games
// itself, each delete conditioned on the expiry still holding, and the stream then drives the rest
// exactly as it does for a TTL deletion (the players swept, the lobby told GAME_EXPIRED). Safe on
// several instances at once: a game is deleted once, the others' conditions fail.
import type { Db } from '../data/dynamo/db.js';
import { deleteKeys, expiredConnectionKeys } from '../data/connections/removal.js';
import { deleteExpiredGame, expiredOpenGames } from '../data/games/expiry.js';
import type { Logger } from '../log.js';

export interface Expirer {
  /** One pass now: how many expired games it deleted (expired WebSocket items go too, uncounted). */
  sweep(): Promise<number>;
  stop(): void;
}

/** Sweeps every `everyMs` until stopped; 0 never sweeps. TTL compares with real time, and so does this. */
export function startExpirer(db: Db, everyMs: number, logger: Logger): Expirer {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const sweep = async (): Promise<number> => {
    const now = new Date();
    let deleted = 0;
    for (const gameId of await expiredOpenGames(db, now)) if (await deleteExpiredGame(db, gameId, now)) deleted++;
    if (deleted > 0) logger.info('expired games deleted', { games: deleted });
    // Nothing renews a connection's items, so an expired one is dead: no condition needed.
    const stale = await expiredConnectionKeys(db, now);
    await deleteKeys(db, stale);
    if (stale.length > 0) logger.info('expired WebSocket items deleted', { items: stale.length });
    return deleted;
  };
  const schedule = () => {
    if (stopped || everyMs <= 0) return;
    timer = setTimeout(() => {
      sweep()
        .catch((err: unknown) => logger.warn('expired games sweep failed; retrying next time', { err: (err as Error).message }))
        .finally(schedule);
    }, everyMs);
    timer.unref();
  };
  schedule();
  return {
    sweep,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
