// GraphiQL's subscriptions go over WebSocket to the same path as its queries: graphql-ws needs
// an absolute ws:// (or wss:// behind TLS) URL, and the server gives the page a relative one.

/** The WebSocket URL for `endpoint` as seen from the page at `pageUrl`. */
export function subscriptionUrl(endpoint: string, pageUrl: string): string {
  const url = new URL(endpoint, pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
