// Every key format of the one table, both ways. Nothing else in the project concatenates '#'.
//
//   entity            PK                           SK
//   User              USER#<username>              #METADATA#<username>
//   Game              GAME#<game_id>               #METADATA#<game_id>
//   Player in game    GAME#<game_id>               USER#<username>
//   Photo             USER#<owner>                 PHOTO#<owner>#<timestamp>
//   Reaction          REACTION#<user>#<type>       PHOTO#<owner>#<timestamp>
//   Follow            USER#<followed>              #FRIEND#<follower>
//   Email guard       EMAIL#<email>                #EMAIL
//   Stream lease      LIVE#LEASE                   #LEASE
//   Shard checkpoint  LIVE#CHECKPOINT              SHARD#<shard_id>
//   WS connection     WSCONN#<connection_id>       #CONNECTION
//   Its subscription  WSCONN#<connection_id>       SUB#<subscription_id>
//   Topic subscriber  WSTOPIC#<topic>              SUB#<connection_id>#<subscription_id>
//   Replay event      WSREPLAY#<topic>             <sequence, 40 digits>#<index, 6 digits>
//   Its live query    WSCONN#<connection_id>       SUB#<subscription_id>  (kind: live; watches)
//   Live query watch  WSWATCH#<index>#<partition>  <connection_id>#<subscription_id>
//   Whole-index watch WSWATCH#<index>              <connection_id>#<subscription_id>
//   Expiry watch      WSWATCH#@EXPIRY              <expiry, 10 digits>#<connection_id>#<subscription_id>
//
// API Gateway's connection ids are base64 (no '#'), so a subscriber's SK splits at its first '#'
// whatever '#' the client's subscription id holds.
// Usernames, game ids and reaction types never contain '#' (validated at the edge), so parsing
// is unambiguous.

export interface Key {
  PK: string;
  SK: string;
}

const USER = 'USER#';
const GAME = 'GAME#';
const META = '#METADATA#';
const PHOTO = 'PHOTO#';
const REACTION = 'REACTION#';
const FRIEND = '#FRIEND#';
const EMAIL = 'EMAIL#';
/** The live layer's own bookkeeping (lease, checkpoints): never an event, never an entity. */
const LIVE = 'LIVE#';
const SHARD = 'SHARD#';
/** The serverless WebSocket's connections and subscriptions (src/data/connections/): never an entity, never an event. */
const WSCONN = 'WSCONN#';
const WSTOPIC = 'WSTOPIC#';
/** A live query's read set on the serverless flavour: one item per (table or index, partition) it read. */
const WSWATCH = 'WSWATCH#';
const WSREPLAY = 'WSREPLAY#';
const SUB = 'SUB#';
/** An event's fan-out progress, in its topic's partition beside the subscribers (whose sort keys start SUB#). */
const FAN = 'FAN#';
const WS_CONNECTION_SK = '#CONNECTION';

// Grouped per entity: each entity's key is the group itself (`keys.user('ana')`), and its parts,
// prefixes and parsers hang off it (`keys.user.pk('ana')`, `keys.follow.parseSk(sk)`).
const user = Object.assign((username: string): Key => ({ PK: USER + username, SK: META + username }), {
  pk: (username: string) => USER + username,
  metadataSk: (username: string) => META + username,
  /** Prefix of every item in a user's partition (profile, photos, followers): src/data/changes.ts. */
  pkPrefix: USER,
  parsePk: (pk: string): string => strip(pk, USER),
});

const game = Object.assign((gameId: string): Key => ({ PK: GAME + gameId, SK: META + gameId }), {
  pk: (gameId: string) => GAME + gameId,
  metadataSk: (gameId: string) => META + gameId,
  /** Prefix of a game's partition; also the InvertedIndex sort key prefix of a user's participations (their PK is the game's). */
  pkPrefix: GAME,
  /** Sort key prefix of the game item itself within its partition: src/data/changes.ts. */
  metadataSkPrefix: META,
});

const player = Object.assign((gameId: string, username: string): Key => ({ PK: GAME + gameId, SK: USER + username }), {
  /** A player's sort key, which is also the InvertedIndex partition holding that user's games. */
  sk: (username: string) => USER + username,
  /** Sort key prefix of a game's players. */
  skPrefix: USER,
  /** Upper bound ('$' follows '#') of the lab's query for a game and its players. */
  skUpperBound: 'USER$',
});

const photo = Object.assign((owner: string, timestamp: string): Key => ({ PK: USER + owner, SK: photoSk(owner, timestamp) }), {
  sk: photoSk,
  /** Sort key prefix of one owner's photos. */
  ownerSkPrefix: (owner: string) => `${PHOTO}${owner}#`,
  /** Sort key prefix of any photo: src/data/changes.ts. */
  skPrefix: PHOTO,
  parseSk: (sk: string): { owner: string; timestamp: string } => {
    const rest = strip(sk, PHOTO);
    const i = rest.indexOf('#');
    if (i <= 0) throw new Error(`Malformed photo key: ${sk}`);
    return { owner: rest.slice(0, i), timestamp: rest.slice(i + 1) };
  },
});

const reaction = Object.assign(
  (user: string, storedType: string, owner: string, timestamp: string): Key => ({
    PK: `${REACTION}${user}#${storedType}`,
    SK: photoSk(owner, timestamp),
  }),
  {
    pkPrefix: REACTION,
    parsePk: (pk: string): { user: string; storedType: string } => {
      const rest = strip(pk, REACTION);
      const i = rest.indexOf('#');
      if (i <= 0) throw new Error(`Malformed reaction key: ${pk}`);
      return { user: rest.slice(0, i), storedType: rest.slice(i + 1) };
    },
  },
);

const follow = Object.assign((followed: string, follower: string): Key => ({ PK: USER + followed, SK: FRIEND + follower }), {
  /** A follow's sort key, which is also the InvertedIndex partition holding the users `follower` follows. */
  sk: (follower: string) => FRIEND + follower,
  /** Sort key prefix of a user's followers. */
  skPrefix: FRIEND,
  parseSk: (sk: string): string => strip(sk, FRIEND),
});

const emailGuard = (email: string): Key => ({ PK: EMAIL + email.toLowerCase(), SK: '#EMAIL' });

const live = {
  lease: (): Key => ({ PK: `${LIVE}LEASE`, SK: '#LEASE' }),
  checkpoint: (shardId: string): Key => ({ PK: `${LIVE}CHECKPOINT`, SK: SHARD + shardId }),
  checkpointPk: `${LIVE}CHECKPOINT`,
  parseCheckpointSk: (sk: string): string => strip(sk, SHARD),
  /** Partition prefix of the live layer's bookkeeping items, which its own stream reader filters out. */
  pkPrefix: LIVE,
};

/** The serverless WebSocket's bookkeeping: API Gateway connections, their subscriptions, topic subscribers, replay events. */
const ws = {
  connection: (connectionId: string): Key => ({ PK: WSCONN + connectionId, SK: WS_CONNECTION_SK }),
  /** Every connection item's sort key: InvertedIndex's partition of all connections. */
  connectionSk: WS_CONNECTION_SK,
  connectionPk: (connectionId: string) => WSCONN + connectionId,
  subscription: (connectionId: string, subscriptionId: string): Key => ({ PK: WSCONN + connectionId, SK: SUB + subscriptionId }),
  topicSubscriber: (topic: string, connectionId: string, subscriptionId: string): Key => ({
    PK: WSTOPIC + topic,
    SK: `${SUB}${connectionId}#${subscriptionId}`,
  }),
  topicPk: (topic: string) => WSTOPIC + topic,
  /** Every topic subscriber's sort key starts so: the fan-out's Query reads only them. */
  subscriberSkPrefix: SUB,
  fanOut: (topic: string, position: string): Key => ({ PK: WSTOPIC + topic, SK: FAN + position }),
  replay: (topic: string, position: string): Key => ({ PK: WSREPLAY + topic, SK: position }),
  replayPk: (topic: string) => WSREPLAY + topic,
  /**
   * A live query's watch on one partition of the table or an index (`partition` null: the whole
   * index, a Scan). Index names hold no '#' and partition values are never empty, so the two
   * forms never meet.
   */
  watch: (index: string, partition: string | null, connectionId: string, subscriptionId: string): Key => ({
    PK: watchPk(index, partition),
    SK: `${connectionId}#${subscriptionId}`,
  }),
  watchPk,
  /**
   * A live query whose result depends on an expiry (an open game's), by that expiry (epoch seconds,
   * 10 digits, so string order is time order). '@' is in no index name, so this partition is no watch's.
   */
  expiryWatch: (at: number, connectionId: string, subscriptionId: string): Key => ({
    PK: EXPIRY_WATCH,
    SK: `${expirySk(at)}#${connectionId}#${subscriptionId}`,
  }),
  expiryWatchPk: () => EXPIRY_WATCH,
  /** Sort keys below this are expiries before `at`. */
  expiryWatchBefore: (at: number) => expirySk(at),
  /** Partition prefixes of the WebSocket bookkeeping: never events, and swept by the local TTL stand-in. */
  pkPrefixes: [WSCONN, WSTOPIC, WSREPLAY, WSWATCH] as const,
  parseSubscriptionSk: (sk: string): string => strip(sk, SUB),
};

export const keys = { user, game, player, photo, reaction, follow, emailGuard, live, ws };

const EXPIRY_WATCH = `${WSWATCH}@EXPIRY`;
const expirySk = (at: number) => String(Math.max(0, Math.floor(at))).padStart(10, '0');

function watchPk(index: string, partition: string | null): string {
  return partition === null ? WSWATCH + index : `${WSWATCH}${index}#${partition}`;
}

function photoSk(owner: string, timestamp: string): string {
  return `${PHOTO}${owner}#${timestamp}`;
}

function strip(value: string, prefix: string): string {
  if (!value.startsWith(prefix) || value.length === prefix.length) throw new Error(`Expected a "${prefix}" key, got ${value}`);
  return value.slice(prefix.length);
}

/** A stable string form of a key, for DataLoader caches and maps. */
export function keyId(key: Key): string {
  return `${key.PK}\u0000${key.SK}`;
}
