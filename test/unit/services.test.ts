// The composition root: what every entry shares is built from the configuration's slices alone.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createServices } from '../../src/services.js';

const AWS = { AWS_REGION: 'eu-west-1', TABLE_NAME: 'graphql-test', AUTH_SECRET: 's'.repeat(32), CURSOR_SECRET: 'c'.repeat(32) };

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  return { lines, logger };
}

describe('createServices', () => {
  it('builds the clients from the database slice: its region, its endpoint, its deadline', async () => {
    const { clients } = createServices(loadConfig(AWS), { logger: createLogger({ silent: true }) });
    expect(await clients.raw.config.region()).toBe('eu-west-1');
    expect(await clients.raw.config.maxAttempts()).toBe(4);
    const local = createServices(loadConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', DYNAMODB_MAX_ATTEMPTS: '2' }), {
      logger: createLogger({ silent: true }),
    });
    expect(await local.clients.raw.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 8000 });
    expect(await local.clients.raw.config.maxAttempts()).toBe(2);
    clients.raw.destroy();
    local.clients.raw.destroy();
  });

  it("logs the configuration's warnings once, through the entry's logger", () => {
    const { lines, logger } = capture();
    const { clients } = createServices(loadConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }), { logger });
    expect(lines.map((l) => [l.level, l.msg])).toStrictEqual([
      ['warn', 'AUTH_SECRET is not set: using the fixed development secret. Never do this in production.'],
    ]);
    clients.raw.destroy();
  });

  it('cannot build clients for the embedded database before it runs: main.ts hands them over', () => {
    expect(() => createServices(loadConfig({}), { logger: createLogger({ silent: true }) })).toThrow(/must be started/);
  });
});
