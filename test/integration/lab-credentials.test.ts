// A table the game lab built with its own access key, on a DynamoDB Local that keeps one database
// per key and region (no -sharedDb, as a user starts it): the server must sign with the
// environment's key to find that table, not a fixed one that sees another, empty database.
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { clientOptionsFrom, createClients, type DynamoClients } from '../../src/data/dynamo/client.js';
import { appOptions, createApp, type App } from '../../src/http/server.js';
import { createServices } from '../../src/services.js';
import { createLogger } from '../../src/log.js';
import { ensureTable } from '../../src/ops/admin.js';
import { isTableEmpty, loadItems, readJsonl } from '../../src/ops/load.js';
import { startDynamoLocal, type EmbeddedDynamo } from '../../src/ops/local.js';
import { LAB_FILES } from '../helpers/server.js';
import { labTableInput } from '../helpers/table.js';

const KEY_A = { AWS_ACCESS_KEY_ID: 'AKIDLABUSERA', AWS_SECRET_ACCESS_KEY: 'lab-secret-a' };
const KEY_B = { AWS_ACCESS_KEY_ID: 'AKIDLABUSERB', AWS_SECRET_ACCESS_KEY: 'lab-secret-b' };
const TABLE = 'battle-royale';

let local: EmbeddedDynamo;
let app: App | undefined;
const clients: DynamoClients[] = [];
let lab: DynamoDBClient;
const clientsFor = (env: Record<string, string>) => {
  const c = createClients(clientOptionsFrom(loadConfig({ DYNAMODB_ENDPOINT: local.endpoint, TABLE_NAME: TABLE, ...env }).database));
  clients.push(c);
  return c;
};

beforeAll(async () => {
  local = await startDynamoLocal({ sharedDb: false });
  // The lab's scripts sign with the user's own key, through none of our code.
  lab = new DynamoDBClient({
    endpoint: local.endpoint,
    region: 'local',
    credentials: { accessKeyId: KEY_A.AWS_ACCESS_KEY_ID, secretAccessKey: KEY_A.AWS_SECRET_ACCESS_KEY },
  });
  // Exactly as the lab's create_table.py builds it: provisioned 5/5, the key and no index.
  await lab.send(new CreateTableCommand(labTableInput(TABLE)));
  await waitUntilTableExists({ client: lab, maxWaitTime: 60 }, { TableName: TABLE });
  expect(await loadItems(DynamoDBDocumentClient.from(lab), TABLE, readJsonl(LAB_FILES.game))).toBe(835);
}, 120_000);

afterAll(async () => {
  await app?.stop();
  for (const c of clients) c.raw.destroy();
  lab?.destroy();
  await local?.stop();
});

describe("a lab's table on DynamoDB Local without a shared database", () => {
  it('is found with the same access key, gets its indexes in provisioned mode, and is served as it is', async () => {
    const config = loadConfig({ DYNAMODB_ENDPOINT: local.endpoint, TABLE_NAME: TABLE, ...KEY_A });
    const c = clientsFor(KEY_A);
    const ensured = await ensureTable(c.raw, TABLE);
    expect(ensured.created).toBe(false);
    expect(ensured.addedIndexes.length).toBeGreaterThan(0);
    // Not empty, so the server would load no demo data over the lab's.
    expect(await isTableEmpty(c.doc, TABLE)).toBe(false);

    app = createApp({
      ...appOptions(createServices(config, { clients: c, logger: createLogger({ silent: true }) })),
      checkReady: async () => true,
      metricsRoute: false,
      reportCost: false,
    });
    const { url } = await app.listen(0, '127.0.0.1');
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ user(username: "lindsay56") { username name } }' }),
    });
    expect(await res.json()).toEqual({ data: { user: { username: 'lindsay56', name: 'Daniel Price' } } });
  }, 120_000);

  it('is absent for another access key, which is why the key must be the environment’s', async () => {
    const other = clientsFor(KEY_B);
    const tables = await other.raw.send(new ListTablesCommand({}));
    expect(tables.TableNames ?? []).not.toContain(TABLE);
    const fixed = clientsFor({});
    expect((await fixed.raw.send(new ListTablesCommand({}))).TableNames ?? []).not.toContain(TABLE);
  });
});
