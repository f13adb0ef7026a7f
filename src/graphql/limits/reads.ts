// The cost rule: how many items a field may read from DynamoDB per item of its parent, from its
// type in the schema. A connection reads `first` items (the API's default page size when left
// out), a list field its argument's length, an object field one item by key, an edge or a
// connection's own fields nothing more. measure.ts multiplies these down the selection.
import { valueFromASTUntyped, type FieldNode, type GraphQLNamedType, type GraphQLOutputType } from 'graphql';
import { DEFAULT_PAGE_SIZE } from '../../page-size.js';
import { getNamedType, isCompositeType, isList } from './schema-types.js';

/** Fields whose size comes from a list argument rather than `first`. */
const LIST_ARGUMENT_FIELDS: Record<string, string> = { 'Query.users': 'usernames', 'Query.nodes': 'ids' };

/**
 * Reads a field makes per parent item when the rule above is wrong: an object embedded in its
 * parent's item reads nothing; a follow edge's node is a profile read by key.
 */
const FIELD_READS: Record<string, number> = {
  'Photo.reactionCounts': 0,
  'UserEdge.node': 1,
};

/** How many items a field reads per item of its parent; a field the schema does not know (refused by validation) reads nothing. */
export function fieldReads(
  field: FieldNode,
  parent: GraphQLNamedType | undefined,
  type: GraphQLOutputType | undefined,
  vars: Record<string, unknown>,
): number {
  if (!parent || !type) return 0;
  const id = `${parent.name}.${field.name.value}`;
  const listArg = LIST_ARGUMENT_FIELDS[id];
  if (listArg) {
    const v = argument(field, listArg, vars);
    return Array.isArray(v) ? v.length : 1;
  }
  if (id in FIELD_READS) return FIELD_READS[id]!;
  const named = getNamedType(type);
  if (named.name.endsWith('Connection')) return pageArgument(field, vars);
  if (parent.name.endsWith('Connection') || parent.name.endsWith('Edge')) return 0;
  if (!isCompositeType(named)) return 0;
  return isList(type) ? DEFAULT_PAGE_SIZE : 1;
}

function pageArgument(field: FieldNode, vars: Record<string, unknown>): number {
  const v = argument(field, 'first', vars);
  // A negative or fractional `first` is refused by the resolver before any read.
  return typeof v === 'number' && Number.isFinite(v) ? Math.max(0, v) : DEFAULT_PAGE_SIZE;
}

function argument(field: FieldNode, name: string, vars: Record<string, unknown>): unknown {
  const node = field.arguments?.find((a) => a.name.value === name)?.value;
  return node ? valueFromASTUntyped(node, vars) : undefined;
}
