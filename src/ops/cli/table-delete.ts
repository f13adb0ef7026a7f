// npm run table:delete: deletes the table, with the labs' messages.
import { deleteTable } from '../admin.js';
import { openForCli } from './open.js';

const { config, db } = await openForCli();
try {
  await deleteTable(db.admin.raw, config.database.tableName);
  console.log('Table deleted successfully.');
} catch (err) {
  console.log(`Could not delete table. Please try again in a moment. Error: ${(err as Error).name}: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
