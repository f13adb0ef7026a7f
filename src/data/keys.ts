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
const WSREPLAY = 'WSREPLAY#';
const SUB = 'SUB#';

export const keys = {
  user: (username: string): Key => ({ PK: USER + username, SK: META + username }),
  game: (gameId: string): Key => ({ PK: GAME + gameId, SK: META + gameId }),
  player: (gameId: string, username: string): Key => ({ PK: GAME + gameId, SK: USER + username }),
  photo: (owner: string, timestamp: string): Key => ({ PK: USER + owner, SK: photoSk(owner, timestamp) }),
  reaction: (user: string, storedType: string, owner: string, timestamp: string): Key => ({
    PK: `${REACTION}${user}#${storedType}`,
    SK: photoSk(owner, timestamp),
  }),
  follow: (followed: string, follower: string): Key => ({ PK: USER + followed, SK: FRIEND + follower }),
  emailGuard: (email: string): Key => ({ PK: EMAIL + email.toLowerCase(), SK: '#EMAIL' }),
  liveLease: (): Key => ({ PK: `${LIVE}LEASE`, SK: '#LEASE' }),
  liveCheckpoint: (shardId: string): Key => ({ PK: `${LIVE}CHECKPOINT`, SK: SHARD + shardId }),
  liveCheckpointPartition: `${LIVE}CHECKPOINT`,
  /** Partition prefix of the live layer's bookkeeping items, which its own stream reader filters out. */
  livePkPrefix: LIVE,
  wsConnection: (connectionId: string): Key => ({ PK: WSCONN + connectionId, SK: '#CONNECTION' }),
  wsConnectionPartition: (connectionId: string) => WSCONN + connectionId,
  wsSubscription: (connectionId: string, subscriptionId: string): Key => ({ PK: WSCONN + connectionId, SK: SUB + subscriptionId }),
  wsTopicSubscriber: (topic: string, connectionId: string, subscriptionId: string): Key => ({
    PK: WSTOPIC + topic,
    SK: `${SUB}${connectionId}#${subscriptionId}`,
  }),
  wsTopicPartition: (topic: string) => WSTOPIC + topic,
  wsReplay: (topic: string, position: string): Key => ({ PK: WSREPLAY + topic, SK: position }),
  wsReplayPartition: (topic: string) => WSREPLAY + topic,
  /** Partition prefixes of the WebSocket bookkeeping: never events, and swept by the local TTL stand-in. */
  wsPkPrefixes: [WSCONN, WSTOPIC, WSREPLAY] as const,
  parseWsSubscriptionSk: (sk: string): string => strip(sk, SUB),

  userPartition: (username: string) => USER + username,
  gamePartition: (gameId: string) => GAME + gameId,
  /** InvertedIndex sort key prefix of a user's participations (their PK is the game's). */
  gamePkPrefix: GAME,
  gameMetadataSk: (gameId: string) => META + gameId,
  userMetadataSk: (username: string) => META + username,
  /** Sort key prefix of a game's players, and the upper bound ('$' follows '#') of the lab's game query. */
  playerSkPrefix: USER,
  playersSkUpperBound: 'USER$',
  photoSkPrefix: (owner: string) => `${PHOTO}${owner}#`,
  followerSkPrefix: FRIEND,
  /** InvertedIndex partition holding a user's games. */
  userGamesIndexPk: (username: string) => USER + username,
  /** InvertedIndex partition holding the users a user follows. */
  followingIndexPk: (follower: string) => FRIEND + follower,
  reactionPkPrefix: REACTION,
  /** Prefixes that tell an item's entity from its key alone (src/data/changes.ts). */
  userPkPrefix: USER,
  metadataSkPrefix: META,
  anyPhotoSkPrefix: PHOTO,
  photoSk,

  parseUsername: (pk: string): string => strip(pk, USER),
  parseGameId: (pk: string): string => strip(pk, GAME),
  parseFollower: (sk: string): string => strip(sk, FRIEND),
  parseCheckpointShard: (sk: string): string => strip(sk, SHARD),
  parsePhotoSk: (sk: string): { owner: string; timestamp: string } => {
    const rest = strip(sk, PHOTO);
    const i = rest.indexOf('#');
    if (i <= 0) throw new Error(`Malformed photo key: ${sk}`);
    return { owner: rest.slice(0, i), timestamp: rest.slice(i + 1) };
  },
  parseReactionPk: (pk: string): { user: string; storedType: string } => {
    const rest = strip(pk, REACTION);
    const i = rest.indexOf('#');
    if (i <= 0) throw new Error(`Malformed reaction key: ${pk}`);
    return { user: rest.slice(0, i), storedType: rest.slice(i + 1) };
  },
};

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
