// The games slice: the games domain's own settings (src/data/games), passed whole to it through
// the request context.
import type { EnvReader } from './env.js';

export interface GamesConfig {
  /** How long a game may stay open before it expires through the table's TTL. */
  openGameTtlSeconds: number;
}

/** OPEN_GAME_TTL_SECONDS. */
export function readGames(env: EnvReader): GamesConfig {
  return { openGameTtlSeconds: env.int('OPEN_GAME_TTL_SECONDS', 86_400, 1, 365 * 86_400) };
}
