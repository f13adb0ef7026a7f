// The per-request context: who is asking, and a fresh Db, cost meter and loaders for this request.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Authenticate, Viewer } from '../auth.js';
import type { GamesConfig } from '../config.js';
import { forbidden, unauthenticated } from '../errors.js';
import type { GamesContext } from '../data/games/expiry.js';
import { CostMeter } from '../data/dynamo/cost.js';
import type { DataContext } from '../data/dynamo/context.js';
import type { CursorKeys } from '../data/dynamo/cursor.js';
import { Db } from '../data/dynamo/db.js';
import { createLoaders } from '../data/dynamo/loaders.js';
import { markArrival, type Arrival, type SharedReads } from '../data/dynamo/shared-reads.js';
import type { Hub } from '../live/hub.js';
import { RequestObservation } from '../observe/request.js';
import type { Tracing } from '../observe/trace-types.js';

export interface Context extends DataContext, GamesContext {
  viewer: Viewer | null;
  meter: CostMeter;
  /** Metrics and the trace of this request's operation and DynamoDB calls. */
  observation: RequestObservation;
  /** Set for subscriptions only (src/http/ws.ts). */
  live?: LiveSession;
}

export interface LiveSession {
  hub: Hub;
  /** The hub's head when the subscribe message arrived: a subscription without a cursor starts there. */
  start: string;
  /** When the subscribe message arrived, on the shared setup reads' clock (take it with `markArrival`, beside `start`). */
  arrival: Arrival;
}

// The transport takes a subscribe's arrival without knowing the engine beneath.
export { markArrival };

export interface ContextDeps {
  client: DynamoDBDocumentClient;
  tableName: string;
  cursorKeys: CursorKeys;
  authenticate: Authenticate;
  now?: () => Date;
  /** The games slice, whole (how long a new game may stay open). */
  games: GamesConfig;
  /** Set when OpenTelemetry tracing is configured. */
  tracing?: Tracing;
  /** The server's shared setup reads, for subscriptions (one per server: see shared-reads.ts). */
  sharedReads?: SharedReads;
}

/** A request's context; a subscription's (with `live`) reads its setup through the server's shared reads. */
export async function createContext(deps: ContextDeps, authorization: string | undefined, live?: LiveSession): Promise<Context> {
  const viewer = await deps.authenticate(authorization);
  const meter = new CostMeter();
  const observation = new RequestObservation(deps.tracing);
  const db = new Db(deps.client, deps.tableName, meter, observation.listener());
  const setup = live && deps.sharedReads ? { shared: deps.sharedReads, arrival: live.arrival } : undefined;
  return {
    viewer,
    meter,
    observation,
    db,
    loaders: createLoaders(db, setup),
    cursorKeys: deps.cursorKeys,
    now: deps.now ?? (() => new Date()),
    games: deps.games,
    ...(live ? { live } : {}),
  };
}

/** The signed-in viewer, or UNAUTHENTICATED: anonymous requests may read but never write. */
export function requireViewer(ctx: Pick<Context, 'viewer'>): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer;
}

/** The viewer, who must be `username` themselves. */
export function requireSelf(ctx: Pick<Context, 'viewer'>, username: string, action: string): Viewer {
  const viewer = requireViewer(ctx);
  if (viewer.username !== username) throw forbidden(`Only ${username} may ${action}; you are signed in as ${viewer.username}.`);
  return viewer;
}
