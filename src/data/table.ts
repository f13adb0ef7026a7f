// The table, defined once. Every command that creates, checks or deploys it reads this, so the
// server, `table:create` and the CDK stack cannot drift apart. Key and attribute names are those
// of AWS's two DynamoDB labs, so a table those labs built works unchanged.

export type KeyType = 'S' | 'N';

export interface IndexDefinition {
  name: string;
  partitionKey: string;
  sortKey?: string;
  projection: 'ALL';
}

export interface TableDefinition {
  partitionKey: string;
  sortKey: string;
  attributes: Record<string, KeyType>;
  indexes: IndexDefinition[];
  billing: 'PAY_PER_REQUEST';
  stream: 'NEW_AND_OLD_IMAGES';
  /** Attribute holding an epoch-seconds expiry for temporary items. */
  ttlAttribute: string;
}

export const INVERTED_INDEX = 'InvertedIndex';
export const OPEN_GAMES_INDEX = 'OpenGamesIndex';
export const EMAIL_INDEX = 'EmailIndex';
export const GAMES_BY_MAP_INDEX = 'GamesByMapIndex';

export const TABLE: TableDefinition = {
  partitionKey: 'PK',
  sortKey: 'SK',
  attributes: { PK: 'S', SK: 'S', map: 'S', open_timestamp: 'S', email: 'S', create_time: 'S' },
  indexes: [
    // Both labs: a user's games, a photo with its reactions, who a user follows.
    { name: INVERTED_INDEX, partitionKey: 'SK', sortKey: 'PK', projection: 'ALL' },
    // Game lab, sparse: only games that still carry open_timestamp are in it.
    { name: OPEN_GAMES_INDEX, partitionKey: 'map', sortKey: 'open_timestamp', projection: 'ALL' },
    // Only user items carry email, so this index holds users alone.
    { name: EMAIL_INDEX, partitionKey: 'email', projection: 'ALL' },
    // Only game items carry create_time.
    { name: GAMES_BY_MAP_INDEX, partitionKey: 'map', sortKey: 'create_time', projection: 'ALL' },
  ],
  billing: 'PAY_PER_REQUEST',
  stream: 'NEW_AND_OLD_IMAGES',
  ttlAttribute: 'expires_at',
};

/** The key attributes of an index (or of the table when index is undefined), in key order. */
export function keyAttributes(index?: string): string[] {
  if (index === undefined) return [TABLE.partitionKey, TABLE.sortKey];
  const def = TABLE.indexes.find((i) => i.name === index);
  if (!def) throw new Error(`Unknown index ${index}`);
  return [TABLE.partitionKey, TABLE.sortKey, def.partitionKey, ...(def.sortKey ? [def.sortKey] : [])];
}
