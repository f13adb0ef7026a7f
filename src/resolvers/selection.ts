// Whether a query asks for a field below the one being resolved. A list resolver uses it to read
// related items for the whole page at once, and only when the client wants them: no call is made
// for a field nobody selected, and the items it reads reach GraphQL as plain values, not one
// promise per item.
import { isPageSize } from '../data/dynamo/pagination.js';
import { Kind, valueFromASTUntyped, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * True when some selection of the current field reaches `path` (field names, aliases ignored),
 * through inline fragments and named fragments alike. @skip and @include are not evaluated: a
 * field they turn off costs a read but still resolves correctly.
 */
export function selects(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, ...path: string[]): boolean {
  // Each fragment is searched once per position in the path: a fragment spread twice at every level
  // of forty (which the cost limit lets through when it selects nothing costly) stays linear.
  const memo = new Map<string, boolean>();
  const reaches = (set: SelectionSetNode | undefined, at: number): boolean => {
    if (!set) return false;
    if (at === path.length) return true;
    return set.selections.some((sel) => {
      if (sel.kind === Kind.FIELD) return sel.name.value === path[at] && reaches(sel.selectionSet, at + 1);
      if (sel.kind === Kind.INLINE_FRAGMENT) return reaches(sel.selectionSet, at);
      const key = `${sel.name.value}@${at}`;
      let found = memo.get(key);
      if (found === undefined) {
        // Validation refuses a fragment that spreads itself; if one got here, it adds nothing.
        memo.set(key, false);
        found = reaches(info.fragments[sel.name.value]?.selectionSet, at);
        memo.set(key, found);
      }
      return found;
    });
  };
  return info.fieldNodes.some((node) => reaches(node.selectionSet, 0));
}

/**
 * The arguments given to each selection of the current field's child `name`, variables applied
 * (aliases and fragments included; a fragment spread twice counts once, as GraphQL merges it).
 * Untyped: an argument left out is absent, not its schema default. (Typed helpers of graphql-js
 * check their schema objects with instanceof, which fails across its ESM and CommonJS copies.)
 */
export function childArguments(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'variableValues'>,
  name: string,
): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined): void => {
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value === name)
          found.push(
            Object.fromEntries((sel.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, info.variableValues)])),
          );
      } else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet);
      else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        visit(info.fragments[sel.name.value]?.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  return found;
}

/** A list's page arguments from childArguments(), when they are a page its resolver would read (a valid `first`, a string `after`). */
export function pageArguments(args: Record<string, unknown>): { first?: number | null; after?: string | null } | undefined {
  const { first, after } = args;
  if (!isPageSize(first)) return undefined;
  if (after !== undefined && after !== null && typeof after !== 'string') return undefined;
  return { first, after };
}
