// Who is calling. A Bearer JWT whose subject is the viewer's username: HS256 with a shared secret
// locally, a JWKS (OIDC, e.g. Cognito) in production. Issuer, audience and expiry are always
// checked; jose refuses `alg: none`. A token must say when it was issued (`iat`) and when it
// expires (`exp`), and is refused once older than AUTH_MAX_TOKEN_LIFETIME whatever its `exp`
// says, so a token minted to last for years is still only good for that long.
import { SignJWT, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { parseDuration, type AuthConfig } from './config.js';
import { unauthenticated } from './errors.js';

export type Role = 'game-server';

export interface Viewer {
  username: string;
  role: Role | null;
  /** When the token stops being valid (ms since the epoch): a WebSocket is closed then. */
  expiresAt?: number;
}

export type Authenticate = (authorization: string | undefined) => Promise<Viewer | null>;

const SUBJECT = /^[a-z0-9_]{3,32}$/;
// The scheme is case-insensitive (RFC 9110, 11.1) and the whitespace around and after it is not
// the client's contract with us; the token itself stays exact.
const BEARER = /^[ \t]*bearer[ \t]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)[ \t]*$/i;

export function createAuthenticator(auth: AuthConfig): Authenticate {
  const secret = auth.kind === 'hs256' ? new TextEncoder().encode(auth.secret) : undefined;
  const jwks: JWTVerifyGetKey | undefined = auth.kind === 'jwks' ? createRemoteJWKSet(new URL(auth.jwksUrl)) : undefined;
  const options = {
    issuer: auth.issuer,
    audience: auth.audience,
    algorithms: auth.kind === 'hs256' ? ['HS256'] : ['RS256', 'ES256'],
    clockTolerance: 5,
    requiredClaims: ['exp', 'iat'],
    maxTokenAge: auth.maxTokenLifetimeSeconds,
  };
  return async (authorization) => {
    if (authorization === undefined || authorization === '') return null;
    const m = BEARER.exec(authorization);
    if (!m?.[1]) throw unauthenticated('The Authorization header must be "Bearer <JWT>".');
    let payload: JWTPayload;
    try {
      payload = secret ? (await jwtVerify(m[1], secret, options)).payload : (await jwtVerify(m[1], jwks!, options)).payload;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) {
        if (err.claim === 'iat') throw unauthenticated(`The token was issued more than ${lifetime(auth)} ago. Get a new one.`);
        throw unauthenticated('The token has expired. Get a new one.');
      }
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.reason === 'missing' && (err.claim === 'exp' || err.claim === 'iat')) {
        throw unauthenticated(`The token has no "${err.claim}" claim: tokens must say when they were issued and when they expire.`);
      }
      throw unauthenticated('The token is not valid for this server.');
    }
    const sub = payload.sub;
    if (typeof sub !== 'string' || !SUBJECT.test(sub)) throw unauthenticated("The token's subject is not a valid username.");
    const role = payload.role === 'game-server' ? 'game-server' : null;
    return { username: sub, role, ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp * 1000 } : {}) };
  };
}

function lifetime(auth: AuthConfig): string {
  const s = auth.maxTokenLifetimeSeconds;
  return s % 3_600 === 0 ? `${s / 3_600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`;
}

/**
 * Signs a token the current configuration accepts (HS256 only: a JWKS issuer signs its own).
 * expiresIn ("12h", "30m", ...) defaults to 12 hours, capped at the configured maximum lifetime.
 */
export async function signToken(auth: AuthConfig, username: string, opts: { role?: Role; expiresIn?: string } = {}): Promise<string> {
  if (auth.kind !== 'hs256') throw new Error('Tokens come from your identity provider when AUTH_JWKS_URL is set.');
  const requested = opts.expiresIn === undefined ? 12 * 3_600 : parseDuration(opts.expiresIn);
  if (requested === undefined || requested <= 0)
    throw new Error(`The lifetime must be a duration like "12h" or "30m", got "${opts.expiresIn}".`);
  if (requested > auth.maxTokenLifetimeSeconds && opts.expiresIn !== undefined) {
    throw new Error(`The lifetime ${opts.expiresIn} is longer than the server accepts (AUTH_MAX_TOKEN_LIFETIME: ${lifetime(auth)}).`);
  }
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(opts.role ? { role: opts.role } : {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(username)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + Math.min(requested, auth.maxTokenLifetimeSeconds))
    .sign(new TextEncoder().encode(auth.secret));
}
