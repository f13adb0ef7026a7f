import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import { BATCH_GET_LIMIT } from '../../data/dynamo/batch.js';
import * as v from '../../graphql/validation.js';
import { loadNode, type NodeRecord } from '../Node.js';

// One promise per id, all loaded in this tick: the loader batches them, and a bad id nulls its own
// entry (with its error at nodes.<index>) without failing the others.
export const nodes: QueryResolvers['nodes'] = (_, { ids }, ctx) =>
  v.list(ids, 'ids', BATCH_GET_LIMIT).map((id) => entry(loadNode(ctx, id)));

// graphql-js completes each entry of a list on its own, a promise of null included; codegen's types
// let an entry be null or a promise of an object, but not a promise of either.
const entry = (loading: Promise<NodeRecord | null>) => loading as Promise<NodeRecord>;
