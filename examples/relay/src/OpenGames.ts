import { graphql } from './graphql.js';

// Open games on a map: a list of the root, paged by refetching Query itself.
export const OpenGames = graphql`
  fragment OpenGames_query on Query
  @refetchable(queryName: "OpenGamesPaginationQuery")
  @argumentDefinitions(map: { type: "String" }, count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }) {
    openGames(map: $map, first: $count, after: $cursor) @connection(key: "OpenGames_openGames", filters: ["map"]) {
      edges {
        node {
          id
          map
          playerCount
        }
      }
    }
  }
`;
