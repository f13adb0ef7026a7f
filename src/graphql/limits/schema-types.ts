// Schema types told apart by their toStringTag, not instanceof: a test runner may load two copies
// of graphql (Apollo's and ours), and graphql-js refuses a type from the other copy.
import type {
  GraphQLAbstractType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLOutputType,
  GraphQLSchema,
  GraphQLType,
} from 'graphql';

const tag = (t: unknown): string | undefined => (t as { [Symbol.toStringTag]?: string } | undefined)?.[Symbol.toStringTag];
export const isObjectType = (t: unknown): t is GraphQLObjectType => tag(t) === 'GraphQLObjectType';
export const isInterfaceType = (t: unknown): t is GraphQLInterfaceType => tag(t) === 'GraphQLInterfaceType';
export const isAbstractType = (t: unknown): t is GraphQLAbstractType => isInterfaceType(t) || tag(t) === 'GraphQLUnionType';
export const isCompositeType = (t: unknown): boolean => isObjectType(t) || isAbstractType(t);
export const isEnumType = (t: unknown): t is GraphQLEnumType => tag(t) === 'GraphQLEnumType';
export const isInputObjectType = (t: unknown): t is GraphQLInputObjectType => tag(t) === 'GraphQLInputObjectType';
export const isWrappingType = (t: unknown): t is { ofType: GraphQLType } => tag(t) === 'GraphQLList' || tag(t) === 'GraphQLNonNull';

export function isList(type: GraphQLOutputType): boolean {
  const inner = tag(type) === 'GraphQLNonNull' ? (type as { ofType: GraphQLType }).ofType : type;
  return tag(inner) === 'GraphQLList';
}

export function getNamedType(t: GraphQLType): GraphQLNamedType {
  let named: GraphQLType = t;
  while (isWrappingType(named)) named = named.ofType;
  return named as GraphQLNamedType;
}

/** The type of `parent.name`, or undefined for __typename and for a field the parent does not have. */
export function fieldType(schema: GraphQLSchema, parent: GraphQLNamedType, name: string): GraphQLOutputType | undefined {
  if (name === '__schema') return schema.getType('__Schema') as GraphQLOutputType;
  if (name === '__type') return schema.getType('__Type') as GraphQLOutputType;
  if (name === '__typename') return undefined;
  if (!isObjectType(parent) && !isInterfaceType(parent)) return undefined;
  return parent.getFields()[name]?.type;
}
