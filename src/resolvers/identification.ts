// Global object identification's resolvers (schema/base.graphql: Node, node, nodes). Each type's
// own `id` resolver sits with its domain (User.ts, GameParticipation.ts, Photo.ts, Reaction.ts).
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Node } from './Node.js';
import { node } from './Query/node.js';
import { nodes } from './Query/nodes.js';

export const identificationResolvers: Resolvers = {
  Query: { node, nodes },
  Node,
};
