// The memo variant's DynamoDB client: ours unchanged, except that the document client's `send`
// answers from a memo of real answers. The first time a request body is seen (the answer check
// before the load reads every page once) it goes to the real endpoint and its answer is kept,
// deep-frozen (so resolvers that wrote into an answer would fail loudly instead of corrupting the
// next one); afterwards the same body is answered from the memo without the SDK: no marshalling,
// signing, HTTP or unmarshalling. Run in the same windows as ours against the same stub, ours
// minus this variant is the SDK's cost in situ, and this variant minus plain Apollo is our own.
// Building the memo's key (a JSON body of every request) is no work of ours, so it is timed and
// taken out of the variant's CPU (bench/server.ts).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface MemoStats {
  hits: number;
  misses: number;
  /** Microseconds spent finding answers (the body key, the look-up): the memo's cost, not ours. */
  ownUs: number;
}

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

/**
 * Replaces `doc.send` on this one client object with the memo. `onReplay` is told of each answer
 * replayed, so the benchmark's call tally (a middleware the memo bypasses) still counts it.
 */
export function memoize(doc: DynamoDBDocumentClient, onReplay: (command: string, output: object) => void): MemoStats {
  const stats: MemoStats = { hits: 0, misses: 0, ownUs: 0 };
  const memo = new Map<string, Promise<object>>();
  const real = doc.send.bind(doc) as (command: object) => Promise<object>;
  const send = (command: { input: object; constructor: { name: string } }): Promise<object> => {
    // The body of the request the SDK would send: the command and its input (keys, cursor, limit).
    const t0 = performance.now();
    const body = `${command.constructor.name} ${JSON.stringify(command.input)}`;
    const known = memo.get(body);
    // Synchronous and on one thread, so this wall time is CPU time of this process.
    stats.ownUs += (performance.now() - t0) * 1000;
    if (known) {
      stats.hits++;
      return known.then((out) => {
        onReplay(command.constructor.name, out);
        return out;
      });
    }
    stats.misses++;
    const answer = real(command).then(deepFreeze);
    memo.set(body, answer);
    // A failed call is not remembered: the next one asks the endpoint again.
    answer.catch(() => memo.delete(body));
    return answer;
  };
  Object.defineProperty(doc, 'send', { value: send });
  return stats;
}
