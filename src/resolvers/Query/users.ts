import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import { BATCH_GET_LIMIT } from '../../data/dynamo/batch.js';
import { getUsers } from '../../data/users/users.js';
import * as v from '../../graphql/validation.js';

export const users: QueryResolvers['users'] = (_, { usernames }, ctx) =>
  getUsers(
    ctx,
    v.list(usernames, 'usernames', BATCH_GET_LIMIT).map((u) => v.username(u)),
  );
