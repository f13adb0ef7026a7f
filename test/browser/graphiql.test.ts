// The GraphiQL playground in a real browser (Debian's chromium through playwright-core): it must
// render and run operations with every request outside the test server blocked, as it would
// behind a firewall, and send the demo token from its header editor.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examples } from '../../graphiql/src/examples.js';
import { definedOperationName, routingDocument } from '../../graphiql/src/operation-name.js';
import { subscriptionUrl } from '../../graphiql/src/subscription-url.js';
import type { GraphiQLOptions } from '../../src/http/graphiql.js';
import { loadTypeDefs } from '../../src/schema.js';
import { expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DEMO_USER = 'haroldwatkins';
// A lab player who is not in the open game the lobby example watches.
const JOINER = 'lindsay56';
// Another, for the live-query tab (each join seats a different player).
const LIVE_JOINER = 'maryharris';
const OPEN_GAME = '14c7f97e-8354-4ddf-985f-074970818215';
const SCREENSHOT = join(tmpdir(), 'graphiql.png');

// Monaco draws spaces as no-break spaces and only the lines in view: fine for short documents.
async function editorText(page: Page, selector: string): Promise<string> {
  return (await page.locator(`${selector} .view-lines`).first().innerText()).replace(/\u00a0/g, ' ');
}

describe('the GraphiQL playground at /graphql', () => {
  let server: TestServer;
  let browser: Browser;
  // The token needs the server's auth settings, which exist once it has started; serveGraphiQL
  // reads these options on every request, so filling them in afterwards is enough.
  const graphiql: GraphiQLOptions = { demoUser: DEMO_USER };
  let token: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: install Debian's "chromium" package (or set CHROMIUM_PATH).`);
    server = await startTestServer({ seed: ['game', 'photos'], graphiql, live: { streamPollMs: 50 } });
    token = await server.token(DEMO_USER);
    graphiql.authorization = `Bearer ${token}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // A second fence behind the request routing below: no name but the test server's resolves.
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders offline with every example as a tab, runs the first one and signs in with the demo token', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const origin = new URL(server.url).origin;
    const offsite: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      offsite.push(url);
      return route.abort('blockedbyclient');
    });
    const requested: string[] = [];
    context.on('request', (req) => requested.push(req.url()));
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(String(err)));

    // The schema for autocompletion and the docs comes from introspection, which must pass the query limits.
    const introspection = page.waitForResponse(
      (res) => res.url() === `${origin}/graphql` && (res.request().postData() ?? '').includes('__schema'),
    );
    const response = await page.goto(`${server.url}/graphql`);
    expect(response?.status()).toBe(200);
    const schema = await introspection;
    expect(schema.status()).toBe(200);
    expect(((await schema.json()) as { data?: { __schema?: { queryType?: { name: string } } } }).data?.__schema?.queryType?.name).toBe(
      'Query',
    );
    await page.locator('.graphiql-query-editor .view-lines').first().waitFor();
    expect(await editorText(page, '.graphiql-query-editor')).toContain(`user(username: "${DEMO_USER}")`);
    const tabTitles = (await page.locator('.graphiql-tab-button').allInnerTexts()).map((t) => t.trim());
    expect(tabTitles).toEqual(examples({ demoUser: DEMO_USER }).map((e) => e.name));
    // The header editor starts open with the demo token.
    expect(await editorText(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)')).toContain(`"Authorization": "Bearer ${token}"`);

    const sent = page.waitForRequest(
      (req) => req.method() === 'POST' && req.url() === `${origin}/graphql` && (req.postData() ?? '').includes('haroldwatkins'),
    );
    await page.locator('.graphiql-execute-button').click();
    expect((await sent).headers().authorization).toBe(`Bearer ${token}`);
    await page.locator('.graphiql-response .view-lines', { hasText: 'Michele Miles' }).waitFor();
    expect(await editorText(page, '.graphiql-response')).toMatch(/"name": "Michele Miles",\s*"followerCount": \d+/);
    await page.screenshot({ path: SCREENSHOT });

    // The email is private: seeing it proves the server took the header editor's token.
    await page.locator('.graphiql-tab-button', { hasText: /^Me$/ }).click();
    expect(await editorText(page, '.graphiql-query-editor')).toContain('viewer');
    // Right after a tab switch GraphiQL still holds the previous tab's operation name for 100 ms;
    // running at once is what a quick user does, and the page must cope (operation-name.ts).
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response .view-lines', { hasText: 'andersontina@gmail.com' }).waitFor();

    expect(pageErrors).toEqual([]);
    expect(offsite).toEqual([]);
    expect(requested.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin)).toEqual([]);
    expect(requested.some((url) => url.startsWith(`${origin}/graphiql/assets/`))).toBe(true);
    await context.close();
  });

  it('runs the lobby subscription tab and shows a join, sent with fetch from another tab, as it arrives', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const origin = new URL(server.url).origin;
    await context.route('**/*', (route) =>
      new URL(route.request().url()).origin === origin ? route.continue() : route.abort('blockedbyclient'),
    );
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${server.url}/graphql`);
    await page.locator('.graphiql-query-editor .view-lines', { hasText: 'haroldwatkins' }).waitFor();
    await page.locator('.graphiql-tab-button', { hasText: /^GameLobby$/ }).click();
    await page.locator('.graphiql-query-editor .view-lines', { hasText: 'gameLobby' }).waitFor();
    // At once after the tab switch, as a quick user would (operation-name.ts).
    await page.locator('.graphiql-execute-button').click();
    // The subscribe message has reached the server (bounded wait on the server's own count).
    const deadline = Date.now() + 20_000;
    while (server.live!.hub.feeds() < 1) {
      if (Date.now() > deadline) throw new Error(`GraphiQL did not subscribe within 20 s: ${JSON.stringify({ sockets, pageErrors })}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(sockets).toEqual([`${origin.replace(/^http/, 'ws')}/graphql`]);

    const other = await context.newPage();
    await other.goto(`${server.url}/graphql`);
    const joinToken = await server.token(JOINER);
    const joined = await other.evaluate(
      async ({ gameId, token }) => {
        const res = await fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: 'mutation($id: ID!) { joinGame(gameId: $id) { user { username } } }', variables: { id: gameId } }),
        });
        return res.json();
      },
      { gameId: OPEN_GAME, token: joinToken },
    );
    expect(joined).toMatchObject({ data: { joinGame: { user: { username: JOINER } } } });

    await page.locator('.graphiql-response .view-lines', { hasText: JOINER }).waitFor({ timeout: 20_000 });
    const shown = await editorText(page, '.graphiql-response');
    expect(shown).toContain('"kind": "PLAYER_JOINED"');
    expect(shown).toMatch(/"playerCount": 2/);
    await page.screenshot({ path: join(tmpdir(), 'graphiql-subscription.png') });
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('runs the lobby as a live query: a join from another tab brings the next revision of the result', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const origin = new URL(server.url).origin;
    await context.route('**/*', (route) =>
      new URL(route.request().url()).origin === origin ? route.continue() : route.abort('blockedbyclient'),
    );
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${server.url}/graphql`);
    await page.locator('.graphiql-query-editor .view-lines', { hasText: 'haroldwatkins' }).waitFor();
    await page.locator('.graphiql-tab-button', { hasText: /^GameLobbyLive$/ }).click();
    await page.locator('.graphiql-query-editor .view-lines', { hasText: '@live' }).waitFor();
    await page.locator('.graphiql-execute-button').click();
    // The first result (revision 1) is shown: the live query runs over the WebSocket, not HTTP.
    await page.locator('.graphiql-response .view-lines', { hasText: '"revision": 1' }).waitFor({ timeout: 20_000 });
    expect(sockets).toEqual([`${origin.replace(/^http/, 'ws')}/graphql`]);

    const other = await context.newPage();
    await other.goto(`${server.url}/graphql`);
    const joinToken = await server.token(LIVE_JOINER);
    const joined = await other.evaluate(
      async ({ gameId, token }) => {
        const res = await fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: 'mutation($id: ID!) { joinGame(gameId: $id) { user { username } } }', variables: { id: gameId } }),
        });
        return res.json();
      },
      { gameId: OPEN_GAME, token: joinToken },
    );
    expect(joined).toMatchObject({ data: { joinGame: { user: { username: LIVE_JOINER } } } });

    await page.locator('.graphiql-response .view-lines', { hasText: LIVE_JOINER }).waitFor({ timeout: 20_000 });
    const shown = await editorText(page, '.graphiql-response');
    expect(shown).toMatch(/"revision": 2/);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("ships examples that all run without errors on the labs' data as the demo user", async () => {
    const runs = examples({ demoUser: DEMO_USER });
    expect(runs.map((e) => e.name)).toEqual([
      'User',
      'Node',
      'GameOpenGames',
      'GameLobby',
      'GameLobbyLive',
      'GameJoinGame',
      'PhotosUserPhotos',
      'PhotosReactToPhoto',
      'Me',
    ]);
    // The subscription and the live query run over WebSocket in the tests above; here they must be valid against the schema.
    const overWebSocket = runs.filter((e) => e.name === 'GameLobby' || e.name === 'GameLobbyLive');
    for (const e of overWebSocket) expect(validate(buildSchema(loadTypeDefs()), parse(e.query)).map((x) => x.message)).toEqual([]);
    for (const example of runs.filter((e) => !overWebSocket.includes(e))) {
      const res = await server.execute(example.query, { as: DEMO_USER });
      expectNoErrors(res, example.query);
      expect(
        Object.values(res.data ?? {}).every((v) => v !== null),
        example.name,
      ).toBe(true);
    }
  });
});

describe('subscriptionUrl', () => {
  it('points at the endpoint over ws, or wss behind TLS', () => {
    expect(subscriptionUrl('/graphql', 'http://127.0.0.1:4000/graphql')).toBe('ws://127.0.0.1:4000/graphql');
    expect(subscriptionUrl('/graphql', 'https://api.example/graphql?x=1')).toBe('wss://api.example/graphql');
  });
});

describe('routingDocument', () => {
  it('shows a @live query to the fetcher as a subscription (so it goes over WebSocket), and leaves the rest alone', () => {
    const kind = (q: string, name?: string) =>
      (
        routingDocument(parse(q), name)!.definitions.find((d) => d.kind === 'OperationDefinition' && (!name || d.name?.value === name)) as {
          operation: string;
        }
      ).operation;
    expect(kind('query L @live { ping }')).toBe('subscription');
    expect(kind('query L @live { ping } query P { ping }', 'P')).toBe('query');
    expect(kind('query L @live { ping } query P { ping }', 'L')).toBe('subscription');
    expect(kind('query P { ping }')).toBe('query');
    expect(kind('mutation M { ping }')).toBe('mutation');
  });
});

describe('definedOperationName', () => {
  it('keeps a name the document defines and otherwise takes its only operation’s', () => {
    expect(definedOperationName('query Me { viewer { username } }', 'Me')).toBe('Me');
    expect(definedOperationName('query Me { viewer { username } }', 'User')).toBe('Me');
    expect(definedOperationName('query A { ping } query B { ping }', 'C')).toBeUndefined();
    expect(definedOperationName('query A { ping } mutation B { ping }', 'B')).toBe('B');
    expect(definedOperationName('{ ping }', null)).toBeUndefined();
  });

  it("leaves an unparseable document's name for the server to report", () => {
    expect(definedOperationName('query Me { viewer {', 'User')).toBe('User');
  });
});
