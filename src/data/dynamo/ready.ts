// Readiness for /readyz, on the request path (unlike table management in src/ops).
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Readiness for /readyz: the table answers DescribeTable within a second. DescribeTable is a
 * control-plane call with low rate limits on AWS, so a success is trusted for one second.
 */
export function createReadyCheck(client: DynamoDBClient, tableName: string, trustMs = 1_000): () => Promise<boolean> {
  let readyUntil = 0;
  return async () => {
    if (Date.now() < readyUntil) return true;
    try {
      const out = await client.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal: AbortSignal.timeout(1_000) });
      const ok = out.Table?.TableStatus === 'ACTIVE' || out.Table?.TableStatus === 'UPDATING';
      if (ok) readyUntil = Date.now() + trustMs;
      return ok;
    } catch {
      return false;
    }
  };
}
