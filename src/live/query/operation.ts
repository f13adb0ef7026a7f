// A @live query operation, and how one run of it executes: as the viewer who opened it, with a
// fresh request context (its own loaders, cost meter and limits, as any request), its reads
// recorded by the engine and the table read consistently.
import { execute, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Db } from '../../data/dynamo/db.js';
import type { ReadSet } from '../../data/dynamo/read-set.js';
import type { ReadWave } from '../../data/dynamo/wave.js';

export interface LiveRunArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variableValues?: Record<string, unknown> | null;
  /**
   * A fresh request context for the viewer (throws UNAUTHENTICATED once the token is refused). No
   * live session: a subscription's shared setup reads would be sent on another request's Db, and a
   * run's reads must all go through its own, which records them.
   */
  context: () => Promise<{ db: Db }>;
}

/**
 * One run of the live query: a fresh context whose Db records what it reads into `reads`, and,
 * with `wave`, shares identical reads with the other runs of that wave (data/dynamo/wave.ts).
 * Only reads are shared: each run still authenticates as its own viewer and resolves its own
 * fields, so whatever a field shows this viewer (or refuses them) is decided per run.
 */
export function liveRun(args: LiveRunArgs): (reads: ReadSet, wave?: ReadWave) => Promise<ExecutionResult> {
  return async (reads, wave) => {
    let contextValue;
    try {
      contextValue = await args.context();
    } catch (err) {
      return { errors: [err instanceof GraphQLError ? err : new GraphQLError(String(err))] };
    }
    contextValue.db.recordReads(reads, { consistent: true });
    if (wave) contextValue.db.shareReads(wave);
    return execute({
      schema: args.schema,
      document: args.document,
      operationName: args.operationName,
      variableValues: args.variableValues,
      contextValue,
    });
  };
}
