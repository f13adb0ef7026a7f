import { graphql } from './graphql.js';

// A user's followers, paged by Relay (usePaginationFragment) through node(id:).
export const UserFollowers = graphql`
  fragment UserFollowers_user on User
  @refetchable(queryName: "UserFollowersPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }) {
    followers(first: $count, after: $cursor) @connection(key: "UserFollowers_followers") {
      edges {
        followedAt
        node {
          id
          ...UserCard_user
        }
      }
    }
  }
`;
