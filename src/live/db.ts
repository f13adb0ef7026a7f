// The live layer's own DynamoDB work goes through the same door as requests (data/dynamo/db.ts),
// one Db per kind of work, so metrics and traces say whose each call was (cost.ts: CallSource).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CallSource } from '../data/dynamo/cost.js';
import { CostMeter } from '../data/dynamo/cost.js';
import { Db } from '../data/dynamo/db.js';
import { recordBackgroundCall } from '../observe/background.js';

export function backgroundDb(doc: DynamoDBDocumentClient, tableName: string, source: Exclude<CallSource, 'request'>): Db {
  return new Db(doc, tableName, new CostMeter(), recordBackgroundCall, source);
}
