// npm run table:load -- <file.jsonl> [...]: loads items in the labs' one-item-per-line format.
import { loadItems, readJsonl } from '../load.js';
import { openForCli } from './open.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('Usage: npm run table:load -- <file.jsonl> [more.jsonl ...]');
  process.exit(2);
}
const { config, db } = await openForCli();
try {
  let total = 0;
  for (const f of files) {
    const n = await loadItems(db.admin.doc, config.database.tableName, readJsonl(f));
    console.log(`Loaded ${n} items from ${f}.`);
    total += n;
  }
  if (files.length > 1) console.log(`Loaded ${total} items in all.`);
} catch (err) {
  console.error(`Could not load items. Error: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
