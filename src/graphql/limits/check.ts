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
  checkOperation(measureOf(operation, document, variables, schema, limits.maxIntrospection), limits);
}

// Apollo keeps one parsed, validated document per query text (its document store), so the same
// operation node comes back request after request. Its measure is kept with it, by the values of
// the variables the measure read (page sizes, list lengths: not a cursor), for a few such sets.
interface Measured {
  schema: GraphQLSchema;
  cap: number;
  names: readonly string[];
  values: string;
  measure: OperationMeasure;
}
const measured = new WeakMap<OperationDefinitionNode, Measured[]>();
const KEPT_PER_OPERATION = 8;

const valuesOf = (names: readonly string[], variables: Record<string, unknown>) =>
  names.map((n) => (variables[n] === undefined ? '~' : JSON.stringify(variables[n]))).join('\u0000');

function measureOf(
  operation: OperationDefinitionNode,
  document: DocumentNode,
  variables: Record<string, unknown>,
  schema: GraphQLSchema,
  cap: number,
): OperationMeasure {
  const kept = measured.get(operation) ?? [];
  for (const m of kept) if (m.schema === schema && m.cap === cap && m.values === valuesOf(m.names, variables)) return m.measure;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const read = new Set<string>();
  const measure = measureOperation(operation, fragments, variables, schema, cap, read);
  const names = [...read];
  kept.unshift({ schema, cap, names, values: valuesOf(names, variables), measure });
  measured.set(operation, kept.slice(0, KEPT_PER_OPERATION));
  return measure;
}
