// How the reader reacts to each failure of a DynamoDB Streams call, and how it waits.

export type FailureKind =
  /** The iterator is older than 15 minutes (or was never used in time): get a new one. */
  | 'expired'
  /** The position asked for is older than the 24 h retention: records were lost. */
  | 'trimmed'
  /** The stream, the shard or the table is gone (deleted, disabled, replaced): look again. */
  | 'gone'
  /** stop() aborted the call. */
  | 'aborted'
  /** Throttling, network, timeouts, 5xx and anything unexpected: back off and retry. */
  | 'retry';

export function classify(err: unknown): FailureKind {
  const name = (err as { name?: string } | null)?.name ?? '';
  switch (name) {
    case 'ExpiredIteratorException':
      return 'expired';
    case 'TrimmedDataAccessException':
      return 'trimmed';
    case 'ResourceNotFoundException':
      return 'gone';
    case 'AbortError':
      return 'aborted';
    default:
      return 'retry';
  }
}

/** Exponential backoff, capped, jittered over its upper half so shards retrying at once drift apart. */
export function backoffMs(attempt: number, baseMs = 200, capMs = 10_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Resolves after ms, or as soon as any signal aborts; never rejects and leaves no timer. */
export function sleep(ms: number, ...signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    if (signals.some((s) => s.aborted)) return resolve();
    const done = () => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of signals) s.addEventListener('abort', done, { once: true });
  });
}
