// Relay's compiler finds the `graphql` tagged templates in these files by the tag's name. In a
// React app the tag comes from react-relay and babel-plugin-relay swaps each one for its generated
// artifact; this example has no bundler, so the tag only keeps the text (the test compiles these
// files and runs the generated queries: test/integration/relay.test.ts).
export const graphql = (strings: TemplateStringsArray): string => strings.join('');
