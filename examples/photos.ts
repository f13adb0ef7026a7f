// The photo app end to end through the SDK: users upload photos, follow each other and react
// (a repeated reaction is refused with ALREADY_REACTED), then read a user's photos and a feed of
// the followed users' photos a page at a time, with reaction counts and what it all cost.
//   npm run example:photos            (SERVER_URL=... to use a running server)
import { isSdkError, type Client, type PhotoFieldsFragment, type ReactionType } from '../sdk/src/index.js';
import { describeCost, heading, runExample, runId } from './support.js';

const PAGE = 2;

await runExample(async (session) => {
  const run = runId();
  const [ana, ben, cyd, dee] = ['ana', 'ben', 'cyd', 'dee'].map((n) => `p${run}_${n}`) as [string, string, string, string];
  const clients = new Map<string, Client>();
  for (const name of [ana, ben, cyd, dee]) clients.set(name, await session.as(name));
  const client = (name: string): Client => clients.get(name)!;

  heading('Creating users');
  for (const [username, interests] of [
    [ana, ['hiking', 'film']],
    [ben, ['food']],
    [cyd, ['cats']],
    [dee, []],
  ] as const) {
    await client(username).createUser({
      input: { username, name: username.split('_')[1]!.toUpperCase(), email: `${username}@example.com`, interests: [...interests] },
    });
    console.log(`created ${username}`);
  }

  heading('Uploading photos');
  const uploads: Record<string, PhotoFieldsFragment[]> = { [ana]: [], [ben]: [], [cyd]: [] };
  for (const [owner, count] of [
    [ana, 5],
    [ben, 3],
    [cyd, 2],
  ] as const) {
    for (let i = 1; i <= count; i++) {
      const { data } = await client(owner).uploadPhoto({ input: { location: `https://photos.example.com/${owner}/${i}.jpg` } });
      uploads[owner]!.push(data.uploadPhoto);
    }
    console.log(`${owner} uploaded ${count} photos (newest ${uploads[owner]!.at(-1)!.timestamp})`);
  }

  heading('Following');
  for (const [follower, followed] of [
    [dee, ana],
    [dee, ben],
    [dee, cyd],
    [ana, ben],
  ] as const) {
    const { data } = await client(follower).followUser({ username: followed });
    console.log(`${follower} follows ${followed} (now ${data.followUser.followerCount} follower(s))`);
  }

  heading('Reacting');
  const favourite = uploads[ana]!.at(-1)!;
  const reactions: [string, ReactionType][] = [
    [ben, 'HEART'],
    [cyd, 'HEART'],
    [cyd, 'SMILEY'],
    [dee, 'THUMBS_UP'],
    [dee, 'SUNGLASSES'],
  ];
  for (const [user, type] of reactions) {
    await client(user).reactToPhoto({ owner: ana, timestamp: favourite.timestamp, type });
    console.log(`${user} reacted ${type} to ${favourite.id}`);
  }
  await client(ben).reactToPhoto({ owner: ben, timestamp: uploads[ben]![0]!.timestamp, type: 'HEART' });
  try {
    await client(ben).reactToPhoto({ owner: ana, timestamp: favourite.timestamp, type: 'HEART' });
    throw new Error(`${ben} reacted HEART twice`);
  } catch (err) {
    if (!isSdkError(err)) throw err;
    switch (err.code) {
      case 'ALREADY_REACTED':
        console.log(`${ben} reacting HEART again: refused with ALREADY_REACTED (${err.errors[0]?.message})`);
        break;
      default:
        throw err;
    }
  }
  const removed = await client(dee).removeReaction({ owner: ana, timestamp: favourite.timestamp, type: 'SUNGLASSES' });
  console.log(`${dee} took back SUNGLASSES: sunglasses count now ${removed.data.removeReaction.reactionCounts.sunglasses}`);

  heading(`${ana}'s photos, ${PAGE} per page`);
  let after: string | null = null;
  let page = 0;
  do {
    const { data, cost } = await session.anonymous.userPhotos({ username: ana, first: PAGE, after });
    const photos = data.user?.photos;
    if (!photos) throw new Error(`${ana} has disappeared`);
    page++;
    console.log(`page ${page} (${describeCost(cost)}):`);
    for (const { node } of photos.edges) console.log(`  ${node.timestamp}  ${counts(node)}`);
    after = photos.pageInfo.hasNextPage ? photos.pageInfo.endCursor : null;
  } while (after);

  heading(`${dee}'s feed: the users ${dee} follows, ${PAGE} per page, with their newest photos`);
  after = null;
  page = 0;
  do {
    const { data, cost } = await client(dee).followingPhotos({ username: dee, first: PAGE, after, photosPerUser: 2 });
    const following = data.user?.following;
    if (!following) throw new Error(`${dee} has disappeared`);
    page++;
    console.log(`feed page ${page} (${describeCost(cost)}):`);
    for (const { node } of following.edges) {
      for (const { node: photo } of node.photos.edges)
        console.log(`  ${photo.id}  ${counts(photo)}  mine: [${photo.viewerReactions.join(', ')}]`);
    }
    after = following.pageInfo.hasNextPage ? following.pageInfo.endCursor : null;
  } while (after);

  heading(`Who reacted to ${favourite.id}`);
  const { data } = await session.anonymous.photo({ owner: ana, timestamp: favourite.timestamp, first: 10 });
  console.log(`reaction counts: ${data.photo ? counts(data.photo) : '(photo missing)'}`);
  for (const { node } of data.photo?.reactions.edges ?? []) console.log(`  ${node.user.username} ${node.type}`);

  const total = session.tally.total;
  console.log(`\nTotal DynamoDB cost: ${describeCost(total)} over ${session.tally.operations} operations`);
});

function counts(photo: PhotoFieldsFragment): string {
  const c = photo.reactionCounts;
  return `heart ${c.heart}, smiley ${c.smiley}, thumbsUp ${c.thumbsUp}, sunglasses ${c.sunglasses}`;
}
