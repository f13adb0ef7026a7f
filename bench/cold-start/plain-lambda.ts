// The cold-start peer: a plain Apollo Server on the same Lambda integration, the way its docs set
// it up, serving the same SDL with the textbook resolvers (bench/textbook) through a default
// DynamoDB document client. Bundled exactly as src/lambda.ts is (infra/lib/bundle.ts).
import { ApolloServer } from '@apollo/server';
import { handlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadTypeDefs } from '../../src/schema.js';
import { createTextbookContext, textbookResolvers } from '../textbook/resolvers.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: process.env.AWS_REGION }));
const table = process.env.TABLE_NAME ?? 'bench';
const server = new ApolloServer({ typeDefs: loadTypeDefs(), resolvers: textbookResolvers as never });

// `as never` for the reason src/lambda.ts gives: the integration's types name Apollo's CJS declarations.
export const handler = startServerAndCreateLambdaHandler(server as never, handlers.createAPIGatewayProxyEventV2RequestHandler(), {
  context: async () => createTextbookContext(doc, table),
});
