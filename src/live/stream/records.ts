// Stream records as the rest of the server sees them: plain objects, the kind of change read from
// the images rather than from eventName, and TTL deletions recognised on AWS and on DynamoDB Local.
import type { AttributeValue as TableAttributeValue } from '@aws-sdk/client-dynamodb';
import type { _Record, AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';

export type ChangeKind = 'INSERT' | 'MODIFY' | 'REMOVE';

/** One item-level change from the table's stream. */
export interface ChangeRecord {
  /** The stream record's eventID: unique per record, so consumers can drop a record seen twice. */
  id: string;
  shardId: string;
  sequenceNumber: string;
  /** From the images (new only / both / old only), not eventName, which DynamoDB Local bends for TTL. */
  kind: ChangeKind;
  keys: { PK: string; SK: string };
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
  /** The item was removed by TTL expiry, not by a caller. */
  byTtl: boolean;
  /** Milliseconds since the epoch; AWS rounds it to the second, DynamoDB Local to the minute. */
  approximateTime: number;
}

const KNOWN_EVENTS: ReadonlySet<string> = new Set(['INSERT', 'MODIFY', 'REMOVE']);

function plain(image: Record<string, AttributeValue> | undefined): Record<string, unknown> | undefined {
  // The streams client and the table client generate the same AttributeValue shape under two names.
  return image ? unmarshall(image as Record<string, TableAttributeValue>) : undefined;
}

/** INSERT, MODIFY or REMOVE from which images are present; eventName only when neither is. */
export function kindOf(record: _Record): ChangeKind {
  const { NewImage, OldImage } = record.dynamodb ?? {};
  if (NewImage && OldImage) return 'MODIFY';
  if (NewImage) return 'INSERT';
  if (OldImage) return 'REMOVE';
  const name = record.eventName ?? '';
  if (KNOWN_EVENTS.has(name)) return name as ChangeKind;
  // No images and an unknown event name: only DynamoDB Local's TTL deletion looks like this.
  return 'REMOVE';
}

/**
 * A TTL deletion: AWS marks it with the DynamoDB service as the user identity; DynamoDB Local sends
 * no identity and an event name outside INSERT/MODIFY/REMOVE (which the SDK passes through as is).
 */
export function isTtlDeletion(record: _Record): boolean {
  if (kindOf(record) !== 'REMOVE') return false;
  const who = record.userIdentity;
  if (who?.Type === 'Service' && who.PrincipalId === 'dynamodb.amazonaws.com') return true;
  return !KNOWN_EVENTS.has(record.eventName ?? '');
}

/** Converts a raw stream record; throws on one without the fields every DynamoDB stream record has. */
export function toChangeRecord(record: _Record, shardId: string): ChangeRecord {
  const d = record.dynamodb;
  const keys = d?.Keys ? unmarshall(d.Keys as Record<string, TableAttributeValue>) : {};
  if (!record.eventID || !d?.SequenceNumber || typeof keys.PK !== 'string' || typeof keys.SK !== 'string') {
    throw new Error(`Malformed stream record in shard ${shardId}: ${JSON.stringify(record).slice(0, 300)}`);
  }
  const newImage = plain(d.NewImage);
  const oldImage = plain(d.OldImage);
  return {
    id: record.eventID,
    shardId,
    sequenceNumber: d.SequenceNumber,
    kind: kindOf(record),
    keys: { PK: keys.PK, SK: keys.SK },
    ...(newImage ? { newImage } : {}),
    ...(oldImage ? { oldImage } : {}),
    byTtl: isTtlDeletion(record),
    approximateTime: d.ApproximateCreationDateTime ? d.ApproximateCreationDateTime.getTime() : Date.now(),
  };
}
