// Query limits checked after parsing and validation, before any resolver runs, so an expensive
// or abusive operation costs no DynamoDB call. The cost counts the items an operation may read:
// a connection of first: 100 under a connection of first: 100 is 10,000 items, not two fields.
import type { ApolloServerPlugin } from '@apollo/server';
import {
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { AppError } from './errors.js';
import { DEFAULT_PAGE_SIZE } from './data/pagination.js';

export const LIMITS = { maxDepth: 12, maxAliases: 30, maxCost: 5_000, maxRootFields: 20 };

export interface OperationMeasure {
  depth: number;
  aliases: number;
  cost: number;
}

/** Fields whose size comes from a list argument rather than `first`. */
const LIST_ARGUMENT_FIELDS: Record<string, string> = { users: 'usernames' };

export function measureOperation(
  op: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> = {},
): OperationMeasure {
  let aliases = 0;
  const walk = (set: SelectionSetNode, depth: number, seen: Set<string>): { depth: number; cost: number } => {
    let maxDepth = depth;
    let cost = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) aliases++;
        const size = listSize(sel, variables);
        cost += size;
        if (sel.selectionSet) {
          const inner = walk(sel.selectionSet, depth + 1, seen);
          maxDepth = Math.max(maxDepth, inner.depth);
          cost += Math.max(size, 1) * inner.cost;
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const inner = walk(sel.selectionSet, depth, seen);
        maxDepth = Math.max(maxDepth, inner.depth);
        cost += inner.cost;
      } else {
        const name = sel.name.value;
        const frag = fragments[name];
        if (!frag || seen.has(name)) continue;
        const inner = walk(frag.selectionSet, depth, new Set([...seen, name]));
        maxDepth = Math.max(maxDepth, inner.depth);
        cost += inner.cost;
      }
    }
    return { depth: maxDepth, cost };
  };
  const { depth, cost } = walk(op.selectionSet, 0, new Set());
  return { depth, aliases, cost };
}

/** How many items a field may return: `first` on connections, the list length on batch fields, else 0 (a scalar or single object costs nothing extra). */
function listSize(field: FieldNode, variables: Record<string, unknown>): number {
  const listArg = LIST_ARGUMENT_FIELDS[field.name.value];
  const args = field.arguments ?? [];
  if (listArg) {
    const v = valueOf(args.find((a) => a.name.value === listArg)?.value, variables);
    return Array.isArray(v) ? v.length : 1;
  }
  const first = args.find((a) => a.name.value === 'first');
  if (first) {
    const v = valueOf(first.value, variables);
    return typeof v === 'number' ? v : DEFAULT_PAGE_SIZE;
  }
  if (field.selectionSet && (field.name.value === 'edges' || field.name.value === 'node')) return 0;
  // A connection asked for without `first` gets the default page.
  if (field.selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'edges')) return DEFAULT_PAGE_SIZE;
  return field.selectionSet ? 1 : 0;
}

function valueOf(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables[node.name.value];
    case Kind.INT:
      return Number(node.value);
    case Kind.LIST:
      return node.values.map((v) => valueOf(v, variables));
    default:
      return undefined;
  }
}

function limitError(message: string, limit: string, value: number, max: number): AppError {
  return new AppError('BAD_USER_INPUT', message, { limit, value, max, http: { status: 400 } });
}

export function queryLimitsPlugin(limits = LIMITS): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
          if (!operation) return;
          const m = measureOperation(operation, fragments, request.variables ?? {});
          if (m.depth > limits.maxDepth) throw limitError(`The operation is ${m.depth} levels deep; the limit is ${limits.maxDepth}.`, 'maxDepth', m.depth, limits.maxDepth);
          if (m.aliases > limits.maxAliases) throw limitError(`The operation uses ${m.aliases} aliases; the limit is ${limits.maxAliases}.`, 'maxAliases', m.aliases, limits.maxAliases);
          if (m.cost > limits.maxCost) {
            throw limitError(`The operation may read ${m.cost} items; the limit is ${limits.maxCost}. Ask for smaller pages.`, 'maxCost', m.cost, limits.maxCost);
          }
        },
      };
    },
  };
}
