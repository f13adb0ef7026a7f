// The one side effect the stream drives: when a game item is removed (by TTL or by anyone), its
// player items go too. Run by whichever process reads the stream.
import { entityOf } from '../data/changes.js';
import type { Db } from '../data/dynamo/db.js';
import { removeGamePlayers } from '../data/games/expiry.js';
import type { Logger } from '../log.js';
import type { ChangeRecord } from './stream/records.js';

export function isGameRemoval(r: ChangeRecord): boolean {
  return r.kind === 'REMOVE' && entityOf(r.keys) === 'game' && typeof r.oldImage?.game_id === 'string';
}

export async function sweepPlayers(db: Db, r: ChangeRecord, logger: Logger): Promise<void> {
  const gameId = r.oldImage!.game_id as string;
  const removed = await removeGamePlayers(db, gameId);
  logger.info('removed game swept', { gameId, players: removed, byTtl: r.byTtl });
}
