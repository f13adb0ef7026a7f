// Opaque list cursors: the position (a DynamoDB key) is encrypted so no table key is exposed, and
// bound to the list it belongs to (AES-GCM's associated data), so a cursor from another list,
// another parent or another argument set, or one a client edited, is refused as BAD_USER_INPUT
// before any call.
//
// Format v2 (`2.` + base64url of IV ‖ ciphertext ‖ tag) is deterministic: the IV is an HMAC of the
// list and the position (a synthetic IV, as in AES-SIV), so equal pages carry equal cursors and two
// runs of one live query compare equal. Equal IVs only ever come with equal plaintexts, so GCM's
// one rule (never one IV for two messages) holds. GCM authenticates, so v1's separate HMAC is gone.
// v1 (base64url of random IV ‖ ciphertext ‖ tag ‖ HMAC, no prefix, never containing '.') is still
// read, so cursors clients hold stay valid.
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { badInput } from '../../errors.js';

export interface CursorKeys {
  enc: Buffer;
  /** v1 only: the HMAC that signed v1 cursors. */
  mac: Buffer;
  /** v2: derives the synthetic IV. */
  siv: Buffer;
}

const IV = 12;
const TAG = 16;
const MAC = 16;
const V2 = '2.';

/** Derives separate encryption, IV and (v1) signing keys from the one configured secret. */
export function cursorKeys(secret: string): CursorKeys {
  const derive = (label: string) => createHmac('sha256', secret).update(label).digest();
  return { enc: derive('cursor-encryption'), mac: derive('cursor-signature'), siv: derive('cursor-synthetic-iv') };
}

/** The v2 cursor of `position` in the list `binding`: the same inputs always give the same cursor. */
export function encodeCursor(k: CursorKeys, binding: string, position: Record<string, unknown>): string {
  const plain = Buffer.from(JSON.stringify(position), 'utf8');
  const iv = syntheticIv(k, binding, plain);
  const cipher = createCipheriv('aes-256-gcm', k.enc, iv);
  cipher.setAAD(Buffer.from(binding));
  return V2 + Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]).toString('base64url');
}

export function decodeCursor(k: CursorKeys, binding: string, cursor: string): Record<string, unknown> {
  const invalid = () => badInput("The cursor is not valid for this list. Use a cursor from this list's pageInfo or edges.", 'after');
  if (typeof cursor !== 'string' || cursor.length > 2048) throw invalid();
  const v2 = cursor.startsWith(V2);
  const text = v2 ? cursor.slice(V2.length) : cursor;
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw invalid();
  const raw = Buffer.from(text, 'base64url');
  let body: Buffer;
  if (v2) {
    if (raw.length < IV + TAG + 2) throw invalid();
    body = raw;
  } else {
    if (raw.length < IV + TAG + MAC + 2) throw invalid();
    body = raw.subarray(0, raw.length - MAC);
    if (!timingSafeEqual(raw.subarray(raw.length - MAC), signV1(k, binding, body))) throw invalid();
  }
  try {
    const iv = body.subarray(0, IV);
    const decipher = createDecipheriv('aes-256-gcm', k.enc, iv);
    decipher.setAAD(Buffer.from(binding));
    decipher.setAuthTag(body.subarray(body.length - TAG));
    const plain = Buffer.concat([decipher.update(body.subarray(IV, body.length - TAG)), decipher.final()]);
    // GCM already proved the cursor is ours; a v2 IV that is not the synthetic one was not made by encodeCursor.
    if (v2 && !timingSafeEqual(iv, syntheticIv(k, binding, plain))) throw new Error('iv');
    const value: unknown = JSON.parse(plain.toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('shape');
    return value as Record<string, unknown>;
  } catch {
    throw invalid();
  }
}

function syntheticIv(k: CursorKeys, binding: string, plain: Buffer): Buffer {
  return createHmac('sha256', k.siv).update(binding).update('\u0000').update(plain).digest().subarray(0, IV);
}

function signV1(k: CursorKeys, binding: string, body: Buffer): Buffer {
  return createHmac('sha256', k.mac).update(binding).update('\u0000').update(body).digest().subarray(0, MAC);
}

declare const bindingBrand: unique symbol;

/** A list's name, made only by listBinding(): the read-ahead store is keyed by it, so no other string can be. */
export type ListBinding = string & { readonly [bindingBrand]: true };

/** Names the list a cursor belongs to: the field, its parent, the index and the filtering arguments. */
export function listBinding(field: string, parent: string, index: string | undefined, args: Record<string, unknown> = {}): ListBinding {
  const sorted = Object.keys(args)
    .filter((a) => a !== 'first' && a !== 'after' && args[a] !== undefined && args[a] !== null)
    .sort()
    .map((a) => [a, args[a]]);
  // The one place a string becomes a ListBinding.
  return JSON.stringify([field, parent, index ?? '', sorted]) as ListBinding;
}
