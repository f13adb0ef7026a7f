import { graphql } from './graphql.js';

// A photo with its reactions: refetchable and paged through node(id:) with the photo's own id.
export const PhotoCard = graphql`
  fragment PhotoCard_photo on Photo
  @refetchable(queryName: "PhotoCardPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 3 }, cursor: { type: "String" }) {
    id
    timestamp
    location
    reactionCounts {
      heart
      smiley
      thumbsUp
      sunglasses
    }
    viewerReactions
    reactions(first: $count, after: $cursor) @connection(key: "PhotoCard_reactions") {
      edges {
        node {
          id
          type
          reactedAt
          user {
            ...UserCard_user
          }
        }
      }
    }
  }
`;
