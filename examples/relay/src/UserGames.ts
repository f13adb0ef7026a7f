import { graphql } from './graphql.js';

// The games a user played, paged through node(id:); each row is a player in a game (itself a Node).
export const UserGames = graphql`
  fragment UserGames_user on User
  @refetchable(queryName: "UserGamesPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }) {
    games(first: $count, after: $cursor) @connection(key: "UserGames_games") {
      edges {
        node {
          id
          place
          game {
            id
            map
            status
          }
        }
      }
    }
  }
`;
