// The HTTP slice: where the server listens, what it accepts, and what GraphiQL starts with.
import type { EnvReader } from './env.js';

export interface HttpConfig {
  host: string;
  port: number;
  /** The largest request body accepted (HTTP server and Lambda alike). */
  maxBodyBytes: number;
  /**
   * GraphiQL starts with a signed demo token: only on the embedded database or with the fixed
   * development secret, never with a secret of the user's own (which would mint tokens for anyone).
   */
  graphiqlDemoToken: boolean;
}

/** HOST, PORT, MAX_BODY_BYTES; the demo token follows from the database and auth slices (loadConfig). */
export function readHttp(env: EnvReader): Omit<HttpConfig, 'graphiqlDemoToken'> {
  return {
    host: env.str('HOST') ?? '127.0.0.1',
    port: env.int('PORT', 4000, 0, 65535),
    maxBodyBytes: env.int('MAX_BODY_BYTES', 100_000, 1_000, 10_000_000),
  };
}
