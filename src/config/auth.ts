// The auth slice: how bearer tokens are verified (a shared HS256 secret or an OIDC issuer's JWKS),
// and the longest a token may live.
import { parseDuration, type EnvReader } from './env.js';

export type AuthConfig = (
  | { kind: 'hs256'; secret: string; issuer: string; audience: string; isDevDefault: boolean }
  | { kind: 'jwks'; jwksUrl: string; issuer: string; audience: string }
) & {
  /** The longest a token is accepted after it was issued (its `iat`), whatever its `exp` says. */
  maxTokenLifetimeSeconds: number;
};

/** A fixed secret so a laptop needs no setup; never accepted outside a local database. */
export const DEV_AUTH_SECRET = 'dev-only-secret-change-me-0123456789abcdef';

/** A day: long enough for a working session, short enough that a leaked token soon stops working. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

/** AUTH_SECRET or AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE, AUTH_MAX_TOKEN_LIFETIME. */
export function readAuth(env: EnvReader, local: boolean): AuthConfig {
  const rawLifetime = env.str('AUTH_MAX_TOKEN_LIFETIME');
  let maxTokenLifetimeSeconds = DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  if (rawLifetime !== undefined) {
    const seconds = parseDuration(rawLifetime);
    if (seconds === undefined || seconds < 60 || seconds > 30 * 86_400) {
      env.problems.push(`AUTH_MAX_TOKEN_LIFETIME must be a duration from 1m to 30d (like "24h", "90m" or "3600s"), got "${rawLifetime}".`);
    } else maxTokenLifetimeSeconds = seconds;
  }
  const issuer = env.str('AUTH_ISSUER') ?? 'dynamo-graphql-local';
  const audience = env.str('AUTH_AUDIENCE') ?? 'dynamo-graphql';
  const jwksUrl = env.httpUrl('AUTH_JWKS_URL');
  if (jwksUrl) {
    if (!env.str('AUTH_ISSUER')) env.problems.push('AUTH_ISSUER is required with AUTH_JWKS_URL (the OIDC issuer URL).');
    if (!env.str('AUTH_AUDIENCE')) env.problems.push('AUTH_AUDIENCE is required with AUTH_JWKS_URL (the app client id).');
    return { kind: 'jwks', jwksUrl, issuer, audience, maxTokenLifetimeSeconds };
  }
  const secret = env.str('AUTH_SECRET');
  if (secret !== undefined && secret.length < 32) env.problems.push('AUTH_SECRET must be at least 32 characters.');
  if (secret === undefined && !local) {
    env.problems.push('AUTH_SECRET (at least 32 characters) or AUTH_JWKS_URL is required when not using a local database.');
  }
  if (secret === undefined && local)
    env.warnings.push('AUTH_SECRET is not set: using the fixed development secret. Never do this in production.');
  return {
    kind: 'hs256',
    secret: secret ?? DEV_AUTH_SECRET,
    issuer,
    audience,
    isDevDefault: secret === undefined,
    maxTokenLifetimeSeconds,
  };
}
