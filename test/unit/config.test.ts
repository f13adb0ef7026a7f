import { describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth.js';
import {
  ConfigError,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  DEV_AUTH_SECRET,
  describeDatabase,
  loadConfig,
  parseDuration,
} from '../../src/config.js';

describe('configuration', () => {
  it('defaults to the embedded database with a dev secret and a warning', () => {
    const c = loadConfig({});
    expect(c.database.target).toEqual({ kind: 'embedded', dataDir: '.data/dynamodb', inMemory: false });
    expect(c.database.local).toBe(true);
    expect(c.http.port).toBe(4000);
    expect(c.auth).toMatchObject({ kind: 'hs256', secret: DEV_AUTH_SECRET, isDevDefault: true });
    expect(c.warnings.join(' ')).toMatch(/AUTH_SECRET/);
    expect(c.graphql.reportCost).toBe(true);
  });

  it('uses an explicit endpoint before AWS', () => {
    expect(loadConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', AWS_REGION: 'eu-west-1' }).database.target).toEqual({
      kind: 'endpoint',
      endpoint: 'http://127.0.0.1:8000',
      region: 'eu-west-1',
      credentials: { source: 'fixed-local' },
    });
  });

  it("signs an endpoint's calls with the environment's credentials, the fixed local key only without any", () => {
    const at = (env: Record<string, string>) => loadConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', ...env }).database.target;
    expect(at({ AWS_ACCESS_KEY_ID: 'AKIDLAB', AWS_SECRET_ACCESS_KEY: 'secret' })).toMatchObject({
      credentials: { source: 'keys', accessKeyId: 'AKIDLAB', secretAccessKey: 'secret' },
    });
    expect(at({ AWS_PROFILE: 'lab' })).toMatchObject({ credentials: { source: 'profile', profile: 'lab' } });
    expect(() => at({ AWS_ACCESS_KEY_ID: 'AKIDLAB' })).toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together/);
    const described = describeDatabase(at({ AWS_ACCESS_KEY_ID: 'AKIDLAB', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1' }));
    expect(described).toBe('DynamoDB at http://127.0.0.1:8000 (region us-east-1, access key AKIDLAB from AWS_ACCESS_KEY_ID)');
    expect(described).not.toMatch(/secret/);
  });

  it('uses AWS with a region and no endpoint, and then demands real secrets', () => {
    const err = (() => {
      try {
        loadConfig({ AWS_REGION: 'us-east-1' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err.problems.join('\n')).toMatch(/AUTH_SECRET/);
    expect(err.problems.join('\n')).toMatch(/CURSOR_SECRET/);
    const ok = loadConfig({ AWS_REGION: 'us-east-1', AUTH_SECRET: 's'.repeat(32), CURSOR_SECRET: 'c'.repeat(32) });
    expect(ok.database.target).toEqual({ kind: 'aws', region: 'us-east-1' });
    expect(ok.database.local).toBe(false);
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DYNAMODB_ENDPOINT: 'ftp://x', DEMO_DATA: 'maybe', TABLE_NAME: 'a b', DYNAMODB_COST: 'sometimes' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems).toHaveLength(5);
      expect((e as ConfigError).message).toMatch(/PORT.*\n.*TABLE_NAME|PORT/s);
    }
  });

  it("deletes expired games itself only where DynamoDB's TTL cannot (a local database), unless told", () => {
    const aws = { AWS_REGION: 'us-east-1', AUTH_SECRET: 's'.repeat(32), CURSOR_SECRET: 'c'.repeat(32) };
    expect(loadConfig({}).live.expireSweepMs).toBe(10_000);
    expect(loadConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }).live.expireSweepMs).toBe(10_000);
    expect(loadConfig(aws).live.expireSweepMs).toBe(0);
    expect(loadConfig({ ...aws, EXPIRE_SWEEP_SECONDS: '60' }).live.expireSweepMs).toBe(60_000);
    expect(loadConfig({ EXPIRE_SWEEP_SECONDS: '0' }).live.expireSweepMs).toBe(0);
    expect(() => loadConfig({ EXPIRE_SWEEP_SECONDS: 'soon' })).toThrow(/EXPIRE_SWEEP_SECONDS/);
  });

  it('decides "local" once, in the database slice: the embedded database or an endpoint on a loopback address', () => {
    const secrets = { AUTH_SECRET: 's'.repeat(32), CURSOR_SECRET: 'c'.repeat(32) };
    expect(loadConfig({}).database.local).toBe(true);
    expect(loadConfig({ DYNAMODB_ENDPOINT: 'http://localhost:8000' }).database.local).toBe(true);
    expect(loadConfig({ DYNAMODB_ENDPOINT: 'http://dynamo.internal:8000', ...secrets }).database.local).toBe(false);
    expect(() => loadConfig({ DYNAMODB_ENDPOINT: 'http://dynamo.internal:8000' })).toThrow(/AUTH_SECRET[\s\S]*CURSOR_SECRET/);
  });

  it('gives GraphiQL a demo token only on the embedded database or with the development secret, never with a secret of your own', () => {
    const own = { AUTH_SECRET: 's'.repeat(32) };
    expect(loadConfig({}).http.graphiqlDemoToken).toBe(true);
    expect(loadConfig(own).http.graphiqlDemoToken).toBe(true);
    expect(loadConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }).http.graphiqlDemoToken).toBe(true);
    expect(loadConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', ...own }).http.graphiqlDemoToken).toBe(false);
    const jwks = { AUTH_JWKS_URL: 'https://issuer.example/jwks', AUTH_ISSUER: 'https://issuer.example', AUTH_AUDIENCE: 'app' };
    expect(loadConfig(jwks).http.graphiqlDemoToken).toBe(false);
  });

  it('keeps the games settings in their own slice, required, with the default in one place', () => {
    expect(loadConfig({}).games).toStrictEqual({ openGameTtlSeconds: 86_400 });
    expect(loadConfig({ OPEN_GAME_TTL_SECONDS: '60' }).games).toStrictEqual({ openGameTtlSeconds: 60 });
    expect(loadConfig({}).live).not.toHaveProperty('openGameTtlSeconds');
    expect(() => loadConfig({ OPEN_GAME_TTL_SECONDS: '0' })).toThrow(/OPEN_GAME_TTL_SECONDS must be a whole number from 1/);
  });

  it('throttles each @live query to 250 ms between runs unless LIVE_QUERY_THROTTLE_MS says otherwise (0 to 60 s)', () => {
    expect(loadConfig({}).live.liveQueryThrottleMs).toBe(250);
    expect(loadConfig({ LIVE_QUERY_THROTTLE_MS: '0' }).live.liveQueryThrottleMs).toBe(0);
    expect(() => loadConfig({ LIVE_QUERY_THROTTLE_MS: '60001' })).toThrow(/LIVE_QUERY_THROTTLE_MS/);
  });

  it('turns the cost report off with one switch', () => {
    expect(loadConfig({ DYNAMODB_COST: 'off' }).graphql.reportCost).toBe(false);
  });

  it('caps token lifetimes at 24 h unless AUTH_MAX_TOKEN_LIFETIME says otherwise, and refuses a nonsense duration', () => {
    expect(loadConfig({}).auth.maxTokenLifetimeSeconds).toBe(DEFAULT_MAX_TOKEN_LIFETIME_SECONDS);
    expect(DEFAULT_MAX_TOKEN_LIFETIME_SECONDS).toBe(86_400);
    expect(loadConfig({ AUTH_MAX_TOKEN_LIFETIME: '90m' }).auth.maxTokenLifetimeSeconds).toBe(5_400);
    expect(() => loadConfig({ AUTH_MAX_TOKEN_LIFETIME: 'forever' })).toThrow(/AUTH_MAX_TOKEN_LIFETIME/);
    expect(() => loadConfig({ AUTH_MAX_TOKEN_LIFETIME: '365d' })).toThrow(/AUTH_MAX_TOKEN_LIFETIME/);
    expect([parseDuration('3600'), parseDuration('30s'), parseDuration('2h'), parseDuration('7d'), parseDuration('1w')]).toEqual([
      3600,
      30,
      7200,
      604_800,
      undefined,
    ]);
  });

  it('signs tokens with iat and exp, and refuses to sign one longer-lived than the server accepts', async () => {
    const auth = loadConfig({ AUTH_MAX_TOKEN_LIFETIME: '1h' }).auth;
    const payload = JSON.parse(Buffer.from((await signToken(auth, 'ana_1', { expiresIn: '30m' })).split('.')[1]!, 'base64url').toString());
    expect(payload.exp - payload.iat).toBe(1_800);
    const byDefault = JSON.parse(Buffer.from((await signToken(auth, 'ana_1')).split('.')[1]!, 'base64url').toString());
    expect(byDefault.exp - byDefault.iat).toBe(3_600);
    await expect(signToken(auth, 'ana_1', { expiresIn: '30d' })).rejects.toThrow(/longer than the server accepts/);
  });
});
