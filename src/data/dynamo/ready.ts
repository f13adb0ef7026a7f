// Readiness for /readyz, on the request path (unlike table management in src/ops).
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { metered, type CallListener } from './cost.js';

/**
 * Readiness for /readyz: the table answers DescribeTable within a second. DescribeTable is a
 * control-plane call with low rate limits on AWS, so a success is trusted for one second. The
 * call goes through the meter as source probe, so it is told apart from requests.
 */
export function createReadyCheck(
  client: DynamoDBClient,
  tableName: string,
  opts: { trustMs?: number; onCall?: CallListener } = {},
): () => Promise<boolean> {
  const trustMs = opts.trustMs ?? 1_000;
  const sink = { source: 'probe' as const, onCall: opts.onCall };
  let readyUntil = 0;
  return async () => {
    if (Date.now() < readyUntil) return true;
    try {
      const describe = () => client.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal: AbortSignal.timeout(1_000) });
      const out = await metered('DescribeTable', undefined, describe, sink);
      const ok = out.Table?.TableStatus === 'ACTIVE' || out.Table?.TableStatus === 'UPDATING';
      if (ok) readyUntil = Date.now() + trustMs;
      return ok;
    } catch {
      return false;
    }
  };
}
