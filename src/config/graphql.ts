// The GraphQL slice: what every entry that executes operations (the HTTP server, the Lambda)
// needs besides auth: the key that signs page cursors, and whether answers report their cost.
import type { EnvReader } from './env.js';

export interface GraphQLConfig {
  /** Signs page cursors (src/data/dynamo/cursor.ts), so a client cannot forge a start key. */
  cursorSecret: string;
  /** Adds what each response cost to extensions.dynamodb. */
  reportCost: boolean;
}

const DEV_CURSOR_SECRET = 'dev-only-cursor-secret-0123456789abcdef';

/** CURSOR_SECRET, DYNAMODB_COST. */
export function readGraphQL(env: EnvReader, local: boolean): GraphQLConfig {
  const cursorSecret = env.str('CURSOR_SECRET');
  if (cursorSecret !== undefined && cursorSecret.length < 32) env.problems.push('CURSOR_SECRET must be at least 32 characters.');
  if (cursorSecret === undefined && !local)
    env.problems.push('CURSOR_SECRET (at least 32 characters) is required when not using a local database.');
  return { cursorSecret: cursorSecret ?? DEV_CURSOR_SECRET, reportCost: env.flag('DYNAMODB_COST', true) };
}
