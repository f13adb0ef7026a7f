// Faults for the DynamoDB proxy (test/helpers/recorder.ts does the injecting): DynamoDB's own
// throttling and 5xx answers byte for byte as the SDK parses them, dropped connections and slow
// answers, with schedules that pick which calls fail. Random schedules take a seed, so a failing
// run can be replayed.
import type { Injected, RecordedCall } from './recorder.js';

export { startRecorder as startFaultProxy, type Injected, type Recorder as FaultProxy } from './recorder.js';

const DYNAMODB = 'com.amazonaws.dynamodb.v20120810#';

export const fault = {
  /** What DynamoDB answers when a table or index is over its provisioned throughput. */
  provisionedThroughputExceeded: (): Injected => ({
    status: 400,
    body: {
      __type: `${DYNAMODB}ProvisionedThroughputExceededException`,
      message: 'The level of configured provisioned throughput for the table was exceeded.',
    },
  }),
  /** What DynamoDB answers when an account or partition exceeds its request rate (on-demand tables). */
  throttling: (): Injected => ({
    status: 400,
    body: { __type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  }),
  internalServerError: (): Injected => ({
    status: 500,
    body: { __type: `${DYNAMODB}InternalServerError`, message: 'Internal server error' },
  }),
  serviceUnavailable: (): Injected => ({
    status: 503,
    body: { __type: 'com.amazon.coral.availability#ServiceUnavailableException', message: 'Service unavailable' },
  }),
  /** DynamoDB cancelled a transaction, with these reasons (one per action, as DynamoDB sends them). */
  transactionCanceled: (reasons: { Code: string; Message?: string }[]): Injected => ({
    status: 400,
    body: {
      __type: `${DYNAMODB}TransactionCanceledException`,
      Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
      CancellationReasons: reasons,
    },
  }),
  /** The connection is cut before DynamoDB sees the request. */
  dropBefore: (): Injected => ({ drop: 'before' }),
  /** DynamoDB applies the request, then the connection is cut before its answer arrives. */
  dropAfter: (): Injected => ({ drop: 'after' }),
  /** DynamoDB applies the request; its answer arrives `ms` later. */
  slow: (ms: number): Injected => ({ delayMs: ms }),
  /** DynamoDB applies the request; its answer never arrives, so the client gives up at its own timeout. */
  held: (): Injected => ({ hold: true }),
};

/** Decides, call by call, whether the proxy injects a fault. */
export type Rule = (call: RecordedCall) => Injected | undefined;
export type Match = (call: RecordedCall) => boolean;

const anyCall: Match = () => true;

export const onCommands =
  (...commands: string[]): Match =>
  (call) =>
    commands.includes(call.command);

/** Every matching call fails. */
export function always(make: () => Injected, match: Match = anyCall): Rule {
  return (call) => (match(call) ? make() : undefined);
}

/** The next `n` matching calls fail, then the rule lets everything through. */
export function times(n: number, make: () => Injected, match: Match = anyCall): Rule {
  let left = n;
  return (call) => (match(call) && left-- > 0 ? make() : undefined);
}

/** Each matching call fails with probability `rate`, with one of `makes` chosen at random. */
export function sometimes(rate: number, makes: (() => Injected)[], seed: number, match: Match = anyCall): Rule {
  const random = seeded(seed);
  return (call) => {
    if (!match(call) || random() >= rate) return undefined;
    return makes[Math.floor(random() * makes.length)]!();
  };
}

/**
 * The first `n` distinct matching requests fail on every attempt: the SDK retries a request with
 * the same body, so each of them runs out of retries whatever the order concurrent calls arrive in.
 */
export function stuck(n: number, make: () => Injected, match: Match = anyCall): Rule {
  const chosen = new Set<string>();
  return (call) => {
    if (!match(call)) return undefined;
    const key = `${call.command} ${JSON.stringify(call.body)}`;
    if (chosen.size < n) chosen.add(key);
    return chosen.has(key) ? make() : undefined;
  };
}

/** The first rule that injects a fault wins. */
export function either(...rules: Rule[]): Rule {
  return (call) => {
    for (const rule of rules) {
      const injected = rule(call);
      if (injected) return injected;
    }
    return undefined;
  };
}

/** Notes when each call reached the proxy, then applies `rule`: tests read the gaps between retries from it. */
export function timed(rule: Rule, log: { command: string; at: number }[]): Rule {
  return (call) => {
    log.push({ command: call.command, at: performance.now() });
    return rule(call);
  };
}

/** A small seeded generator (mulberry32): the same seed gives the same faults. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
