// Games: the records, checked where they leave src/data, and the lab's time format. Items, as the
// game lab stores them, so the lab's own scripts keep reading what we write (reads in
// game-reads.ts and list-reads.ts, writes in lobby-writes.ts and result-writes.ts):
//
//   entity          PK               SK                     attributes
//   Game            GAME#<game_id>   #METADATA#<game_id>    game_id, map, create_time, people, creator,
//                                                          open_timestamp (only while open: OpenGamesIndex),
//                                                          start_time, end_time, gold, silver, bronze;
//                                                          ours also: start_attempt (see startGameUpdate)
//   Player in game  GAME#<game_id>   USER#<username>        game_id, username, place (gold|silver|bronze),
//                                                          ours also: joined_at, kills, damage, survived_seconds
//
// A user's games are the InvertedIndex partition SK = USER#<username>.
import type { Item } from '../dynamo/batch.js';
import { keys, type Key } from '../keys.js';
import type { UserRecord } from '../users/users.js';

export const GAME_CAPACITY = 50;

export type Medal = 'gold' | 'silver' | 'bronze';
export const MEDALS: readonly Medal[] = ['gold', 'silver', 'bronze'];
export type GameStatus = 'OPEN' | 'FULL' | 'STARTED' | 'FINISHED';

export interface GameRecord {
  id: string;
  map: string;
  creator: string;
  createdAt: string;
  /** Set while the game is listed in OpenGamesIndex. */
  openedAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  people: number;
  gold: string | null;
  silver: string | null;
  bronze: string | null;
}

export interface ParticipationRecord {
  gameId: string;
  username: string;
  place: Medal | null;
  kills: number | null;
  damage: number | null;
  survivedSeconds: number | null;
  joinedAt: string | null;
  /** The player's user when the list read it with the page (withUsers); undefined when not read, null when missing. */
  user?: UserRecord | null;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' ? v : null);

/** Turns a raw game item into a record; fails loudly on an item that is not a game. */
export function toGame(item: Item): GameRecord {
  const id = item.game_id;
  if (typeof id !== 'string' || item.PK !== keys.game.pk(id) || item.SK !== keys.game.metadataSk(id)) {
    throw new Error(`Not a game item: ${String(item.PK)} / ${String(item.SK)}`);
  }
  if (
    typeof item.map !== 'string' ||
    typeof item.creator !== 'string' ||
    typeof item.create_time !== 'string' ||
    typeof item.people !== 'number'
  ) {
    throw new Error(`Game item ${item.PK} lacks map, creator, create_time or people.`);
  }
  return {
    id,
    map: item.map,
    creator: item.creator,
    createdAt: item.create_time,
    openedAt: str(item.open_timestamp),
    // The lab's two finished games end before they start: shown as stored, never "repaired".
    startedAt: str(item.start_time),
    endedAt: str(item.end_time),
    people: item.people,
    gold: str(item.gold),
    silver: str(item.silver),
    bronze: str(item.bronze),
  };
}

/** Turns a raw player-in-game item into a record; fails loudly on anything else. */
export function toParticipation(item: Item): ParticipationRecord {
  const { game_id: gameId, username } = item;
  if (typeof gameId !== 'string' || typeof username !== 'string')
    throw new Error(`Not a player item: ${String(item.PK)} / ${String(item.SK)}`);
  const key = keys.player(gameId, username);
  if (item.PK !== key.PK || item.SK !== key.SK) throw new Error(`Not a player item: ${String(item.PK)} / ${String(item.SK)}`);
  if (item.place !== undefined && !MEDALS.includes(item.place))
    throw new Error(`Player item ${item.PK} / ${item.SK} has an unknown place ${String(item.place)}.`);
  return {
    gameId,
    username,
    place: (item.place as Medal | undefined) ?? null,
    kills: num(item.kills),
    damage: num(item.damage),
    survivedSeconds: num(item.survived_seconds),
    joinedAt: str(item.joined_at),
  };
}

export function gameStatus(g: GameRecord): GameStatus {
  if (g.endedAt) return 'FINISHED';
  if (g.startedAt) return 'STARTED';
  return g.people >= GAME_CAPACITY ? 'FULL' : 'OPEN';
}

/** The key of a player-in-game item. */
export const participationKey = (p: Pick<ParticipationRecord, 'gameId' | 'username'>): Key => keys.player(p.gameId, p.username);

/** A valid timestamp as stored: UTC without the zone letter, so it compares with the lab's strings. */
export function storedTime(timestamp: string): string {
  return timestamp.endsWith('Z') ? timestamp.slice(0, -1) : timestamp;
}

/** Our own timestamps: the lab's format, UTC to the second without zone ("2019-04-16T00:41:18"). */
export function labTime(date: Date): string {
  return date.toISOString().slice(0, 19);
}
