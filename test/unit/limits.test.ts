import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { measureOperation } from '../../src/limits.js';

function measure(query: string, variables: Record<string, unknown> = {}) {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  return measureOperation(op, fragments, variables);
}

describe('operation cost', () => {
  it('multiplies nested pages: 100 under 100 is 10,000 items, not two fields', () => {
    const m = measure(`{ openGames(first: 100) { edges { node { players(first: 100) { edges { node { user { name } } } } } } } }`);
    // 100 games, 100 x 100 participations, and 100 x 100 users behind them.
    expect(m.cost).toBe(100 + 100 * 100 + 100 * 100);
  });

  it('reads page sizes from variables and uses the default page size otherwise', () => {
    expect(measure(`query($n: Int) { openGames(first: $n) { edges { node { id } } } }`, { n: 3 }).cost).toBeLessThan(measure(`{ openGames { edges { node { id } } } }`).cost);
  });

  it('counts a batch field by its list length', () => {
    expect(measure(`query($u: [String!]!) { users(usernames: $u) { name } }`, { u: Array(50).fill('a') }).cost).toBe(50);
  });

  it('counts depth and aliases through fragments', () => {
    const m = measure(`{ a: user(username: "x") { ...F } b: user(username: "y") { ...F } } fragment F on User { username }`);
    expect(m.aliases).toBe(2);
    expect(m.depth).toBe(1);
  });
});
