// What a by-key read (the item loader's BatchGetItem) must bring back when the operation is known:
// every attribute the record functions read for games, players, photos and reactions (they are
// small, and read few at a time), and of a user item only what the selected User fields need. A
// page of 100 profiles showing two fields is then about a third of the bytes to receive and
// unmarshal. Capacity is charged by item size whatever is projected, so this saves CPU, not RCU.
import { TABLE } from '../table.js';

/** Read for every item: keys, a user's username (toUser checks it), and every non-user record's attributes. */
const ALWAYS: readonly string[] = [
  'PK',
  'SK',
  'username',
  // games (toGame, isExpired)
  'game_id',
  'map',
  'create_time',
  'people',
  'creator',
  'open_timestamp',
  'start_time',
  'end_time',
  'gold',
  'silver',
  'bronze',
  'start_attempt',
  TABLE.ttlAttribute,
  // players (toParticipation)
  'place',
  'joined_at',
  'kills',
  'damage',
  'survived_seconds',
  // photos (toPhoto) and reactions (toReaction)
  'timestamp',
  'location',
  'reactions',
  'reactingUser',
  'reactionType',
  'photo',
];

/** The user attributes each User field reads (toUser); a field reading only the username, or a list by it, reads none. */
const USER_FIELD: Readonly<Record<string, readonly string[]>> = {
  __typename: [],
  id: [],
  username: [],
  name: ['name'],
  email: ['email'],
  birthdate: ['birthdate'],
  address: ['address'],
  status: ['status'],
  interests: ['interests'],
  followerCount: ['followers'],
  followingCount: ['following'],
  pinnedPhoto: ['pinnedImage'],
  photos: [],
  followers: [],
  following: [],
  games: [],
};

/** The attributes by-key reads need for these selected User fields; undefined (read whole items) when a field is not known here. */
export function userReadAttributes(fields: Iterable<string>): readonly string[] | undefined {
  const out = new Set(ALWAYS);
  for (const f of fields) {
    const attrs = USER_FIELD[f];
    if (!attrs) return undefined;
    for (const a of attrs) out.add(a);
  }
  return [...out];
}
