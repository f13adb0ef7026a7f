// The operations GraphiQL opens with, one tab each. GraphiQL titles a tab with its operation name,
// so every example is a named operation; the comment above it says which app it belongs to.

export interface Example {
  /** The operation name, which GraphiQL shows as the tab's title. */
  name: string;
  query: string;
}

/** Who the page is signed in as, if anyone: only the local server hands out a demo token. */
export interface ExampleContext {
  demoUser: string | null;
}

const OPEN_GAME = '14c7f97e-8354-4ddf-985f-074970818215';
const PHOTO_OWNER = 'haroldwatkins';
const PHOTO_TIMESTAMP = '2018-09-19T18:20:15';
/** haroldwatkins's global id: base64url of "v1:User:haroldwatkins" (src/graphql/ids.ts). */
const USER_ID = 'djE6VXNlcjpoYXJvbGR3YXRraW5z';

export function examples({ demoUser }: ExampleContext): Example[] {
  // The editor is about 60 characters wide beside the response: comments are kept shorter.
  const signedIn = demoUser
    ? `# Signed in as ${demoUser}: see the demo token in Headers.`
    : '# Anonymous: to sign in, put this in Headers:\n# {"Authorization": "Bearer <token>"}';
  return [
    {
      name: 'User',
      query: `# Operations run against this server's /graphql.
${signedIn}
# Run with ▶ or Ctrl-Enter. The other tabs hold examples
# for both apps: the battle-royale game and the photos app.
query User {
  user(username: "haroldwatkins") {
    username
    name
    followerCount
  }
}
`,
    },
    {
      name: 'Node',
      query: `# Any object by its global id (Relay's node field).
# A game's id is its UUID, a photo's is owner/timestamp,
# the others' base64url of "v1:<Type>:<key>". nodes(ids:)
# reads up to 100, of any types, in one BatchGetItem.
query Node {
  node(id: "${USER_ID}") {
    __typename
    id
    ... on User { username name followerCount }
  }
  nodes(ids: ["${OPEN_GAME}", "${PHOTO_OWNER}/${PHOTO_TIMESTAMP}"]) {
    __typename
    id
    ... on Game { map playerCount status }
    ... on Photo { location reactionCounts { heart } }
  }
}
`,
    },
    {
      name: 'GameOpenGames',
      query: `# Game: open games with their first players.
query GameOpenGames {
  openGames(first: 5) {
    edges {
      node {
        id
        map
        playerCount
        status
        creator { username }
        players(first: 5) {
          edges { node { user { username name } } }
        }
      }
    }
  }
}
`,
    },
    {
      name: 'GameLobby',
      query: `# Game, live: run this (it keeps listening), then run
# the next tab, GameJoinGame: the join shows up here.
# Any write to the table does, whoever makes it.
subscription GameLobby {
  gameLobby(gameId: "${OPEN_GAME}") {
    cursor
    kind
    player { user { username } joinedAt }
    game { id playerCount status }
  }
}
`,
    },
    {
      name: 'GameLobbyLive',
      query: `# Game, as a live query: the result itself stays
# current. Run it, then run GameJoinGame in the next
# tab (or the lab's join script): a new result comes,
# with extensions.live.revision one higher.
query GameLobbyLive @live {
  game(id: "${OPEN_GAME}") {
    id
    playerCount
    status
    players(first: 50) {
      edges { node { user { username } } }
    }
  }
}
`,
    },
    {
      name: 'GameJoinGame',
      query: `# Game: join an open game as the signed-in user.
# Running it again fails with ALREADY_JOINED.
mutation GameJoinGame {
  joinGame(gameId: "${OPEN_GAME}") {
    joinedAt
    user { username }
    game { id map playerCount status }
  }
}
`,
    },
    {
      name: 'PhotosUserPhotos',
      query: `# Photos: a user's photos with their reactions,
# and whom the user follows.
query PhotosUserPhotos {
  user(username: "haroldwatkins") {
    name
    followerCount
    photos(first: 5) {
      edges {
        node {
          timestamp
          location
          reactionCounts { heart smiley thumbsUp sunglasses }
        }
      }
    }
    following(first: 5) {
      edges { node { username name } }
    }
  }
}
`,
    },
    {
      name: 'PhotosReactToPhoto',
      query: `# Photos: react to a photo as the signed-in user.
# Once per reaction type: again gives ALREADY_REACTED.
mutation PhotosReactToPhoto {
  reactToPhoto(owner: "${PHOTO_OWNER}", timestamp: "${PHOTO_TIMESTAMP}", type: HEART) {
    id
    reactionCounts { heart smiley thumbsUp sunglasses }
    viewerReactions
  }
}
`,
    },
    {
      name: 'Me',
      query: `# The signed-in user, with private fields only they see
# (null when anonymous).
query Me {
  viewer {
    username
    name
    email
  }
}
`,
    },
  ];
}

/** The request headers every tab starts with: the demo token when the server gave one. */
export function defaultHeaders(authorization: string | null): string | undefined {
  return authorization ? JSON.stringify({ Authorization: authorization }, null, 2) : undefined;
}
