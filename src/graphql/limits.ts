// Query limits checked before any resolver runs, so an expensive or abusive operation costs no
// DynamoDB call. The token count is checked before parsing (parsing and validating a huge document
// is itself the attack; see documentTooLarge); depth, aliases, root fields, cost and introspection
// size after validation. The cost counts
// the items an operation may read, field by field: a connection of first: 100 under a connection
// of first: 100 is 10,000 items, not two fields.
import type { ApolloServerPlugin } from '@apollo/server';
import {
  Kind,
  Lexer,
  Source,
  TokenKind,
  valueFromASTUntyped,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLAbstractType,
  type GraphQLEnumType,
  type GraphQLInputObjectType,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationTypeNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { AppError } from '../errors.js';
import { recordLimitRefusal } from '../observe/metrics.js';
import { DEFAULT_PAGE_SIZE } from '../data/dynamo/pagination.js';

export interface Limits {
  /** Lexical tokens in the document, checked before parsing. */
  maxTokens: number;
  /** Nested selection sets (fragments do not add a level). */
  maxDepth: number;
  maxAliases: number;
  /** Fields selected at the root, counting each aliased copy. */
  maxRootFields: number;
  /** Items the operation may read from DynamoDB, counted as described above. */
  maxCost: number;
  /** Fields introspection may resolve (it reads no table, but nested lists of types grow fast). */
  maxIntrospection: number;
}

export const LIMITS: Limits = {
  maxTokens: 3_000,
  maxDepth: 12,
  maxAliases: 30,
  maxRootFields: 20,
  maxCost: 5_000,
  maxIntrospection: 10_000,
};

export interface OperationMeasure {
  /** Nesting of data fields; introspection's own levels (its ofType chains) are bounded by maxIntrospection instead. */
  depth: number;
  aliases: number;
  rootFields: number;
  cost: number;
  introspection: number;
}

/** Fields whose size comes from a list argument rather than `first`. */
const LIST_ARGUMENT_FIELDS: Record<string, string> = { 'Query.users': 'usernames' };

/**
 * Reads a field makes per parent item when the default rule (below) is wrong: an object embedded
 * in its parent's item reads nothing; a follow edge's node is a profile read by key.
 */
const FIELD_READS: Record<string, number> = {
  'Photo.reactionCounts': 0,
  'UserEdge.node': 1,
};

type Measure = OperationMeasure;

/**
 * Measures an operation. With the schema, each field's reads come from its type: a connection
 * reads `first` (default 20) items, a list field its argument's length, an object field one item
 * by key, an edge or a connection's own fields nothing more; without it, from the field's shape.
 * A fragment is measured once however often it is spread, so a fragment "bomb" costs linear time.
 */
export function measureOperation(
  op: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> = {},
  schema?: GraphQLSchema,
  introspectionCap = LIMITS.maxIntrospection,
): OperationMeasure {
  const vars = withDefaults(op, variables);
  const memo = new Map<string, Measure>();
  const inProgress = new Set<string>();

  const walk = (set: SelectionSetNode, parent: GraphQLNamedType | undefined): Measure => {
    const m: Measure = { depth: 0, aliases: 0, rootFields: 0, cost: 0, introspection: 0 };
    for (const sel of set.selections) {
      let inner: Measure;
      if (sel.kind === Kind.FIELD) {
        m.rootFields += 1;
        if (sel.alias) m.aliases += 1;
        const name = sel.name.value;
        if (name === '__schema' || name === '__type') {
          // Introspection reads no table; what it costs is the size of its answer, counted exactly.
          m.introspection += schema ? countIntrospection(schema, sel, fragments, vars, introspectionCap) : 1;
          m.aliases += sel.selectionSet ? countAliases(sel.selectionSet, fragments) : 0;
          continue;
        }
        const type = schema && parent ? fieldType(schema, parent, name) : undefined;
        const reads = fieldReads(sel, parent, type, vars);
        m.cost += reads;
        if (!sel.selectionSet) continue;
        const child = walk(sel.selectionSet, type ? getNamedType(type) : undefined);
        m.depth = Math.max(m.depth, child.depth + 1);
        m.aliases += child.aliases;
        m.cost += Math.max(reads, 1) * child.cost;
        continue;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const cond = sel.typeCondition && schema ? schema.getType(sel.typeCondition.name.value) : undefined;
        inner = walk(sel.selectionSet, cond ?? parent);
      } else {
        const name = sel.name.value;
        const frag = fragments[name];
        // Validation refuses fragment cycles; the guard keeps this function total on its own.
        if (!frag || inProgress.has(name)) continue;
        let known = memo.get(name);
        if (!known) {
          inProgress.add(name);
          known = walk(frag.selectionSet, schema?.getType(frag.typeCondition.name.value) ?? parent);
          inProgress.delete(name);
          memo.set(name, known);
        }
        inner = known;
      }
      m.depth = Math.max(m.depth, inner.depth);
      m.aliases += inner.aliases;
      m.rootFields += inner.rootFields;
      m.cost += inner.cost;
      m.introspection += inner.introspection;
    }
    return m;
  };
  const aliasMemo = new Map<string, number>();
  const countAliases = (set: SelectionSetNode, frags: Record<string, FragmentDefinitionNode>): number => {
    let n = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) n += (sel.alias ? 1 : 0) + (sel.selectionSet ? countAliases(sel.selectionSet, frags) : 0);
      else if (sel.kind === Kind.INLINE_FRAGMENT) n += countAliases(sel.selectionSet, frags);
      else {
        const frag = frags[sel.name.value];
        if (!frag || inProgress.has(sel.name.value)) continue;
        let known = aliasMemo.get(sel.name.value);
        if (known === undefined) {
          inProgress.add(sel.name.value);
          known = countAliases(frag.selectionSet, frags);
          inProgress.delete(sel.name.value);
          aliasMemo.set(sel.name.value, known);
        }
        n += known;
      }
    }
    return n;
  };
  return walk(op.selectionSet, schema?.getRootType(op.operation) ?? undefined);
}

type IntrospectionKind = '__Schema' | '__Type' | '__Field' | '__InputValue' | '__EnumValue' | '__Directive';

class OverBudget extends Error {}

/**
 * Counts the fields introspection would resolve, exactly, by walking the selection over the
 * schema itself, and gives up once past `cap`, so the count costs at most `cap` steps.
 */
function countIntrospection(
  schema: GraphQLSchema,
  field: FieldNode,
  fragments: Record<string, FragmentDefinitionNode>,
  vars: Record<string, unknown>,
  cap: number,
): number {
  let units = 0;
  const visit = (set: SelectionSetNode, kind: IntrospectionKind, value: unknown) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (++units > cap) throw new OverBudget();
        const next = sel.selectionSet ? introspectionChildren(schema, kind, value, sel.name.value) : undefined;
        if (next) for (const v of next.values) visit(sel.selectionSet!, next.kind, v);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet, kind, value);
      else {
        const frag = fragments[sel.name.value];
        if (frag) visit(frag.selectionSet, kind, value);
      }
    }
  };
  try {
    if (!field.selectionSet) return 1;
    if (field.name.value === '__schema') visit(field.selectionSet, '__Schema', schema);
    else {
      const name = argument(field, 'name', vars);
      const type = typeof name === 'string' ? schema.getType(name) : undefined;
      if (type) visit(field.selectionSet, '__Type', type);
    }
    return units + 1;
  } catch (err) {
    if (err instanceof OverBudget) return units;
    throw err;
  }
}

/** What an introspection field resolves to over this schema, as graphql-js's introspection types do. */
function introspectionChildren(
  schema: GraphQLSchema,
  kind: IntrospectionKind,
  value: unknown,
  field: string,
): { kind: IntrospectionKind; values: readonly unknown[] } | undefined {
  const t = value as GraphQLType;
  switch (`${kind}.${field}`) {
    case '__Schema.types':
      return { kind: '__Type', values: Object.values(schema.getTypeMap()) };
    case '__Schema.queryType':
    case '__Schema.mutationType':
    case '__Schema.subscriptionType': {
      const root = schema.getRootType(field.replace('Type', '') as OperationTypeNode);
      return { kind: '__Type', values: root ? [root] : [] };
    }
    case '__Schema.directives':
      return { kind: '__Directive', values: schema.getDirectives() };
    case '__Type.fields':
      return { kind: '__Field', values: isObjectType(t) || isInterfaceType(t) ? Object.values(t.getFields()) : [] };
    case '__Type.interfaces':
      return { kind: '__Type', values: isObjectType(t) || isInterfaceType(t) ? t.getInterfaces() : [] };
    case '__Type.possibleTypes':
      return { kind: '__Type', values: isAbstractType(t) ? schema.getPossibleTypes(t) : [] };
    case '__Type.enumValues':
      return { kind: '__EnumValue', values: isEnumType(t) ? t.getValues() : [] };
    case '__Type.inputFields':
      return { kind: '__InputValue', values: isInputObjectType(t) ? Object.values(t.getFields()) : [] };
    case '__Type.ofType':
      return { kind: '__Type', values: isWrappingType(t) ? [t.ofType] : [] };
    case '__Field.args':
    case '__Directive.args':
      return { kind: '__InputValue', values: (value as { args: readonly unknown[] }).args };
    case '__Field.type':
    case '__InputValue.type':
      return { kind: '__Type', values: [(value as { type: GraphQLType }).type] };
    default:
      return undefined;
  }
}

// Schema types are told apart by their toStringTag, not instanceof: a test runner may load two
// copies of graphql (Apollo's and ours), and graphql-js refuses a type from the other copy.
const tag = (t: unknown): string | undefined => (t as { [Symbol.toStringTag]?: string } | undefined)?.[Symbol.toStringTag];
const isObjectType = (t: unknown): t is GraphQLObjectType => tag(t) === 'GraphQLObjectType';
const isInterfaceType = (t: unknown): t is GraphQLInterfaceType => tag(t) === 'GraphQLInterfaceType';
const isAbstractType = (t: unknown): t is GraphQLAbstractType => isInterfaceType(t) || tag(t) === 'GraphQLUnionType';
const isCompositeType = (t: unknown): boolean => isObjectType(t) || isAbstractType(t);
const isEnumType = (t: unknown): t is GraphQLEnumType => tag(t) === 'GraphQLEnumType';
const isInputObjectType = (t: unknown): t is GraphQLInputObjectType => tag(t) === 'GraphQLInputObjectType';
const isWrappingType = (t: unknown): t is { ofType: GraphQLType } => tag(t) === 'GraphQLList' || tag(t) === 'GraphQLNonNull';

function getNamedType(t: GraphQLType): GraphQLNamedType {
  let named: GraphQLType = t;
  while (isWrappingType(named)) named = named.ofType;
  return named as GraphQLNamedType;
}

function fieldType(schema: GraphQLSchema, parent: GraphQLNamedType, name: string): GraphQLOutputType | undefined {
  if (name === '__schema') return schema.getType('__Schema') as GraphQLOutputType;
  if (name === '__type') return schema.getType('__Type') as GraphQLOutputType;
  if (name === '__typename') return undefined;
  if (!isObjectType(parent) && !isInterfaceType(parent)) return undefined;
  return parent.getFields()[name]?.type;
}

/** How many items a field reads per item of its parent. */
function fieldReads(
  field: FieldNode,
  parent: GraphQLNamedType | undefined,
  type: GraphQLOutputType | undefined,
  vars: Record<string, unknown>,
): number {
  const name = field.name.value;
  const id = parent ? `${parent.name}.${name}` : name;
  const listArg = LIST_ARGUMENT_FIELDS[id] ?? (parent ? undefined : LIST_ARGUMENT_FIELDS[`Query.${name}`]);
  if (listArg) {
    const v = argument(field, listArg, vars);
    return Array.isArray(v) ? v.length : 1;
  }
  if (id in FIELD_READS) return FIELD_READS[id]!;
  if (type) {
    const named = getNamedType(type);
    if (named.name.endsWith('Connection')) return pageArgument(field, vars);
    if (parent && (parent.name.endsWith('Connection') || parent.name.endsWith('Edge'))) return 0;
    if (!isCompositeType(named)) return 0;
    return isList(type) ? DEFAULT_PAGE_SIZE : 1;
  }
  // No schema: judge by shape.
  if (field.arguments?.some((a) => a.name.value === 'first')) return pageArgument(field, vars);
  if (name === 'edges' || name === 'node' || name === 'pageInfo') return 0;
  if (field.selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'edges')) return DEFAULT_PAGE_SIZE;
  return field.selectionSet ? 1 : 0;
}

function isList(type: GraphQLOutputType): boolean {
  const inner = tag(type) === 'GraphQLNonNull' ? (type as { ofType: GraphQLType }).ofType : type;
  return tag(inner) === 'GraphQLList';
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

/** The variables as execution will see them: a variable left out takes its declared default. */
function withDefaults(op: OperationDefinitionNode, variables: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...variables };
  for (const def of op.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (out[name] === undefined && def.defaultValue) out[name] = valueFromASTUntyped(def.defaultValue, {});
  }
  return out;
}

/** Counts the document's tokens, stopping at max + 1; a lexical error stops the count and is left to the parser to report. */
export function countTokens(source: string, max: number): number {
  const lexer = new Lexer(new Source(source));
  let n = 0;
  try {
    while (n <= max && lexer.advance().kind !== TokenKind.EOF) n++;
  } catch {
    return n;
  }
  return n;
}

/**
 * The token limit, for the HTTP layer to apply before Apollo parses anything (a plugin cannot
 * refuse a request before parsing with a 400). Apollo's parser enforces the same limit as a
 * backstop, failing with GRAPHQL_PARSE_FAILED.
 */
export function documentTooLarge(query: unknown, limits: Limits = LIMITS): AppError | undefined {
  if (typeof query !== 'string') return undefined;
  const tokens = countTokens(query, limits.maxTokens);
  if (tokens <= limits.maxTokens) return undefined;
  return limitError(`The document has more than ${limits.maxTokens} tokens, the limit.`, 'maxTokens', tokens, limits.maxTokens);
}

function limitError(message: string, limit: keyof Limits, value: number, max: number): AppError {
  recordLimitRefusal(limit);
  return new AppError('BAD_USER_INPUT', message, { limit, value, max, http: { status: 400 } });
}

/** Checks an operation against the limits; throws BAD_USER_INPUT naming the first limit it exceeds. */
export function checkOperation(m: OperationMeasure, limits: Limits = LIMITS): void {
  if (m.depth > limits.maxDepth)
    throw limitError(`The operation is ${m.depth} levels deep; the limit is ${limits.maxDepth}.`, 'maxDepth', m.depth, limits.maxDepth);
  if (m.aliases > limits.maxAliases)
    throw limitError(
      `The operation uses ${m.aliases} aliases; the limit is ${limits.maxAliases}.`,
      'maxAliases',
      m.aliases,
      limits.maxAliases,
    );
  if (m.rootFields > limits.maxRootFields) {
    throw limitError(
      `The operation selects ${m.rootFields} root fields; the limit is ${limits.maxRootFields}.`,
      'maxRootFields',
      m.rootFields,
      limits.maxRootFields,
    );
  }
  if (m.cost > limits.maxCost) {
    const cost = Math.min(m.cost, Number.MAX_SAFE_INTEGER);
    throw limitError(
      `The operation may read ${cost} items; the limit is ${limits.maxCost}. Ask for smaller pages.`,
      'maxCost',
      cost,
      limits.maxCost,
    );
  }
  if (m.introspection > limits.maxIntrospection) {
    const n = Math.min(m.introspection, Number.MAX_SAFE_INTEGER);
    throw limitError(
      `The introspection resolves more than ${limits.maxIntrospection} fields, the limit.`,
      'maxIntrospection',
      n,
      limits.maxIntrospection,
    );
  }
}

export function queryLimitsPlugin(limits: Limits = LIMITS): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (!operation) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
          checkOperation(measureOperation(operation, fragments, request.variables ?? {}, schema, limits.maxIntrospection), limits);
        },
      };
    },
  };
}
