// The GraphiQL playground: GraphiQL 5 on React 19, with Monaco's workers bundled by vite (no CDN).
// The server injects window.__GRAPHIQL_CONFIG__ into index.html: the endpoint, and locally a demo
// user's token for the header editor.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { defaultHeaders, examples } from './examples';
import { currentDocument, definedOperationName, routingDocument } from './operation-name';
import { subscriptionUrl } from './subscription-url';

interface GraphiQLConfig {
  endpoint: string;
  authorization: string | null;
  demoUser: string | null;
}

declare global {
  interface Window {
    __GRAPHIQL_CONFIG__?: Partial<GraphiQLConfig>;
  }
}

// Without the server's script (e.g. index.html opened from `vite preview`), talk to /graphql anonymously.
const injected = window.__GRAPHIQL_CONFIG__ ?? {};
const config: GraphiQLConfig = {
  endpoint: injected.endpoint ?? '/graphql',
  authorization: injected.authorization ?? null,
  demoUser: injected.demoUser ?? null,
};

// Subscriptions (and @live queries) go over graphql-ws (bundled by vite from the toolkit's dynamic import) with the
// token in connection_init. GraphiQL merges the header editor's headers over these params, and
// they use the same "Authorization" key, so a token typed in Headers wins over the demo one.
const post = createGraphiQLFetcher({
  url: config.endpoint,
  subscriptionUrl: subscriptionUrl(config.endpoint, window.location.href),
  wsConnectionParams: config.authorization ? { Authorization: config.authorization } : undefined,
});
// A @live query is routed like a subscription: over the WebSocket, its results arriving one by one.
const fetcher: Fetcher = (params, opts) => {
  const operationName = definedOperationName(params.query, params.operationName);
  return post(
    { ...params, operationName },
    { ...opts, documentAST: routingDocument(currentDocument(params.query) ?? opts?.documentAST, operationName) },
  );
};
const headers = defaultHeaders(config.authorization);
const tabs = examples({ demoUser: config.demoUser }).map(({ query }) => ({ query, headers }));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultTabs={tabs}
      // Tabs restored from an earlier visit keep their queries but not their headers (headers are
      // not persisted, so an old token never outlives a server restart): they get the current ones.
      defaultHeaders={headers}
      isHeadersEditorEnabled
      shouldPersistHeaders={false}
      defaultEditorToolsVisibility={headers ? 'headers' : false}
    />
  </StrictMode>,
);
