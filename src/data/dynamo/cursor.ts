// Opaque list cursors: the position (a DynamoDB key) is encrypted so no table key is exposed, and
// signed with an HMAC over the list it belongs to, so a cursor from another list, another parent
// or another argument set, or one a client edited, is refused as BAD_USER_INPUT before any call.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { badInput } from '../../errors.js';

export interface CursorKeys {
  enc: Buffer;
  mac: Buffer;
}

const IV = 12;
const TAG = 16;
const MAC = 16;

/** Derives separate encryption and signing keys from the one configured secret. */
export function cursorKeys(secret: string): CursorKeys {
  const derive = (label: string) => createHmac('sha256', secret).update(label).digest();
  return { enc: derive('cursor-encryption'), mac: derive('cursor-signature') };
}

export function encodeCursor(k: CursorKeys, binding: string, position: Record<string, unknown>): string {
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', k.enc, iv);
  cipher.setAAD(Buffer.from(binding));
  const body = Buffer.concat([iv, cipher.update(JSON.stringify(position), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([body, sign(k, binding, body)]).toString('base64url');
}

export function decodeCursor(k: CursorKeys, binding: string, cursor: string): Record<string, unknown> {
  const invalid = () => badInput("The cursor is not valid for this list. Use a cursor from this list's pageInfo or edges.", 'after');
  if (typeof cursor !== 'string' || cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const raw = Buffer.from(cursor, 'base64url');
  if (raw.length < IV + TAG + MAC + 2) throw invalid();
  const body = raw.subarray(0, raw.length - MAC);
  const mac = raw.subarray(raw.length - MAC);
  if (!timingSafeEqual(mac, sign(k, binding, body))) throw invalid();
  try {
    const decipher = createDecipheriv('aes-256-gcm', k.enc, body.subarray(0, IV));
    decipher.setAAD(Buffer.from(binding));
    decipher.setAuthTag(body.subarray(body.length - TAG));
    const plain = Buffer.concat([decipher.update(body.subarray(IV, body.length - TAG)), decipher.final()]);
    const value: unknown = JSON.parse(plain.toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('shape');
    return value as Record<string, unknown>;
  } catch {
    throw invalid();
  }
}

function sign(k: CursorKeys, binding: string, body: Buffer): Buffer {
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
