// Who is calling. A Bearer JWT whose subject is the viewer's username: HS256 with a shared secret
// locally, a JWKS (OIDC, e.g. Cognito) in production. Issuer, audience and expiry are always
// checked; jose refuses `alg: none`.
import { SignJWT, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from './config.js';
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

export function createAuthenticator(auth: AuthConfig): Authenticate {
  const secret = auth.kind === 'hs256' ? new TextEncoder().encode(auth.secret) : undefined;
  const jwks: JWTVerifyGetKey | undefined = auth.kind === 'jwks' ? createRemoteJWKSet(new URL(auth.jwksUrl)) : undefined;
  const options = {
    issuer: auth.issuer,
    audience: auth.audience,
    algorithms: auth.kind === 'hs256' ? ['HS256'] : ['RS256', 'ES256'],
    clockTolerance: 5,
  };
  return async (authorization) => {
    if (authorization === undefined || authorization === '') return null;
    const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(authorization.trim());
    if (!m?.[1]) throw unauthenticated('The Authorization header must be "Bearer <JWT>".');
    let payload: JWTPayload;
    try {
      payload = secret ? (await jwtVerify(m[1], secret, options)).payload : (await jwtVerify(m[1], jwks!, options)).payload;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated('The token has expired. Get a new one.');
      throw unauthenticated('The token is not valid for this server.');
    }
    const sub = payload.sub;
    if (typeof sub !== 'string' || !SUBJECT.test(sub)) throw unauthenticated("The token's subject is not a valid username.");
    const role = payload.role === 'game-server' ? 'game-server' : null;
    return { username: sub, role, ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp * 1000 } : {}) };
  };
}

/** Signs a token the current configuration accepts (HS256 only: a JWKS issuer signs its own). */
export async function signToken(auth: AuthConfig, username: string, opts: { role?: Role; expiresIn?: string } = {}): Promise<string> {
  if (auth.kind !== 'hs256') throw new Error('Tokens come from your identity provider when AUTH_JWKS_URL is set.');
  return new SignJWT(opts.role ? { role: opts.role } : {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(username)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(auth.secret));
}
