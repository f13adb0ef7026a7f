// graphql-codegen plugin: the trusted documents of sdk/operations/*.graphql (README "Trusted
// documents"). Each operation's document is the operation followed by every fragment it uses,
// directly or through other fragments, sorted by name, printed by graphql-js's `print` (so
// whitespace and comments in the .graphql files never change it). Its id is "sha256:" and the
// lowercase hex SHA-256 of that text's UTF-8 bytes, the GraphQL-over-HTTP draft's documentId.
// The SDK sends exactly this text (or only its id), so what the server holds is what it is sent.
//   config.format: manifest -> JSON { "<id>": "<document>" } for the server
//                  sdk      -> TypeScript { <OperationName>: { id, document } } for the SDK
import { createHash } from 'node:crypto';
import { Kind, print, visit } from 'graphql';

export function trustedDocuments(documents) {
  const fragments = new Map();
  const operations = [];
  for (const file of documents) {
    for (const def of file.document?.definitions ?? []) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
      else if (def.kind === Kind.OPERATION_DEFINITION) operations.push(def);
    }
  }
  const spreads = (node) => {
    const names = new Set();
    visit(node, { FragmentSpread: (s) => void names.add(s.name.value) });
    return names;
  };
  return operations
    .map((op) => {
      if (!op.name) throw new Error('Every SDK operation needs a name: it is the key of its trusted document.');
      const used = new Set();
      const pending = [...spreads(op)];
      while (pending.length) {
        const name = pending.pop();
        if (used.has(name)) continue;
        const fragment = fragments.get(name);
        if (!fragment) throw new Error(`${op.name.value} uses the unknown fragment ${name}.`);
        used.add(name);
        pending.push(...spreads(fragment));
      }
      const definitions = [op, ...[...used].sort().map((n) => fragments.get(n))];
      const document = print({ kind: Kind.DOCUMENT, definitions });
      const id = `sha256:${createHash('sha256').update(document, 'utf8').digest('hex')}`;
      return { name: op.name.value, id, document };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

export const plugin = (_schema, documents, config) => {
  const docs = trustedDocuments(documents);
  if (config.format === 'manifest') return `${JSON.stringify(Object.fromEntries(docs.map((d) => [d.id, d.document])), null, 2)}\n`;
  if (config.format !== 'sdk') throw new Error(`format must be manifest or sdk, got ${config.format}`);
  const lines = docs.map((d) => `  ${d.name}: { id: ${JSON.stringify(d.id)}, document: ${JSON.stringify(d.document)} },`);
  return [
    '/** Each SDK operation, by name: the exact document the SDK sends, and its id ("sha256:" + the hex SHA-256 of its UTF-8 bytes). */',
    'export const trustedDocuments = {',
    ...lines,
    '} as const;',
    '',
  ].join('\n');
};
