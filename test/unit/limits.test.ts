import { Kind, buildSchema, getIntrospectionQuery, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../src/graphql/limits/check.js';
import { LIMITS } from '../../src/graphql/limits/limits.js';
import { measureOperation } from '../../src/graphql/limits/measure.js';
import { countTokens, documentTooLarge } from '../../src/graphql/limits/tokens.js';
import { DEFAULT_PAGE_SIZE } from '../../src/page-size.js';
import { loadTypeDefs } from '../../src/schema.js';

const schema = buildSchema(loadTypeDefs());

/** Measures `query` over the server's schema; `lookups` counts how often the measure looked a fragment up. */
function measure(query: string, variables: Record<string, unknown> = {}, lookups = { n: 0 }) {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const counted = new Proxy(fragments, { get: (target, name) => (lookups.n++, Reflect.get(target, name)) });
  return measureOperation(op, counted, variables, schema);
}

describe('operation cost', () => {
  it('keeps a measure with its operation by the page sizes, never by a cursor: the same document refused or let through by its variables', () => {
    const doc = parse(
      `query($a: Int, $b: Int, $after: String) { openGames(first: $a, after: $after) { edges { node { players(first: $b) { edges { node { user { name } } } } } } } }`,
    );
    const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const check = (vars: Record<string, unknown>) => () => checkDocument(op, doc, vars, schema);
    expect(check({ a: 10, b: 10, after: 'one' })).not.toThrow();
    expect(check({ a: 10, b: 10, after: 'two' })).not.toThrow();
    // 100 games of 100 players: 20,100 items, over the limit, though the same operation passed above.
    expect(check({ a: 100, b: 100, after: 'one' })).toThrow(/may read 20100 items/);
    expect(check({ a: 10, b: 100, after: 'three' })).not.toThrow();
    expect(check({ a: 100, b: 100 })).toThrow(/may read 20100 items/);
    expect(check({ a: 10, b: 10 })).not.toThrow();
  });

  it('multiplies nested pages: 100 under 100 is 10,000 items, not two fields', () => {
    const m = measure(`{ openGames(first: 100) { edges { node { players(first: 100) { edges { node { user { name } } } } } } } }`);
    // 100 games, 100 x 100 participations, and 100 x 100 users behind them.
    expect(m.cost).toBe(100 + 100 * 100 + 100 * 100);
  });

  it('reads page sizes from variables and uses the default page size otherwise', () => {
    expect(measure(`query($n: Int) { openGames(first: $n) { edges { node { id } } } }`, { n: 3 }).cost).toBeLessThan(
      measure(`{ openGames { edges { node { id } } } }`).cost,
    );
  });

  it('counts a batch field by its list length', () => {
    expect(measure(`query($u: [String!]!) { users(usernames: $u) { name } }`, { u: Array(50).fill('a') }).cost).toBe(50);
  });

  it('counts nodes(ids:) by its list length, and multiplies what each node selects', () => {
    const ids = Array(100).fill('djE6VXNlcjpoYXJvbGR3YXRraW5z');
    expect(measure(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids }).cost).toBe(100);
    // 100 users, each with 100 follows and 100 profiles behind them: 20,100 items, refused.
    const followers = measure(
      `query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { followers(first: 100) { edges { node { name } } } } } }`,
      { ids },
    );
    expect(followers.cost).toBe(100 + 100 * (100 + 100));
    expect(followers.cost).toBeGreaterThan(LIMITS.maxCost);
    expect(measure(`{ node(id: "x") { ... on Game { players(first: 10) { edges { cursor } } } } }`).cost).toBe(1 + 10);
  });

  it('counts depth and aliases through fragments', () => {
    const m = measure(`{ a: user(username: "x") { ...F } b: user(username: "y") { ...F } } fragment F on User { username }`);
    expect(m.aliases).toBe(2);
    expect(m.depth).toBe(1);
  });
});

describe('operation cost by field type', () => {
  it('charges a follow edge its profile read and an embedded object nothing', () => {
    // 1 user + 10 follows + 10 profiles; reactionCounts lives in the photo item.
    expect(measure(`{ user(username: "abc") { followers(first: 10) { edges { node { name } } } } }`).cost).toBe(1 + 10 + 10);
    expect(measure(`{ photo(owner: "abc", timestamp: "2024-01-01T00:00:00") { reactionCounts { heart } } }`).cost).toBe(1);
  });

  it("charges a connection its default page when `first` is left out, and takes a variable's default", () => {
    expect(measure(`{ user(username: "abc") { photos { pageInfo { hasNextPage } } } }`).cost).toBe(1 + DEFAULT_PAGE_SIZE);
    expect(measure(`query($n: Int = 7) { user(username: "abc") { photos(first: $n) { edges { cursor } } } }`).cost).toBe(1 + 7);
  });

  it('measures a fragment once however often it is spread', () => {
    const frags = Array.from({ length: 60 }, (_, i) => `fragment F${i} on User { ...F${i + 1} ...F${i + 1} }`).join('\n');
    const lookups = { n: 0 };
    const m = measure(`{ viewer { ...F0 } }\n${frags}\nfragment F60 on User { name }`, {}, lookups);
    // Each of the 120 spreads looks its fragment up once; measuring each spread afresh would take 2^61.
    expect(lookups.n).toBe(121);
    expect(m.rootFields).toBe(1);
    expect(m.depth).toBe(1);
  });

  it('counts the fields introspection resolves: the full query fits, five of it do not', () => {
    const full = getIntrospectionQuery();
    expect(measure(full)).toMatchObject({ depth: 0, cost: 0 });
    expect(measure(full).introspection).toBeLessThan(LIMITS.maxIntrospection);
    const fragments = full.slice(full.indexOf('fragment FullType'));
    const selection = full.slice(full.indexOf('__schema'), full.lastIndexOf('}', full.indexOf('fragment FullType')));
    const five = `{ ${Array.from({ length: 5 }, (_, i) => `s${i}: ${selection}`).join('\n')} }\n${fragments}`;
    expect(measure(five).introspection).toBeGreaterThan(LIMITS.maxIntrospection);
  });
});

describe('token count', () => {
  it('stops counting one past the limit, and leaves a lexical error to the parser', () => {
    expect(countTokens('{ a b c }', 100)).toBe(5);
    expect(countTokens(`{ ${'a '.repeat(10_000)}}`, 50)).toBe(51);
    expect(countTokens('{ a "unterminated', 100)).toBe(2);
  });
});

describe('document size check', () => {
  it('lets a document it has seen within the limit through again, and refuses a large one every time', () => {
    const small = `{ ${Array.from({ length: 20 }, (_, i) => `f${i}`).join(' ')} }`;
    const large = `{ ${'a '.repeat(LIMITS.maxTokens + 10)}}`;
    expect(documentTooLarge(small)).toBeUndefined();
    expect(documentTooLarge(small)).toBeUndefined();
    for (let i = 0; i < 2; i++) expect(documentTooLarge(large)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'maxTokens' });
  });

  it('applies custom limits without the remembered answers of the default ones', () => {
    const doc = '{ a b c d e f }';
    expect(documentTooLarge(doc)).toBeUndefined();
    expect(documentTooLarge(doc, { ...LIMITS, maxTokens: 3 })?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: 'maxTokens',
      max: 3,
    });
  });
});
