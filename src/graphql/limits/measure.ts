// Measures an operation for the limits in one walk: depth, aliases, root fields, the items it may
// read (the cost: a connection of first: 100 under a connection of first: 100 is 10,000 items, not
// two fields; see reads.ts) and the size of any introspection (introspection.ts).
import {
  Kind,
  valueFromASTUntyped,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { countIntrospection } from './introspection.js';
import { LIMITS } from './limits.js';
import { fieldReads } from './reads.js';
import { fieldType, getNamedType } from './schema-types.js';

export interface OperationMeasure {
  /** Nesting of data fields; introspection's own levels (its ofType chains) are bounded by maxIntrospection instead. */
  depth: number;
  aliases: number;
  rootFields: number;
  cost: number;
  introspection: number;
}

/**
 * Measures an operation over the schema it was validated against. A fragment is measured once
 * however often it is spread, so a fragment "bomb" costs linear time.
 */
export function measureOperation(
  op: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  schema: GraphQLSchema,
  introspectionCap = LIMITS.maxIntrospection,
  /** Collects the names of the variables the measure read (check.ts keeps a measure by their values). */
  read?: Set<string>,
): OperationMeasure {
  const all = withDefaults(op, variables);
  const vars = read ? new Proxy(all, { get: (t, name) => (typeof name === 'string' ? (read.add(name), t[name]) : undefined) }) : all;
  const memo = new Map<string, OperationMeasure>();
  const inProgress = new Set<string>();

  const walk = (set: SelectionSetNode, parent: GraphQLNamedType | undefined): OperationMeasure => {
    const m: OperationMeasure = { depth: 0, aliases: 0, rootFields: 0, cost: 0, introspection: 0 };
    for (const sel of set.selections) {
      let inner: OperationMeasure;
      if (sel.kind === Kind.FIELD) {
        m.rootFields += 1;
        if (sel.alias) m.aliases += 1;
        const name = sel.name.value;
        if (name === '__schema' || name === '__type') {
          m.introspection += countIntrospection(schema, sel, fragments, vars, introspectionCap);
          m.aliases += sel.selectionSet ? countAliases(sel.selectionSet) : 0;
          continue;
        }
        const type = parent ? fieldType(schema, parent, name) : undefined;
        const reads = fieldReads(sel, parent, type, vars);
        m.cost += reads;
        if (!sel.selectionSet) continue;
        const child = walk(sel.selectionSet, type ? getNamedType(type) : undefined);
        m.depth = Math.max(m.depth, child.depth + 1);
        m.aliases += child.aliases;
        m.cost += Math.max(reads, 1) * child.cost;
        continue;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const cond = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : undefined;
        inner = walk(sel.selectionSet, cond ?? parent);
      } else {
        const name = sel.name.value;
        const frag = fragments[name];
        // Validation refuses fragment cycles; the guard keeps this function total on its own.
        if (!frag || inProgress.has(name)) continue;
        let known = memo.get(name);
        if (!known) {
          inProgress.add(name);
          known = walk(frag.selectionSet, schema.getType(frag.typeCondition.name.value) ?? parent);
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
  // Introspection's aliases count towards maxAliases too, though its fields are counted apart.
  const aliasMemo = new Map<string, number>();
  const countAliases = (set: SelectionSetNode): number => {
    let n = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) n += (sel.alias ? 1 : 0) + (sel.selectionSet ? countAliases(sel.selectionSet) : 0);
      else if (sel.kind === Kind.INLINE_FRAGMENT) n += countAliases(sel.selectionSet);
      else {
        const frag = fragments[sel.name.value];
        if (!frag || inProgress.has(sel.name.value)) continue;
        let known = aliasMemo.get(sel.name.value);
        if (known === undefined) {
          inProgress.add(sel.name.value);
          known = countAliases(frag.selectionSet);
          inProgress.delete(sel.name.value);
          aliasMemo.set(sel.name.value, known);
        }
        n += known;
      }
    }
    return n;
  };
  return walk(op.selectionSet, schema.getRootType(op.operation) ?? undefined);
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
