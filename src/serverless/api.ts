// The way back to a client: API Gateway's management API (@connections), one client per callback
// URL, kept as long as the Lambda instance. API Gateway's own limits are checked here, so a message
// it would refuse becomes a decision of ours, never an accident: 128 KB per message.
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';

/** API Gateway's largest WebSocket message (sent in frames of 32 KB). */
export const MAX_MESSAGE_BYTES = 128 * 1024;

export type PostOutcome = 'sent' | 'gone' | 'too-large' | 'throttled';

export interface Connections {
  /**
   * Posts one protocol message; 'gone' when the client vanished (410), 'too-large' (not sent) over
   * 128 KB, 'throttled' when API Gateway still refused it after the SDK's retries (the client's
   * buffer is full or the account's rate is reached).
   */
  post(callbackUrl: string, connectionId: string, message: string): Promise<PostOutcome>;
  /** Closes the socket (API Gateway sends close code 1000: it cannot send another). */
  disconnect(callbackUrl: string, connectionId: string): Promise<void>;
}

export interface ConnectionsOptions {
  /** How many times a throttled post (LimitExceededException: rate, or the client's buffer full) is tried. */
  maxAttempts?: number;
  /** Client settings for a test's emulator (endpoint credentials, region). */
  clientConfig?: { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } };
}

export function createConnections(opts: ConnectionsOptions = {}): Connections {
  const clients = new Map<string, ApiGatewayManagementApiClient>();
  const clientFor = (url: string) => {
    let c = clients.get(url);
    if (!c)
      clients.set(
        url,
        (c = new ApiGatewayManagementApiClient({ endpoint: url, maxAttempts: opts.maxAttempts ?? 4, ...opts.clientConfig })),
      );
    return c;
  };
  return {
    async post(url, connectionId, message) {
      const data = Buffer.from(message);
      if (data.length > MAX_MESSAGE_BYTES) return 'too-large';
      try {
        await clientFor(url).send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
        return 'sent';
      } catch (err) {
        if (err instanceof GoneException) return 'gone';
        if (err instanceof LimitExceededException) return 'throttled';
        throw err;
      }
    },
    async disconnect(url, connectionId) {
      try {
        await clientFor(url).send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      } catch (err) {
        if (!(err instanceof GoneException)) throw err;
      }
    },
  };
}
