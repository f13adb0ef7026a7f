import { graphql } from './graphql.js';

// A game and its players: refetchable and paged through node(id:) with the game's own id.
export const GameLobby = graphql`
  fragment GameLobby_game on Game
  @refetchable(queryName: "GameLobbyPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }) {
    id
    map
    status
    playerCount
    capacity
    creator {
      ...UserCard_user
    }
    players(first: $count, after: $cursor) @connection(key: "GameLobby_players") {
      edges {
        node {
          id
          place
          kills
          user {
            ...UserCard_user
          }
        }
      }
    }
  }
`;
