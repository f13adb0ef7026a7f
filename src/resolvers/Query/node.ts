import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import { loadNode } from '../Node.js';

export const node: QueryResolvers['node'] = (_, { id }, ctx) => loadNode(ctx, id);
