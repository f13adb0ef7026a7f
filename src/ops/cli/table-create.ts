// npm run table:create: creates the table if absent and adds any missing index, idempotently.
import { ensureTable } from '../admin.js';
import { openForCli } from './open.js';

const { config, db } = await openForCli();
try {
  const r = await ensureTable(db.admin.raw, config.database.tableName);
  if (r.created) console.log(`Table ${config.database.tableName} created.`);
  else if (r.addedIndexes.length) console.log(`Table ${config.database.tableName} existed; added index(es): ${r.addedIndexes.join(', ')}.`);
  else console.log(`Table ${config.database.tableName} already exists with every index.`);
} catch (err) {
  console.error(`Could not create table. Error: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
