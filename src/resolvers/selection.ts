// Whether a query asks for a field below the one being resolved. A list resolver uses it to read
// related items for the whole page at once, and only when the client wants them: no call is made
// for a field nobody selected, and the items it reads reach GraphQL as plain values, not one
// promise per item.
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * True when some selection of the current field reaches `path` (field names, aliases ignored),
 * through inline fragments and named fragments alike. @skip and @include are not evaluated: a
 * field they turn off costs a read but still resolves correctly.
 */
export function selects(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, ...path: string[]): boolean {
  return info.fieldNodes.some((node) => reaches(node.selectionSet, path, info.fragments, new Set()));
}

function reaches(set: SelectionSetNode | undefined, path: string[], fragments: GraphQLResolveInfo['fragments'], seen: Set<string>): boolean {
  if (!set) return false;
  if (path.length === 0) return true;
  const [name, ...rest] = path;
  return set.selections.some((sel) => {
    if (sel.kind === Kind.FIELD) return sel.name.value === name && (rest.length === 0 || reaches(sel.selectionSet, rest, fragments, seen));
    if (sel.kind === Kind.INLINE_FRAGMENT) return reaches(sel.selectionSet, path, fragments, seen);
    const fragment = fragments[sel.name.value];
    // Validation refuses fragment cycles; `seen` only keeps a malformed document from recursing forever.
    if (!fragment || seen.has(sel.name.value)) return false;
    return reaches(fragment.selectionSet, path, fragments, new Set(seen).add(sel.name.value));
  });
}
