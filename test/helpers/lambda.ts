// API Gateway HTTP API (payload 2.0) events for the Lambda entry's tests, and a way to invoke it.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context as LambdaContext } from 'aws-lambda';
import type { LambdaHttpHandler } from '../../src/lambda.js';

export const SECRETS = { AUTH_SECRET: 'a'.repeat(40), CURSOR_SECRET: 'c'.repeat(40) };

export interface EventInit {
  method?: string;
  path?: string;
  body?: string;
  base64?: boolean;
  headers?: Record<string, string>;
  query?: string;
}

export function event({
  method = 'POST',
  path = '/graphql',
  body,
  base64 = false,
  headers = {},
  query = '',
}: EventInit): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: query,
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: body === undefined ? undefined : base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}

export const lambdaContext = { awsRequestId: 'test', functionName: 'graphql' } as LambdaContext;

export async function invoke(handler: LambdaHttpHandler, init: EventInit) {
  const res = await handler(event(init), lambdaContext);
  return { status: res.statusCode, headers: res.headers ?? {}, body: res.body ? JSON.parse(res.body) : undefined };
}

export const graphql = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });
