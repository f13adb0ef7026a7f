// A TCP relay between a client and the test server that can drop every connection at once and
// refuse new ones for a while: what a client sees when its network goes away, abruptly (1006).
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface TcpCut {
  /** ws://127.0.0.1:<relay port>/graphql */
  wsUrl: string;
  /** Drops every open connection and refuses new ones until up(). */
  down(): void;
  up(): void;
  /** Connections accepted so far (each reconnect is one more). */
  accepted(): number;
  close(): Promise<void>;
}

export async function startTcpCut(target: string): Promise<TcpCut> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  let refusing = false;
  let accepted = 0;
  const server = createServer((client) => {
    if (refusing) return void client.destroy();
    accepted++;
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        open.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relayPort = (server.address() as AddressInfo).port;
  return {
    wsUrl: `ws://127.0.0.1:${relayPort}/graphql`,
    down() {
      refusing = true;
      for (const s of open) s.destroy();
    },
    up() {
      refusing = false;
    },
    accepted: () => accepted,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
