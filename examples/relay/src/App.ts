import { graphql } from './graphql.js';

// The screens' root queries: each spreads the fragments above, which then refetch and page alone.
export const ProfileScreen = graphql`
  query AppProfileQuery($username: String!) {
    user(username: $username) {
      ...UserCard_user
      ...UserFollowers_user
      ...UserPhotos_user
      ...UserGames_user
    }
  }
`;

export const GameScreen = graphql`
  query AppGameQuery($id: ID!) {
    game(id: $id) {
      ...GameLobby_game @arguments(count: 5)
    }
  }
`;

export const LobbyScreen = graphql`
  query AppOpenGamesQuery($map: String) {
    ...OpenGames_query @arguments(map: $map)
  }
`;
