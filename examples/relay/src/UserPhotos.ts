import { graphql } from './graphql.js';

// A user's photos, newest first, paged through node(id:).
export const UserPhotos = graphql`
  fragment UserPhotos_user on User
  @refetchable(queryName: "UserPhotosPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 5 }, cursor: { type: "String" }) {
    photos(first: $count, after: $cursor) @connection(key: "UserPhotos_photos") {
      edges {
        node {
          id
          ...PhotoCard_photo
        }
      }
    }
  }
`;
