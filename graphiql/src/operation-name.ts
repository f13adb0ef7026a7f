// GraphiQL learns a tab's operation name 100 ms after the tab's text changes (a debounced parse),
// so running right after switching tabs sends the previous tab's name with the new tab's document
// and the server answers "Unknown operation named ...". A name the document does not define is
// dropped, which lets a one-operation document run as the user expects.
import { Kind, parse } from 'graphql';

/** The operation name to send with `query`: `name` if the document defines it, else undefined. */
export function definedOperationName(query: string, name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  try {
    const defined = parse(query).definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name);
    return defined ? name : undefined;
  } catch {
    // Unparseable: send it as it is, so the server reports the syntax error.
    return name;
  }
}
