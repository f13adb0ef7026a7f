import { startDynamoLocal } from '../src/ops/local.js';
import { runServerlessLiveBench } from './serverless-live.js';
const d = await startDynamoLocal();
try {
  const r = await runServerlessLiveBench({
    endpoint: d.endpoint,
    quick: true,
    log: console.log,
    subscribers: Number(process.argv[2] ?? 1000),
    events: Number(process.argv[3] ?? 3),
  });
  console.log(JSON.stringify(r));
} finally {
  await d.stop();
}
