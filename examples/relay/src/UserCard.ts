import { graphql } from './graphql.js';

// A user as a card: refetchable by itself, through node(id:).
export const UserCard = graphql`
  fragment UserCard_user on User @refetchable(queryName: "UserCardRefetchQuery") {
    id
    username
    name
    followerCount
    followingCount
  }
`;
