// Stands in for @apollo/usage-reporting-protobuf in the Lambda bundle. Only Apollo's usage
// reporting (APOLLO_KEY) and inline tracing (federated subgraphs) load it, and this server uses
// neither; bundled, it was a tenth of the JavaScript every cold start parses. Reaching it says so.
module.exports = new Proxy(
  {},
  {
    get(_, name) {
      throw new Error(
        `@apollo/usage-reporting-protobuf (${String(name)}) is not bundled: Apollo usage reporting and inline tracing are not supported in the Lambda.`,
      );
    },
  },
);
