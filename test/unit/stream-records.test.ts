// Stream records as DynamoDB Local and AWS send them, turned into change records.
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { isTtlDeletion, kindOf, toChangeRecord } from '../../src/live/stream/records.js';

const keys = { PK: { S: 'GAME#g1' }, SK: { S: '#METADATA#g1' } };
const image = (people: number) => ({ ...keys, people: { N: String(people) }, map: { S: 'Green Grasslands' } });

function record(over: Partial<_Record> & { dynamodb?: _Record['dynamodb'] }): _Record {
  return {
    eventID: 'e1',
    eventName: 'MODIFY',
    eventSource: 'aws:dynamodb',
    ...over,
    dynamodb: {
      ApproximateCreationDateTime: new Date('2026-01-02T03:04:00Z'),
      Keys: keys,
      SequenceNumber: '000000000000000000042',
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ...over.dynamodb,
    },
  };
}

describe('toChangeRecord', () => {
  it('unmarshalls keys and both images of a MODIFY', () => {
    const r = toChangeRecord(record({ dynamodb: { NewImage: image(50), OldImage: image(49) } }), 'shard-1');
    expect(r).toStrictEqual({
      id: 'e1',
      shardId: 'shard-1',
      sequenceNumber: '000000000000000000042',
      kind: 'MODIFY',
      keys: { PK: 'GAME#g1', SK: '#METADATA#g1' },
      newImage: { PK: 'GAME#g1', SK: '#METADATA#g1', people: 50, map: 'Green Grasslands' },
      oldImage: { PK: 'GAME#g1', SK: '#METADATA#g1', people: 49, map: 'Green Grasslands' },
      byTtl: false,
      approximateTime: Date.parse('2026-01-02T03:04:00Z'),
    });
  });

  it('leaves out the image a change does not have', () => {
    const inserted = toChangeRecord(record({ eventName: 'INSERT', dynamodb: { NewImage: image(1) } }), 's');
    expect(inserted.kind).toBe('INSERT');
    expect('oldImage' in inserted).toBe(false);
    const removed = toChangeRecord(record({ eventName: 'REMOVE', dynamodb: { OldImage: image(1) } }), 's');
    expect(removed.kind).toBe('REMOVE');
    expect('newImage' in removed).toBe(false);
    expect(removed.byTtl).toBe(false);
  });

  it('refuses a record without an id, a sequence number or string keys', () => {
    expect(() => toChangeRecord({ ...record({}), eventID: undefined }, 's')).toThrow(/Malformed stream record in shard s/);
    expect(() => toChangeRecord(record({ dynamodb: { SequenceNumber: undefined } }), 's')).toThrow(/Malformed/);
    expect(() => toChangeRecord(record({ dynamodb: { Keys: { PK: { N: '1' }, SK: { S: 'x' } } } }), 's')).toThrow(/Malformed/);
  });
});

describe('kindOf', () => {
  it('follows the images, not the event name', () => {
    expect(kindOf(record({ eventName: 'MODIFY', dynamodb: { OldImage: image(1) } }))).toBe('REMOVE');
    expect(kindOf(record({ eventName: 'REMOVE', dynamodb: { NewImage: image(1) } }))).toBe('INSERT');
  });

  it('falls back to the event name without images, and to REMOVE for an unknown one', () => {
    expect(kindOf(record({ eventName: 'INSERT' }))).toBe('INSERT');
    expect(kindOf(record({ eventName: 'TTL_DELETE' as _Record['eventName'] }))).toBe('REMOVE');
  });
});

describe('isTtlDeletion', () => {
  it('recognises AWS TTL deletions by the service identity', () => {
    const ttl = record({
      eventName: 'REMOVE',
      userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' },
      dynamodb: { OldImage: image(3) },
    });
    expect(isTtlDeletion(ttl)).toBe(true);
    expect(toChangeRecord(ttl, 's')).toMatchObject({ kind: 'REMOVE', byTtl: true });
  });

  it("recognises DynamoDB Local's by its unknown event name and missing identity", () => {
    const local = record({ eventName: 'SYSTEM_DELETE' as _Record['eventName'], dynamodb: { OldImage: image(3) } });
    expect(toChangeRecord(local, 's')).toMatchObject({ kind: 'REMOVE', byTtl: true, oldImage: { people: 3 } });
  });

  it('is false for a caller delete, an identity of another service, and anything that is not a removal', () => {
    expect(isTtlDeletion(record({ eventName: 'REMOVE', dynamodb: { OldImage: image(1) } }))).toBe(false);
    const other = { Type: 'Service', PrincipalId: 'lambda.amazonaws.com' };
    expect(isTtlDeletion(record({ eventName: 'REMOVE', userIdentity: other, dynamodb: { OldImage: image(1) } }))).toBe(false);
    const service = { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' };
    expect(
      isTtlDeletion(record({ eventName: 'MODIFY', userIdentity: service, dynamodb: { NewImage: image(2), OldImage: image(1) } })),
    ).toBe(false);
  });
});
