// The only module that reads process.env. It parses everything once, collects every problem
// before failing, and hands the rest of the program a typed, frozen Config of required slices,
// one per concern (src/config/<slice>.ts), each passed whole to what needs it. Defaults live here
// and nowhere downstream.
import { readAuth, type AuthConfig } from './config/auth.js';
import { readDatabase, type DatabaseConfig } from './config/database.js';
import { ConfigError, EnvReader, type Env } from './config/env.js';
import { readGames, type GamesConfig } from './config/games.js';
import { readGraphQL, type GraphQLConfig } from './config/graphql.js';
import { readHttp, type HttpConfig } from './config/http.js';
import { readLive, type LiveConfig } from './config/live.js';
import { readObservability, type ObservabilityConfig } from './config/observability.js';

export { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, DEV_AUTH_SECRET, type AuthConfig } from './config/auth.js';
export {
  describeCredentials,
  describeDatabase,
  isLoopback,
  type DatabaseConfig,
  type DatabaseTarget,
  type EndpointCredentials,
} from './config/database.js';
export { ConfigError, parseDuration, type Env } from './config/env.js';
export type { GamesConfig } from './config/games.js';
export { TRUSTED_DOCUMENTS_MODES, type GraphQLConfig, type TrustedDocumentsMode } from './config/graphql.js';
export type { HttpConfig } from './config/http.js';
export type { LiveConfig } from './config/live.js';
export { LOG_LEVELS, type LogLevel, type ObservabilityConfig } from './config/observability.js';

export interface Config {
  http: HttpConfig;
  database: DatabaseConfig;
  auth: AuthConfig;
  graphql: GraphQLConfig;
  games: GamesConfig;
  live: LiveConfig;
  observability: ObservabilityConfig;
  /** Accepted but worth saying at start-up (each entry logs them once, in createServices). */
  warnings: string[];
}

/** Parses an environment (process.env by default) into a Config or throws every problem at once. */
export function loadConfig(vars: Env = process.env): Config {
  const env = new EnvReader(vars);
  // The database slice decides `local`, which the defaults of auth, graphql and live follow.
  const http = readHttp(env);
  const database = readDatabase(env);
  const auth = readAuth(env, database.local);
  const config: Config = {
    http: {
      ...http,
      graphiqlDemoToken: auth.kind === 'hs256' && (database.target.kind === 'embedded' || auth.isDevDefault),
    },
    database,
    auth,
    graphql: readGraphQL(env, database.local),
    games: readGames(env),
    live: readLive(env, database.local),
    observability: readObservability(env),
    warnings: env.warnings,
  };
  if (env.problems.length > 0) throw new ConfigError(env.problems);
  return Object.freeze(config);
}
