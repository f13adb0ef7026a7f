// API Gateway's WebSocket API cannot send close codes. Where the container server closes with one,
// the serverless flavour sends the protocol's `error` for the subscription at fault, with the code
// it replaces in `extensions.closeCode`, then disconnects; and it refuses a `connection_init` (4403
// on the container) by disconnecting before `connection_ack`. The WebSocket class handed to
// graphql-ws is wrapped so both sequences reach graphql-ws and the subscription loop as the close
// code they replace: the same outcome (a token refreshed, a fatal error with no reconnect storm)
// whichever flavour serves. Against the container server nothing changes: it sends neither.

interface MessageLike {
  data: unknown;
}
interface CloseLike {
  code: number;
  reason: string;
  wasClean?: boolean;
}

/** What graphql-ws uses of a WebSocket (the browser's, or the `ws` package's). */
export interface SocketLike {
  readonly readyState: number;
  readonly protocol?: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onclose: ((ev: CloseLike) => void) | null;
  onmessage: ((ev: MessageLike) => void) | null;
}

export type SocketClass = new (url: string, protocols?: string | string[]) => SocketLike;

/** How a client sees API Gateway's disconnect: 1000, or no status at all. */
const PLAIN_CLOSES = new Set([1000, 1005]);
/** The container's code for a connection_init refused. */
const FORBIDDEN = 4403;

/** The close code an `error` message stands for (`extensions.closeCode`), or null for an ordinary error. */
export function replacedCloseCode(data: unknown): { code: number; reason: string } | null {
  if (typeof data !== 'string' || !data.includes('closeCode')) return null;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return null;
  }
  const m = message as { type?: unknown; payload?: unknown };
  if (m.type !== 'error' || !Array.isArray(m.payload)) return null;
  for (const e of m.payload as { message?: unknown; extensions?: { closeCode?: unknown } }[]) {
    const code = e?.extensions?.closeCode;
    if (typeof code === 'number' && code >= 4000 && code <= 4999) return { code, reason: String(e.message ?? '') };
  }
  return null;
}

/** `Impl` with the serverless flavour's sequences turned back into the container's close codes. */
export function restoringCloseCodes(Impl: SocketClass): SocketClass {
  return class RestoredCloseCodes implements SocketLike {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    onopen: SocketLike['onopen'] = null;
    onerror: SocketLike['onerror'] = null;
    onclose: SocketLike['onclose'] = null;
    onmessage: SocketLike['onmessage'] = null;
    private readonly inner: SocketLike;
    private acknowledged = false;
    private replaced: { code: number; reason: string } | null = null;
    private closedHere = false;

    constructor(url: string, protocols?: string | string[]) {
      this.inner = new Impl(url, protocols);
      this.inner.onopen = (ev) => this.onopen?.(ev);
      this.inner.onerror = (ev) => this.onerror?.(ev);
      this.inner.onmessage = (ev) => {
        if (this.replaced) return; // the connection is over: nothing after the close it stands for
        const replaced = replacedCloseCode(ev.data);
        if (replaced) {
          // The container sends no error here, only the close: the subscription is not ended by it.
          this.replaced = replaced;
          this.inner.close(1000, 'Closed by the server');
          return;
        }
        if (!this.acknowledged && typeof ev.data === 'string' && ev.data.includes('"connection_ack"')) this.acknowledged = true;
        this.onmessage?.(ev);
      };
      this.inner.onclose = (ev) => this.onclose?.(this.restore(ev));
    }

    get readyState() {
      return this.inner.readyState;
    }
    get protocol() {
      return this.inner.protocol;
    }
    send(data: string) {
      this.inner.send(data);
    }
    close(code?: number, reason?: string) {
      this.closedHere = true;
      this.inner.close(code, reason);
    }

    private restore(ev: CloseLike): CloseLike {
      if (this.replaced) return { code: this.replaced.code, reason: this.replaced.reason, wasClean: true };
      // Only the serverless flavour closes plainly before connection_ack: it refused the token.
      if (!this.acknowledged && !this.closedHere && PLAIN_CLOSES.has(ev.code))
        return { code: FORBIDDEN, reason: 'The token was refused.', wasClean: true };
      return ev;
    }
  };
}
