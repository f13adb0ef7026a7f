// The "Observability overhead" section of bench/RESULTS.md and its two targets.
import { OBSERVE_MODES, OVERHEAD_TARGETS, type ObserveOverhead } from './observe-overhead.js';

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;

export function observabilityTargets(o: ObserveOverhead) {
  return (['metrics', 'tracing'] as const).map((mode) => ({
    id: `observability overhead: ${mode === 'metrics' ? 'Prometheus metrics' : 'tracing at a sampling ratio of 0.1'}`,
    target: `server CPU per op ≤ +${100 * OVERHEAD_TARGETS[mode]} % over both off`,
    measured: `${pct(o.overhead[mode])} (${o.scenario}, median of ${o.rounds} paired rounds)`,
    met: o.overhead[mode] <= OVERHEAD_TARGETS[mode],
  }));
}

export function observabilityMarkdown(o: ObserveOverhead): string {
  const rows = OBSERVE_MODES.map(
    (m) =>
      `| ${m} | ${o.cpuMsPerOp[m].toFixed(3)} | ${m === 'off' ? '–' : pct(o.overhead[m])} | ${o.samples[m].map((x) => x.toFixed(3)).join(', ')} |`,
  );
  return `## Observability overhead

Ours against the stub DynamoDB on ${o.scenario}, three servers alike but for observability: **off**
(METRICS=off, no tracing), **metrics** (prom-client, process metrics included, every request and
DynamoDB call recorded), **tracing** (OpenTelemetry, a span per operation and per DynamoDB call,
sampling ratio 0.1, exported over OTLP/HTTP to a sink in the benchmark; ${o.spansReceived} spans
received). Each round loads the three in turn for ${o.windowS} s at 16 connections (the order rotating
from round to round); the overhead is the median over rounds of (mode ÷ off in the same round) − 1,
so drift between rounds cancels.

| mode | server CPU ms/op (median) | overhead | every round |
|---|---|---|---|
${rows.join('\n')}
`;
}
