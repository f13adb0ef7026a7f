// One change to one item, as the table's stream tells it (see src/live/stream/).
export interface ChangeRecord {
  /** The stream record's eventID: unique per record, so a record published twice is seen once. */
  id: string;
  shardId: string;
  sequenceNumber: string;
  /** From the images (new only / both / old only), not eventName, which TTL deletes garble on DynamoDB Local. */
  kind: 'INSERT' | 'MODIFY' | 'REMOVE';
  keys: { PK: string; SK: string };
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
  /** Removed by the table's TTL rather than by a program. */
  byTtl: boolean;
  /** Milliseconds since the epoch (DynamoDB Local cuts it to the minute). */
  approximateTime: number;
}
