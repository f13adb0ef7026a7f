// FROZEN: the textbook peer's data access, written once as the DataLoader README and the AWS SDK v3
// developer guide (lib-dynamodb's BatchGetCommand and QueryCommand) show it, and never tuned since.
// It shares nothing with our engine (no Db, no batchGetKeys, no key helpers), so an improvement to
// ours cannot speed the peer up. Change it only to follow a change of the schema or the table's
// key formats, and say so in the commit.
import {
  BatchGetCommand,
  QueryCommand,
  type BatchGetCommandOutput,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import DataLoader from 'dataloader';

export type Item = Record<string, any>;

/** The client calls the tutorial code makes; the benchmark hands it a DynamoDBDocumentClient. */
export interface DocClient {
  send(command: QueryCommand): Promise<QueryCommandOutput>;
  send(command: BatchGetCommand): Promise<BatchGetCommandOutput>;
}

// The labs' key formats, spelled out as a tutorial would.
export const userKey = (username: string) => ({ PK: `USER#${username}`, SK: `#METADATA#${username}` });
export const gameKey = (id: string) => ({ PK: `GAME#${id}`, SK: `#METADATA#${id}` });

/**
 * The DataLoader README's batch function over BatchGetItem: one request for the keys of a tick
 * (100 at most, BatchGetItem's limit), UnprocessedKeys retried as the AWS guide says, and the
 * answers put back in the order of the keys (DataLoader's contract).
 */
function batchGetLoader(doc: DocClient, table: string, keyOf: (id: string) => { PK: string; SK: string }) {
  return new DataLoader<string, Item | null>(
    async (ids) => {
      const found = new Map<string, Item>();
      let request: Record<string, { Keys: Record<string, any>[] }> | undefined = { [table]: { Keys: ids.map(keyOf) } };
      while (request && Object.keys(request).length) {
        const out = await doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[table] ?? []) found.set(`${item.PK}|${item.SK}`, item);
        request = out.UnprocessedKeys as typeof request;
      }
      return ids.map((id) => {
        const k = keyOf(id);
        return found.get(`${k.PK}|${k.SK}`) ?? null;
      });
    },
    { maxBatchSize: 100 },
  );
}

export interface TextbookContext {
  doc: DocClient;
  table: string;
  loaders: { user: DataLoader<string, Item | null>; game: DataLoader<string, Item | null> };
}

/** Per request, as the tutorials have it: a fresh loader per entity type in the context function. */
export function createTextbookContext(doc: DocClient, table: string): TextbookContext {
  return { doc, table, loaders: { user: batchGetLoader(doc, table, userKey), game: batchGetLoader(doc, table, gameKey) } };
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

// Amplify's nextToken and the tutorials' cursor alike: the LastEvaluatedKey, base64-encoded and unchecked.
const encodeToken = (key: Record<string, unknown> | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null);
const decodeToken = (token: string | null | undefined) =>
  token ? (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;

/** One Query per list field, its page as a Relay connection. */
export async function queryConnection(
  ctx: TextbookContext,
  input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
  args: PageArgs,
  node: (item: Item) => unknown,
) {
  const out = await ctx.doc.send(
    new QueryCommand({ TableName: ctx.table, ...input, Limit: args.first ?? 20, ExclusiveStartKey: decodeToken(args.after) }),
  );
  const token = encodeToken(out.LastEvaluatedKey);
  return {
    edges: (out.Items ?? []).map((item) => ({ cursor: token ?? '', node: node(item) })),
    pageInfo: { hasNextPage: Boolean(out.LastEvaluatedKey), hasPreviousPage: Boolean(args.after), startCursor: null, endCursor: token },
  };
}
