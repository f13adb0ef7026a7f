// npm run table:create: creates the table if absent, or gives an existing one (a lab's) the
// stream, indexes and TTL it lacks, idempotently; a table set up otherwise gets the exact change.
import { TableConflictError, describeEnsured, ensureTable } from '../admin.js';
import { openForCli } from './open.js';

const { config, db } = await openForCli();
try {
  const r = await ensureTable(db.admin.raw, config.database.tableName);
  for (const line of describeEnsured(config.database.tableName, r)) console.log(line);
} catch (err) {
  // A conflict is already a full sentence naming the change to make, not a failure to report.
  if (err instanceof TableConflictError) console.error(err.message);
  else console.error(`Could not create table. Error: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
