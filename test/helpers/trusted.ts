// Raw requests for the trusted-documents tests: bodies, GET parameters and graphql-ws subscribe
// payloads exactly as a client sends them (ids, documents, both, or neither), and the codes answered.
import type { Client, SubscribePayload } from 'graphql-ws';
import type { TestServer } from './server.js';

/** Codes that mean a request was refused before it executed. */
export const REFUSALS = [
  'TRUSTED_DOCUMENT_REQUIRED',
  'TRUSTED_DOCUMENT_NOT_FOUND',
  'TRUSTED_DOCUMENT_ID_INVALID',
  'TRUSTED_DOCUMENT_MISMATCH',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
];

export interface Answer {
  status: number;
  body: Record<string, any>;
  codes: string[];
}

async function answer(res: Response): Promise<Answer> {
  const body = (await res.json()) as Record<string, any>;
  return { status: res.status, body, codes: (body.errors ?? []).map((e: any) => String(e.extensions?.code)) };
}

export async function postJson(s: TestServer, body: unknown, token?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return answer(await fetch(`${s.url}/graphql`, { method: 'POST', headers, body: JSON.stringify(body) }));
}

/** A GET with these search parameters (Apollo's CSRF prevention wants the preflight header on a GET). */
export async function getJson(s: TestServer, params: Record<string, string>): Promise<Answer> {
  const url = `${s.url}/graphql?${new URLSearchParams(params).toString()}`;
  return answer(await fetch(url, { headers: { 'apollo-require-preflight': 'true', accept: 'application/json' } }));
}

export interface Outcome {
  /** The codes of the protocol's `error` message; empty when the subscription went live instead. */
  codes: string[];
  close(): Promise<void>;
}

/**
 * Sends one subscribe message and resolves with the `error` it got, or once `isLive()` says the
 * server holds the subscription, whichever comes first (bounded by `ms`).
 */
export async function subscribeOnce(client: Client, payload: SubscribePayload, isLive: () => boolean, ms = 10_000): Promise<Outcome> {
  let codes: string[] | null = null;
  let failure: unknown = null;
  const dispose = client.subscribe(payload, {
    next: () => undefined,
    error: (e) => {
      if (Array.isArray(e)) codes = e.map((x: any) => String(x.extensions?.code));
      else failure = e;
    },
    complete: () => undefined,
  });
  const deadline = Date.now() + ms;
  while (codes === null && !isLive()) {
    if (failure !== null) throw new Error(`The connection failed: ${String(failure)}`);
    if (Date.now() > deadline) throw new Error(`Neither an error nor a live subscription within ${ms} ms.`);
    await new Promise((r) => setImmediate(r));
  }
  return { codes: codes ?? [], close: async () => dispose() };
}
