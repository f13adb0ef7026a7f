// The pure parts of live updates on many servers: the lease's conditional write, which keys are
// the live layer's own bookkeeping, the Redis envelope, and the REDIS_URL/lease settings.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { entityOf } from '../../src/data/changes.js';
import { keys } from '../../src/data/keys.js';
import { acquireLeaseInput, isLiveBookkeeping } from '../../src/data/live/lease.js';
import { decodeRecord, encodeRecord } from '../../src/live/envelope.js';
import type { ChangeRecord } from '../../src/live/stream/records.js';

describe('the stream lease and checkpoints', () => {
  it('takes the lease only when absent, lapsed, or already ours', () => {
    expect(acquireLeaseInput('t', 'host:1:ab', 1_000, 10_000)).toStrictEqual({
      TableName: 't',
      Item: { PK: 'LIVE#LEASE', SK: '#LEASE', holder: 'host:1:ab', lease_until_ms: 11_000, renewed_at: 1_000 },
      ConditionExpression:
        'attribute_not_exists(PK) OR holder = :me OR lease_until_ms < :now OR (attribute_not_exists(lease_until_ms) AND expires_at < :now)',
      ExpressionAttributeValues: { ':now': 1_000, ':me': 'host:1:ab' },
    });
  });

  it('keeps its items apart from every entity, so they are never published nor turned into events', () => {
    const checkpoint = keys.live.checkpoint('shardId-0001');
    expect(checkpoint).toStrictEqual({ PK: 'LIVE#CHECKPOINT', SK: 'SHARD#shardId-0001' });
    expect(keys.live.parseCheckpointSk(checkpoint.SK)).toBe('shardId-0001');
    for (const k of [keys.live.lease(), checkpoint]) {
      expect(isLiveBookkeeping(k)).toBe(true);
      expect(entityOf(k)).toBeNull();
    }
    for (const k of [keys.game('g'), keys.player('g', 'ana'), keys.user('ana'), keys.follow('ana', 'bob')])
      expect(isLiveBookkeeping(k)).toBe(false);
  });
});

describe('the Redis envelope', () => {
  const record: ChangeRecord = {
    id: 'e1',
    shardId: 's',
    sequenceNumber: '100',
    kind: 'MODIFY',
    keys: { PK: 'GAME#g', SK: '#METADATA#g' },
    oldImage: { people: 1, tags: new Set(['a']), blob: new Uint8Array([1, 2]) },
    newImage: { people: 2, nested: { list: [1, 'x', null] } },
    byTtl: false,
    approximateTime: 1_700_000_000_000,
  };

  it('gives back the record as it went in, sets and binaries included', () => {
    expect(decodeRecord(encodeRecord(record))).toStrictEqual(record);
  });

  it('refuses an envelope of another version instead of guessing', () => {
    expect(() => decodeRecord(JSON.stringify({ v: 2, r: record }))).toThrow(/Unknown live envelope \(version 2\)/);
  });
});

describe('REDIS_URL and the lease settings', () => {
  const base = { DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' };
  it('is off without REDIS_URL, with a 10 s lease renewed every 3 s', () => {
    expect(loadConfig(base).live).toMatchObject({
      redisUrl: null,
      leaseMs: 10_000,
      leaseRenewMs: 3_000,
      dedupeSeconds: 86_400,
      readStream: true,
    });
  });

  it('takes redis:// and rediss:// URLs and refuses others, and a renewal slower than half the lease', () => {
    expect(loadConfig({ ...base, REDIS_URL: 'rediss://cache:6379' }).live.redisUrl).toBe('rediss://cache:6379');
    const bad = () => loadConfig({ ...base, REDIS_URL: 'http://cache:6379', LIVE_LEASE_MS: '4000', LIVE_LEASE_RENEW_MS: '3000' });
    expect(bad).toThrow(/REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/cache:6379"/);
    expect(bad).toThrow(/LIVE_LEASE_RENEW_MS \(3000\) must be at most half of LIVE_LEASE_MS \(4000\)/);
  });
});
