// Global object ids (Relay's Global Object Identification), both ways. One rule:
//
//   type               id                                        example
//   Game               the game's own id, a UUID (as the lab's)  0ab37cf1-fc60-4d93-b72b-89335f759581
//   Photo              <owner>/<timestamp> (as before)           haroldwatkins/2019-04-16T00:41:18
//   User               base64url("v1:User:<username>")           djE6VXNlcjpoYXJvbGR3YXRraW5z
//   GameParticipation  base64url("v1:GameParticipation:<game id>:<username>")
//   Reaction           base64url("v1:Reaction:<user>:<type>:<owner>:<timestamp>")
//
// Ids that existed stay as they were, because the labs' scripts and today's clients hold them;
// every other type's is its natural key under a version prefix, unpadded base64url, not signed (it
// survives a secret rotation and a redeploy) and never a table key. The three forms cannot be
// mistaken for one another: only a photo id holds '/' (base64url has no '/', a UUID neither); every
// new-form id starts with "djE6" (base64url of "v1:"), which no UUID can ('j' is not hex). The
// natural key's parts are checked as the typed fields check them (validation.ts), so an id can only
// name what an argument could, and the timestamp, which may hold ':', comes last.
import { BadNodeIdError } from '../request-errors.js';
import { REACTION_TYPES, type ReactionType } from '../data/photos/photos.js';
import * as v from './validation.js';

/** What a global id names: a type and its natural key. */
export type NodeRef =
  | { type: 'User'; username: string }
  | { type: 'Game'; gameId: string }
  | { type: 'GameParticipation'; gameId: string; username: string }
  | { type: 'Photo'; owner: string; timestamp: string }
  | { type: 'Reaction'; user: string; reactionType: ReactionType; owner: string; timestamp: string };

const VERSION = 'v1';
/** base64url of "v1:": how every new-form id begins. */
export const NEW_FORM_PREFIX = Buffer.from(`${VERSION}:`).toString('base64url');
/** Longer than any id given out (a reaction's is ~130 characters), so nothing longer is decoded. */
const MAX_ID_LENGTH = 256;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const newForm = (type: string, ...parts: string[]) => Buffer.from([VERSION, type, ...parts].join(':')).toString('base64url');

export const userId = (username: string): string => newForm('User', username);
export const gameNodeId = (gameId: string): string => gameId;
export const participationId = (gameId: string, username: string): string => newForm('GameParticipation', gameId, username);
export const photoId = (owner: string, timestamp: string): string => `${owner}/${timestamp}`;
export const reactionId = (user: string, type: ReactionType, owner: string, timestamp: string): string =>
  newForm('Reaction', user, type, owner, timestamp);

/** The object an id names; BadNodeIdError (BAD_NODE_ID) when it is malformed or of an unknown type. */
export function decodeId(id: string): NodeRef {
  const bad = (reason: string) => new BadNodeIdError(preview(id), reason);
  if (id.length === 0 || id.length > MAX_ID_LENGTH) throw bad(`ids are 1-${MAX_ID_LENGTH} characters`);
  if (id.includes('/')) {
    const i = id.indexOf('/');
    const owner = id.slice(0, i);
    const timestamp = id.slice(i + 1);
    if (!valid(v.username, owner) || !valid(v.timestamp, timestamp)) throw bad('a photo id is <owner>/<timestamp>');
    return { type: 'Photo', owner, timestamp };
  }
  if (UUID.test(id)) return { type: 'Game', gameId: id };
  if (!id.startsWith(NEW_FORM_PREFIX) || !BASE64URL.test(id)) throw bad('not a game id, a photo id or a "v1" id');
  const text = Buffer.from(id, 'base64url').toString('utf8');
  // One spelling per object: an id that does not re-encode to itself (padding, stray bits) is refused.
  if (Buffer.from(text).toString('base64url') !== id) throw bad('not canonical base64url');
  const [, type = '', ...parts] = text.split(':');
  const ref = fromParts(type, parts);
  if (!ref) throw bad(`no ${VERSION} id of type ${JSON.stringify(type.slice(0, 40))} with that key`);
  return ref;
}

function fromParts(type: string, parts: string[]): NodeRef | null {
  switch (type) {
    case 'User': {
      const [username = ''] = parts;
      return parts.length === 1 && valid(v.username, username) ? { type, username } : null;
    }
    case 'GameParticipation': {
      const [gameId = '', username = ''] = parts;
      return parts.length === 2 && UUID.test(gameId) && valid(v.username, username) ? { type, gameId, username } : null;
    }
    case 'Reaction': {
      // The timestamp is everything after the fourth ':' (it holds ':' itself).
      const [user = '', reactionType = '', owner = '', ...time] = parts;
      const timestamp = time.join(':');
      const known = REACTION_TYPES.find((t) => t === reactionType);
      if (!known || !valid(v.username, user) || !valid(v.username, owner) || !valid(v.timestamp, timestamp)) return null;
      return { type, user, reactionType: known, owner, timestamp };
    }
    default:
      // Game and Photo keep their own ids: a "v1" form of them would be a second id for one object.
      return null;
  }
}

function valid(check: (value: string) => string, value: string): boolean {
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
}

function preview(id: string): string {
  return JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id);
}
