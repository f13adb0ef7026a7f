// The CDK app's stacks, from context (-c stage=prod -c authJwksUrl=...), so tests can build
// exactly what `cdk synth` builds.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { bundleServer } from './bundle.js';
import { GraphqlStack, type JwksAuth } from './stack.js';

export const INFRA_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Adds the stage's stack to app, bundling the server into bundleDir (infra/build/lambda by default). */
export function defineStacks(app: App, bundleDir = join(INFRA_ROOT, 'build', 'lambda')): GraphqlStack {
  const context = (key: string): string | undefined => {
    const v = app.node.tryGetContext(key) as unknown;
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const stage = context('stage') ?? 'dev';
  const jwksUrl = context('authJwksUrl');
  const issuer = context('authIssuer');
  const audience = context('authAudience');
  if (jwksUrl && (!issuer || !audience)) throw new Error('authJwksUrl needs authIssuer and authAudience too.');
  const auth: JwksAuth | undefined = jwksUrl ? { jwksUrl, issuer: issuer!, audience: audience! } : undefined;

  // -c redisUrl=rediss://... deploys the stream reader Lambda publishing to that Redis (docs/deployment.md).
  const redisUrl = context('redisUrl');
  // -c live=serverless deploys live updates on API Gateway's WebSocket API instead (docs/deployment.md).
  const live = context('live');
  if (live !== undefined && live !== 'serverless') throw new Error(`live must be "serverless" (or absent), got "${live}".`);
  if (live && redisUrl) throw new Error('Choose -c live=serverless or -c redisUrl=...: both would consume the stream.');
  const bundle = bundleServer(bundleDir);
  return new GraphqlStack(app, `DynamoGraphql-${stage}`, {
    stage,
    auth,
    code: Code.fromAsset(bundle.dir),
    handler: bundle.handler,
    ...(redisUrl ? { streamReader: { redisUrl, handler: bundle.streamReaderHandler } } : {}),
    ...(live
      ? { serverlessLive: { handler: bundle.wsHandler, deliverHandler: bundle.deliverHandler, resyncHandler: bundle.resyncHandler } }
      : {}),
    description: `GraphQL server and DynamoDB table (${stage})`,
  });
}
