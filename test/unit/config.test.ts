import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_AUTH_SECRET, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('defaults to the embedded database with a dev secret and a warning', () => {
    const c = loadConfig({});
    expect(c.database).toEqual({ kind: 'embedded', dataDir: '.data/dynamodb', inMemory: false });
    expect(c.port).toBe(4000);
    expect(c.auth).toMatchObject({ kind: 'hs256', secret: DEV_AUTH_SECRET, isDevDefault: true });
    expect(c.warnings.join(' ')).toMatch(/AUTH_SECRET/);
    expect(c.reportCost).toBe(true);
  });

  it('uses an explicit endpoint before AWS', () => {
    expect(loadConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', AWS_REGION: 'eu-west-1' }).database).toEqual({
      kind: 'endpoint',
      endpoint: 'http://127.0.0.1:8000',
      region: 'eu-west-1',
    });
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
    expect(ok.database).toEqual({ kind: 'aws', region: 'us-east-1' });
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

  it('turns the cost report off with one switch', () => {
    expect(loadConfig({ DYNAMODB_COST: 'off' }).reportCost).toBe(false);
  });
});
