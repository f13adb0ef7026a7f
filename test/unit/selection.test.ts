import { parse, type FragmentDefinitionNode, type OperationDefinitionNode, type FieldNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { childArguments, selects } from '../../src/resolvers/selection.js';

// The info a resolver of the document's first root field would get.
function infoOf(source: string, variableValues: Record<string, unknown> = {}) {
  const doc = parse(source);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const fragments = Object.fromEntries(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((f) => [f.name.value, f]),
  );
  return { fieldNodes: [op.selectionSet.selections[0] as FieldNode], fragments, variableValues };
}

describe('selects', () => {
  it('finds a field by its path below the current field, ignoring aliases', () => {
    const info = infoOf('{ players { all: edges { node { who: user { name } } } } }');
    expect(selects(info, 'edges', 'node', 'user')).toBe(true);
    expect(selects(info, 'edges', 'node', 'kills')).toBe(false);
    expect(selects(info, 'node', 'user')).toBe(false);
  });

  it('looks through inline and named fragments, nested', () => {
    const info = infoOf(`{ players { edges { ...E } } }
      fragment E on GameParticipationEdge { node { ... on GameParticipation { ...U } } }
      fragment U on GameParticipation { user { name } }`);
    expect(selects(info, 'edges', 'node', 'user')).toBe(true);
    expect(selects(info, 'edges', 'node', 'game')).toBe(false);
  });

  it('is false for a fragment it cannot find and does not loop on a self-referencing one', () => {
    expect(selects(infoOf('{ players { ...Missing } }'), 'edges')).toBe(false);
    expect(selects(infoOf('{ players { ...A } } fragment A on X { ...A }'), 'edges')).toBe(false);
  });

  it('searches each fragment once per position, so a fragment spread twice at each of 40 levels stays linear', () => {
    const frags = Array.from({ length: 40 }, (_, i) => `fragment F${i} on GameParticipationConnection { ...F${i + 1} ...F${i + 1} }`).join(
      '\n',
    );
    const info = infoOf(`{ players { ...F0 } }\n${frags}\nfragment F40 on GameParticipationConnection { pageInfo { hasNextPage } }`);
    let lookups = 0;
    const counted = { ...info, fragments: new Proxy(info.fragments, { get: (target, name) => (lookups++, Reflect.get(target, name)) }) };
    expect(selects(counted, 'edges', 'node', 'user')).toBe(false);
    // Without the memo this would be 2^41 lookups; with it, one per fragment.
    expect(lookups).toBe(41);
  });
});

describe('childArguments', () => {
  it('gives the arguments of each selection of a child field, with variables, through aliases and fragments', () => {
    const info = infoOf(
      `query($n: Int) { user { a: followers(first: $n) { edges { cursor } } ...F ... on User { followers(after: "x") { edges { cursor } } } } }
      fragment F on User { followers { pageInfo { hasNextPage } } }`,
      { n: 7 },
    );
    expect(childArguments(info, 'followers')).toEqual([{ first: 7 }, {}, { after: 'x' }]);
    expect(childArguments(info, 'following')).toEqual([]);
  });
});
