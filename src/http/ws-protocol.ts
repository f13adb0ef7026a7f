// What graphql-transport-ws says about messages a client sends, beyond what graphql-ws checks
// itself (it closes 4400 for a malformed message, 4401, 4409, 4429 for one at the wrong time):
// kept apart from the endpoint, for every WebSocket flavour to share.

/** Message types only a server sends; graphql-ws throws on receiving one, as if the fault were its own. */
const SERVER_ONLY = new Set(['connection_ack', 'next', 'error']);

/** The type of a client's message when it is one only a server may send (a protocol violation: 4400), else undefined. */
export function serverOnlyType(text: string): string | undefined {
  let type: unknown;
  try {
    type = (JSON.parse(text) as { type?: unknown } | null)?.type;
  } catch {
    return undefined;
  }
  return typeof type === 'string' && SERVER_ONLY.has(type) ? type : undefined;
}
