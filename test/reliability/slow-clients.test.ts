// Slow clients: a client that stalls its headers or its body is cut at the documented deadline
// (docs/limits-and-guarantees.md), not whenever Node next happens to check (every 30 s by default).
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Shortened deadlines, so the test is quick; the server checks them as often as with the defaults.
const TIMEOUTS = { requestMs: 2_000, headersMs: 1_000 };
// How late a cut may come: the server's check interval (at most 1 s) plus a generous margin for a busy machine.
const LATE_MS = 1_000 + 3_000;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ timeouts: TIMEOUTS });
});
afterAll(() => s.close());

/** Sends `data` and then nothing; resolves when the server closes the connection, with what it said. */
function stall(data: string, giveUpMs: number): Promise<{ ms: number; answer: string }> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(data));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(bound);
      resolve({ ms: performance.now() - started, answer });
    });
    const bound = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept a stalled connection open for more than ${giveUpMs} ms`));
    }, giveUpMs);
  });
}

describe('a slow client', () => {
  it('is cut by default at the deadlines the docs give (headers, request)', async () => {
    const doc = readFileSync(new URL('../../docs/limits-and-guarantees.md', import.meta.url), 'utf8');
    const [, headers, request] = /stalls its headers\s+after (\d+) s and one that stalls its request\s+after (\d+) s/.exec(doc) ?? [];
    const plain = await startTestServer();
    try {
      expect({ headersMs: plain.http.headersTimeout, requestMs: plain.http.requestTimeout }).toEqual({
        headersMs: Number(headers) * 1_000,
        requestMs: Number(request) * 1_000,
      });
    } finally {
      await plain.close();
    }
  });

  it('that stalls its headers is cut with 408 at the headers deadline', async () => {
    const { ms, answer } = await stall(
      'POST /graphql HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n',
      TIMEOUTS.headersMs + LATE_MS,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.headersMs - 50);
  });

  it('that stalls its body is cut with 408 at the request deadline', async () => {
    const head = 'POST /graphql HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n';
    const { ms, answer } = await stall(`${head}{"query":`, TIMEOUTS.requestMs + LATE_MS);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.requestMs - 50);
  });
});
