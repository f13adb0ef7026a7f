// The GraphQL slice: what every entry that executes operations (the HTTP server, the Lambda)
// needs besides auth: the key that signs page cursors, and whether answers report their cost.
import type { EnvReader } from './env.js';

export interface GraphQLConfig {
  /** Signs page cursors (src/data/dynamo/cursor.ts), so a client cannot forge a start key. */
  cursorSecret: string;
  /** Adds what each response cost to extensions.dynamodb. */
  reportCost: boolean;
  /** TRUSTED_DOCUMENTS: which documents run (README "Trusted documents"). */
  trustedDocuments: TrustedDocumentsMode;
}

/** off: any document runs; log: any runs, those not in the manifest are logged and counted; enforce: only ids from the manifest. */
export const TRUSTED_DOCUMENTS_MODES = ['off', 'log', 'enforce'] as const;
export type TrustedDocumentsMode = (typeof TRUSTED_DOCUMENTS_MODES)[number];

const DEV_CURSOR_SECRET = 'dev-only-cursor-secret-0123456789abcdef';

/** CURSOR_SECRET, DYNAMODB_COST, TRUSTED_DOCUMENTS. */
export function readGraphQL(env: EnvReader, local: boolean): GraphQLConfig {
  const cursorSecret = env.str('CURSOR_SECRET');
  if (cursorSecret !== undefined && cursorSecret.length < 32) env.problems.push('CURSOR_SECRET must be at least 32 characters.');
  if (cursorSecret === undefined && !local)
    env.problems.push('CURSOR_SECRET (at least 32 characters) is required when not using a local database.');
  return {
    cursorSecret: cursorSecret ?? DEV_CURSOR_SECRET,
    reportCost: env.flag('DYNAMODB_COST', true),
    trustedDocuments: trustedDocumentsMode(env, local),
  };
}

// Off on a laptop, so GraphiQL and hand-written documents work; elsewhere at least logged, so the
// documents clients really send are known before `enforce` is switched on.
function trustedDocumentsMode(env: EnvReader, local: boolean): TrustedDocumentsMode {
  const raw = env.str('TRUSTED_DOCUMENTS');
  if (raw === undefined) return local ? 'off' : 'log';
  const mode = raw.toLowerCase();
  if ((TRUSTED_DOCUMENTS_MODES as readonly string[]).includes(mode)) return mode as TrustedDocumentsMode;
  env.problems.push(`TRUSTED_DOCUMENTS must be one of ${TRUSTED_DOCUMENTS_MODES.join(', ')}, got "${raw}".`);
  return 'off';
}
