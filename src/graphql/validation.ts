// Input checks at the edge. Anything that becomes part of a DynamoDB key is checked here against
// a pattern that cannot contain the key separator '#', so no client can choose another entity's key.
import { badInput } from '../errors.js';

const USERNAME = /^[a-z0-9_]{3,32}$/;
const GAME_ID = /^[A-Za-z0-9-]{1,64}$/;
const MAP = /^[A-Za-z][A-Za-z0-9 ]{0,38}[A-Za-z0-9]$/;
const EMAIL = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The labs' timestamps (to the second, no zone) and ours (with fractions), both sortable. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z?$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Control characters, direction overrides and marks, line/paragraph separators and the BOM: invisible
// text that reorders or splits what other users see. Zero-width joiners stay: emoji need them.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/;

export function username(value: string, field = 'username'): string {
  if (typeof value !== 'string' || !USERNAME.test(value)) {
    throw badInput(`${field} must be 3-32 characters of lowercase letters, digits or "_", got ${preview(value)}.`, field);
  }
  return value;
}

export function gameId(value: string, field = 'gameId'): string {
  if (typeof value !== 'string' || !GAME_ID.test(value))
    throw badInput(`${field} must be a game id (letters, digits and "-"), got ${preview(value)}.`, field);
  return value;
}

export function map(value: string, field = 'map'): string {
  if (typeof value !== 'string' || !MAP.test(value)) {
    throw badInput(
      `${field} must be 2-40 letters, digits and spaces, starting with a letter (like "Green Grasslands"), got ${preview(value)}.`,
      field,
    );
  }
  return value;
}

export function email(value: string, field = 'email'): string {
  if (typeof value !== 'string' || value.length > 254 || !EMAIL.test(value))
    throw badInput(`${field} must be an email address, got ${preview(value)}.`, field);
  return value;
}

export function birthdate(value: string, field = 'birthdate'): string {
  if (
    typeof value !== 'string' ||
    !DATE.test(value) ||
    Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
    new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value
  ) {
    throw badInput(`${field} must be a date as YYYY-MM-DD, got ${preview(value)}.`, field);
  }
  return value;
}

export function timestamp(value: string, field = 'timestamp'): string {
  if (typeof value !== 'string' || !TIMESTAMP.test(value) || !isRealTime(value)) {
    throw badInput(`${field} must be a timestamp like 2019-04-16T00:41:18, got ${preview(value)}.`, field);
  }
  return value;
}

// Date.parse rolls February 30 over into March: a real time survives the round trip unchanged.
function isRealTime(value: string): boolean {
  const ms = Date.parse(value.endsWith('Z') ? value : `${value}Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === value.slice(0, 19);
}

// Characters that make a URL dangerous to echo into HTML, JSON-in-HTML or a shell: WHATWG
// serialisation percent-encodes most of them, but not everywhere (a quote in a path, a backslash
// in an s3 URL), so what survives it is refused rather than stored.
const UNSAFE_IN_URL = /["'<>\\`]/;

/**
 * A photo location: an http(s) or s3 URL, returned in its canonical (WHATWG-serialised) form,
 * which is what gets stored: "HTTPS://X.com/a/../b c" is refused for the space, "https://x.com/a\"b"
 * becomes "https://x.com/a%22b", and what serialisation leaves unsafe is refused.
 */
export function location(value: string, field = 'location'): string {
  let canonical: string | undefined;
  if (typeof value === 'string' && value.length <= 2048 && !CONTROL.test(value) && !/\s/.test(value)) {
    try {
      const u = new URL(value);
      if (['http:', 'https:', 's3:'].includes(u.protocol) && u.hostname.length > 0) canonical = u.href;
    } catch {
      canonical = undefined;
    }
  }
  if (canonical === undefined || canonical.length > 2048 || UNSAFE_IN_URL.test(canonical)) {
    throw badInput(
      `${field} must be an http(s) or s3 URL of at most 2048 characters, without quotes, angle brackets or backslashes once normalised, got ${preview(value)}.`,
      field,
    );
  }
  return canonical;
}

/** Free text: bounded length, no control or bidi-override characters. */
export function text(value: string, field: string, max: number, min = 1): string {
  // A lone surrogate is not text: stored, it would come back as U+FFFD or break a client's decoder.
  if (
    typeof value !== 'string' ||
    LONE_SURROGATE.test(value) ||
    [...value].length > max ||
    [...value].length < min ||
    CONTROL.test(value.replace(/\n/g, ''))
  ) {
    throw badInput(`${field} must be ${min}-${max} characters without control characters.`, field);
  }
  return value;
}

export function int(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw badInput(`${field} must be a whole number from ${min} to ${max}, got ${value}.`, field);
  return value;
}

export function list<T>(values: readonly T[], field: string, max: number): readonly T[] {
  if (values.length > max) throw badInput(`${field} may hold at most ${max} entries, got ${values.length}.`, field);
  return values;
}

function preview(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}
