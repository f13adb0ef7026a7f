// By-key reads project what the operation selects (src/data/users/projection.ts): the User fields
// a query selects anywhere (fragments and inline fragments included) are found once per operation
// node, which Apollo's document store hands back for the same query text, and set on the
// request's loaders before any resolver runs. Queries only: a mutation's reads feed its writes and
// the loader's corrections, a live query re-runs on its read set, a subscription shares loaders
// between subscribers; they read whole items.
import type { ApolloServerPlugin } from '@apollo/server';
import {
  Kind,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { userReadAttributes } from '../data/users/projection.js';
import type { Context } from './context.js';
import { fieldType, getNamedType } from './limits/schema-types.js';

const known = new WeakMap<OperationDefinitionNode, readonly string[] | null>();

/** The attributes by-key reads of this operation need; undefined for whole items. */
export function readAttributes(schema: GraphQLSchema, document: DocumentNode, op: OperationDefinitionNode): readonly string[] | undefined {
  if (op.operation !== 'query' || op.directives?.some((d) => d.name.value === 'live')) return undefined;
  let attrs = known.get(op);
  if (attrs === undefined) {
    attrs = userReadAttributes(userFields(schema, document, op)) ?? null;
    known.set(op, attrs);
  }
  return attrs ?? undefined;
}

function userFields(schema: GraphQLSchema, document: DocumentNode, op: OperationDefinitionNode): Set<string> {
  const fields = new Set<string>();
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode, parent: GraphQLNamedType | undefined): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (parent?.name === 'User') fields.add(sel.name.value);
        if (!sel.selectionSet) continue;
        const type = parent ? fieldType(schema, parent, sel.name.value) : undefined;
        walk(sel.selectionSet, type ? getNamedType(type) : undefined);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent);
      } else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const frag = fragments.get(sel.name.value);
        if (frag) walk(frag.selectionSet, schema.getType(frag.typeCondition.name.value));
      }
    }
  };
  walk(op.selectionSet, schema.getRootType(op.operation) ?? undefined);
  return fields;
}

/** Apollo plugin: sets the request's by-key projection once the operation is resolved. */
export function projectionPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, schema, contextValue }) {
          if (!operation || !contextValue.loaders) return;
          const attributes = readAttributes(schema, document, operation);
          if (attributes) contextValue.loaders.attributes = attributes;
        },
      };
    },
  };
}
