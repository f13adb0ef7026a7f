// DynamoDB Local (in memory) with the benchmark's items, and the stub endpoint that answers at once.
import { join } from 'node:path';
import { createClients } from '../../src/data/dynamo/client.js';
import { ensureTable } from '../../src/ops/admin.js';
import { loadItems } from '../../src/ops/load.js';
import { startDynamoLocal } from '../../src/ops/local.js';
import { startNode } from '../processes.js';
import { benchItems, itemBytes } from '../seed.js';
import { HERE, TABLE } from '../settings.js';
import type { Phase } from './bench.js';

export const database: Phase = {
  title: 'DynamoDB Local with the seeded items, and the stub endpoint',
  async run(b) {
    b.dynamo = await startDynamoLocal();
    b.place('DynamoDB Local (java, in memory)', b.dynamo.pid);
    const items = benchItems(b.settings.fanouts);
    const { raw, doc } = createClients({ endpoint: b.dynamo.endpoint, region: 'local', timeoutMs: 10_000, maxAttempts: 6 });
    await ensureTable(raw, TABLE);
    const seedStart = Date.now();
    await loadItems(doc, TABLE, items);
    raw.destroy();
    b.items = items.length;
    const sizes = items.map(itemBytes);
    b.log(
      `seeded ${items.length} items by BatchWriteItem in ${((Date.now() - seedStart) / 1000).toFixed(1)} s (mean item ${Math.round(sizes.reduce((a, x) => a + x, 0) / sizes.length)} B)`,
    );
    const stub = await startNode({
      name: 'stub',
      role: 'stub DynamoDB endpoint',
      script: join(HERE, 'stub-dynamo.ts'),
      args: [TABLE],
      logFile: join(b.logDir, 'stub.log'),
    });
    b.stubEndpoint = `http://127.0.0.1:${String(stub.ready.port)}`;
    b.place('stub DynamoDB endpoint (bench/stub-dynamo.ts)', stub.pid);
  },
};
