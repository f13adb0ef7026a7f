// GraphiQL learns a tab's operation name and parsed document 100 ms after the tab's text changes
// (a debounced parse), so running right after switching tabs sends the previous tab's name with
// the new tab's document and the server answers "Unknown operation named ...". Worse for a
// subscription: the fetcher decides between HTTP and WebSocket from that stale name and document.
// So the page works both out from the text it is about to send.
import { Kind, OperationTypeNode, parse, type DocumentNode } from 'graphql';

/**
 * The operation name to send with `query`: `name` if the document defines it, else the name of
 * its only operation, else undefined.
 */
export function definedOperationName(query: string, name: string | null | undefined): string | undefined {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    // Unparseable: send it as it is, so the server reports the syntax error.
    return name ?? undefined;
  }
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (name && operations.some((d) => d.name?.value === name)) return name;
  return operations.length === 1 ? operations[0]!.name?.value : undefined;
}

/** The document as it is now (not as GraphiQL last parsed it), or undefined when it does not parse. */
export function currentDocument(query: string): DocumentNode | undefined {
  try {
    return parse(query);
  } catch {
    return undefined;
  }
}

/**
 * The document GraphiQL's fetcher should route by: the toolkit sends only subscriptions over
 * WebSocket, and a `query … @live` must go there too, so its operation is shown to the fetcher as a
 * subscription (the text sent is unchanged, so the server still sees the @live query).
 */
export function routingDocument(document: DocumentNode | undefined, name: string | undefined): DocumentNode | undefined {
  if (!document) return document;
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const chosen = name ? operations.find((d) => d.name?.value === name) : operations.length === 1 ? operations[0] : undefined;
  if (!chosen || chosen.operation !== 'query' || !chosen.directives?.some((d) => d.name.value === 'live')) return document;
  return {
    ...document,
    definitions: document.definitions.map((d) => (d === chosen ? { ...chosen, operation: OperationTypeNode.SUBSCRIPTION } : d)),
  };
}
