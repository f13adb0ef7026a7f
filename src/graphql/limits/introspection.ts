// What introspection costs: it reads no table, but the size of its answer is what a client can
// inflate, so its fields are counted exactly over the schema itself, up to a cap.
import {
  Kind,
  valueFromASTUntyped,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type GraphQLType,
  type OperationTypeNode,
  type SelectionSetNode,
} from 'graphql';
import { isAbstractType, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isWrappingType } from './schema-types.js';

type IntrospectionKind = '__Schema' | '__Type' | '__Field' | '__InputValue' | '__EnumValue' | '__Directive';

class OverBudget extends Error {}

/**
 * Counts the fields introspection would resolve, exactly, by walking the selection over the
 * schema itself, and gives up once past `cap`, so the count costs at most `cap` steps.
 */
export function countIntrospection(
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
      const node = field.arguments?.find((a) => a.name.value === 'name')?.value;
      const name = node ? valueFromASTUntyped(node, vars) : undefined;
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
