// The limits after validation: the operation is measured once and refused, naming the first limit
// it exceeds, before any resolver runs.
import { Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { LIMITS, limitError, type Limits } from './limits.js';
import { measureOperation, type OperationMeasure } from './measure.js';

/** Checks an operation against the limits; throws BAD_USER_INPUT naming the first limit it exceeds. */
export function checkOperation(m: OperationMeasure, limits: Limits = LIMITS): void {
  const over = (message: string, limit: keyof Limits, value: number) => {
    // A product of huge page sizes can pass the largest exact integer; report it capped.
    throw limitError(message, limit, Math.min(value, Number.MAX_SAFE_INTEGER), limits[limit]);
  };
  if (m.depth > limits.maxDepth) over(`The operation is ${m.depth} levels deep; the limit is ${limits.maxDepth}.`, 'maxDepth', m.depth);
  if (m.aliases > limits.maxAliases)
    over(`The operation uses ${m.aliases} aliases; the limit is ${limits.maxAliases}.`, 'maxAliases', m.aliases);
  if (m.rootFields > limits.maxRootFields)
    over(`The operation selects ${m.rootFields} root fields; the limit is ${limits.maxRootFields}.`, 'maxRootFields', m.rootFields);
  if (m.cost > limits.maxCost) {
    const cost = Math.min(m.cost, Number.MAX_SAFE_INTEGER);
    over(`The operation may read ${cost} items; the limit is ${limits.maxCost}. Ask for smaller pages.`, 'maxCost', cost);
  }
  if (m.introspection > limits.maxIntrospection)
    over(`The introspection resolves more than ${limits.maxIntrospection} fields, the limit.`, 'maxIntrospection', m.introspection);
}

/** Measures and checks one operation of a parsed document: for every transport through admitOperation (../operation.ts). */
export function checkDocument(
  operation: OperationDefinitionNode,
  document: DocumentNode,
  variables: Record<string, unknown>,
  schema: GraphQLSchema,
  limits: Limits = LIMITS,
): void {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  checkOperation(measureOperation(operation, fragments, variables, schema, limits.maxIntrospection), limits);
}
