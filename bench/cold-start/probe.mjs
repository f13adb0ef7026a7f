// One Lambda cold start in this fresh process: import the bundled handler, answer one API Gateway
// (payload 2.0) request, print the times since Node's time origin and the heap, as one JSON line.
//   node bench/cold-start/probe.mjs <bundle file> <request body JSON>
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [file, body] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(file).href);
const importMs = performance.now();
const event = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/graphql',
  rawQueryString: '',
  isBase64Encoded: false,
  headers: { 'content-type': 'application/json' },
  requestContext: { http: { method: 'POST', path: '/graphql' } },
  body,
};
const res = await handler(event, {});
const answerMs = performance.now();
const cpu = process.cpuUsage();
const { heapUsed, rss } = process.memoryUsage();
const ok = res.statusCode === 200 && !JSON.parse(res.body).errors;
process.stdout.write(
  `${JSON.stringify({ ok, status: res.statusCode, importMs, answerMs, cpuMs: (cpu.user + cpu.system) / 1000, heapUsed, rss, error: ok ? undefined : res.body.slice(0, 300) })}\n`,
  () =>
    // The SDK keeps its sockets open for the next invocation; a probe is done after one.
    process.exit(0),
);
