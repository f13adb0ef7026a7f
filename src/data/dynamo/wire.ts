// Hot reads on the DynamoDB client itself (issue 26 item 5): Query and BatchGetItem go out as the
// low-level commands, and their items are unmarshalled here rather than by lib-dynamodb, whose
// middleware walks every output through a generic key-node visitor before util-dynamodb converts
// each value. The items are the same as lib-dynamodb's (same types, numbers, sets, binaries); only
// the walk is ours: strings, numbers, booleans, nulls, maps and lists (every attribute the tables
// hold but sets and binaries) are converted inline, anything else by util-dynamodb's convertToNative. Inputs are
// marshalled here too (keys, a cursor's start key, the expression values: a few strings each).
// Db (db.ts) sends them through the same client and the same meter; writes stay on lib-dynamodb.
import {
  BatchGetItemCommand,
  QueryCommand,
  type AttributeValue,
  type BatchGetItemCommandInput,
  type BatchGetItemCommandOutput,
  type QueryCommandInput as WireQueryInput,
  type QueryCommandOutput as WireQueryOutput,
} from '@aws-sdk/client-dynamodb';
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  DynamoDBDocumentClient,
  NativeAttributeValue,
  QueryCommandInput,
  QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { convertToAttr, convertToNative } from '@aws-sdk/util-dynamodb';

type Native = Record<string, NativeAttributeValue>;
type Wire = Record<string, AttributeValue>;

/**
 * The document client sends low-level commands too (it shares the low-level client's middleware
 * stack and configuration), and must be the one that sends them: the benchmark's memo variant and
 * any middleware on it see every call. Its types only admit lib-dynamodb's commands, hence this view.
 */
interface WireSender {
  send(command: QueryCommand): Promise<WireQueryOutput>;
  send(command: BatchGetItemCommand): Promise<BatchGetItemCommandOutput>;
}
const wire = (client: DynamoDBDocumentClient) => client as unknown as WireSender;

// As the document client is configured (client.ts): undefined values dropped, empty values kept.
const MARSHALL = { removeUndefinedValues: true, convertEmptyValues: false } as const;

/** An item or key in DynamoDB JSON, as lib-dynamodb would marshal it. */
export function toWire(item: Native): Wire {
  const out: Wire = {};
  for (const k in item) {
    const v: unknown = item[k];
    if (typeof v === 'string') out[k] = { S: v };
    else if (v !== undefined) out[k] = convertToAttr(v, MARSHALL);
  }
  return out;
}

function fromAttr(av: AttributeValue): NativeAttributeValue {
  if (av.S !== undefined) return av.S;
  if (av.N !== undefined) {
    const n = Number(av.N);
    // Beyond the safe integers util-dynamodb returns a BigInt (or refuses): its rules, not ours.
    return Number.isSafeInteger(n) || (!Number.isInteger(n) && Number.isFinite(n)) ? n : convertToNative(av);
  }
  if (av.BOOL !== undefined) return av.BOOL;
  if (av.NULL !== undefined) return null;
  // A photo's reaction counts are a map: walked here too, with the same rules inside.
  if (av.M !== undefined) return fromWire(av.M);
  if (av.L !== undefined) return av.L.map(fromAttr);
  return convertToNative(av);
}

/** An item in native values, as lib-dynamodb would unmarshal it. */
export function fromWire(item: Wire): Native {
  const out: Native = {};
  for (const k in item) out[k] = fromAttr(item[k]!);
  return out;
}

const fromWireAll = (items: Wire[] | undefined) => items?.map(fromWire);

/** Query on the low-level client; the same input and output as lib-dynamodb's QueryCommand. */
export async function wireQuery(client: DynamoDBDocumentClient, input: QueryCommandInput): Promise<QueryCommandOutput> {
  const { ExpressionAttributeValues: values, ExclusiveStartKey: start, ...rest } = input;
  if (input.QueryFilter || input.KeyConditions) throw new Error('wireQuery takes expressions only, not the legacy conditions.');
  const request: WireQueryInput = {
    ...rest,
    ...(values ? { ExpressionAttributeValues: toWire(values) } : {}),
    ...(start ? { ExclusiveStartKey: toWire(start) } : {}),
  };
  const out = await wire(client).send(new QueryCommand(request));
  const { Items, LastEvaluatedKey, ...meta } = out;
  return { ...meta, Items: fromWireAll(Items), LastEvaluatedKey: LastEvaluatedKey && fromWire(LastEvaluatedKey) };
}

/** BatchGetItem on the low-level client; the same input and output as lib-dynamodb's BatchGetCommand. */
export async function wireBatchGet(client: DynamoDBDocumentClient, input: BatchGetCommandInput): Promise<BatchGetCommandOutput> {
  const requestItems: NonNullable<BatchGetItemCommandInput['RequestItems']> = {};
  for (const [table, { Keys, ...rest }] of Object.entries(input.RequestItems ?? {})) {
    requestItems[table] = { ...rest, Keys: (Keys ?? []).map(toWire) };
  }
  const out = await wire(client).send(new BatchGetItemCommand({ ...input, RequestItems: requestItems }));
  const responses: NonNullable<BatchGetCommandOutput['Responses']> = {};
  for (const [table, items] of Object.entries(out.Responses ?? {})) responses[table] = items.map(fromWire);
  const unprocessed: NonNullable<BatchGetCommandOutput['UnprocessedKeys']> = {};
  for (const [table, { Keys, ...rest }] of Object.entries(out.UnprocessedKeys ?? {})) {
    unprocessed[table] = { ...rest, Keys: fromWireAll(Keys) };
  }
  return { ...out, Responses: responses, UnprocessedKeys: unprocessed };
}
