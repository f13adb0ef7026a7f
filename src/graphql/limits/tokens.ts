// The token limit, checked before parsing: parsing and validating a huge document is itself the
// attack, so a plugin (which runs after parsing) is too late.
import { Lexer, Source, TokenKind } from 'graphql';
import type { AppError } from '../../errors.js';
import { LIMITS, limitError, type Limits } from './limits.js';

/** Counts the document's tokens, stopping at max + 1; a lexical error stops the count and is left to the parser to report. */
export function countTokens(source: string, max: number): number {
  const lexer = new Lexer(new Source(source));
  let n = 0;
  try {
    while (n <= max && lexer.advance().kind !== TokenKind.EOF) n++;
  } catch {
    return n;
  }
  return n;
}

// Documents already found within the default token limit. Clients send the same few documents over
// and over, and lexing one again on every request cost about 1 % of the server's CPU on the
// benchmark's operations (bench/PROFILE.md). Bounded by total length: emptied when full.
const withinLimit = new Set<string>();
const KNOWN_CHARS = 1_000_000;
let knownChars = 0;

function remember(query: string): void {
  if (knownChars + query.length > KNOWN_CHARS) {
    withinLimit.clear();
    knownChars = 0;
  }
  withinLimit.add(query);
  knownChars += query.length;
}

/**
 * The token limit, for the HTTP layer to apply before Apollo parses anything (a plugin cannot
 * refuse a request before parsing with a 400). Apollo's parser enforces the same limit as a
 * backstop, failing with GRAPHQL_PARSE_FAILED.
 */
export function documentTooLarge(query: unknown, limits: Limits = LIMITS): AppError | undefined {
  if (typeof query !== 'string') return undefined;
  if (limits === LIMITS && withinLimit.has(query)) return undefined;
  const tokens = countTokens(query, limits.maxTokens);
  if (tokens <= limits.maxTokens) {
    if (limits === LIMITS) remember(query);
    return undefined;
  }
  return limitError(`The document has more than ${limits.maxTokens} tokens, the limit.`, 'maxTokens', tokens, limits.maxTokens);
}
