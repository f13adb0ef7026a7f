// Fails when the committed generated code differs from what `npm run codegen` makes now, so a
// schema or operation change without regenerating never lands.
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { load } from './codegen-outputs.mjs';

const outputs = load();
const before = new Map(outputs.map((f) => [f, existsSync(f) ? readFileSync(f, 'utf8') : null]));
execFileSync(process.execPath, ['node_modules/@graphql-codegen/cli/cjs/bin.js', '--config', 'codegen.yml', '--silent'], {
  stdio: 'inherit',
});
const stale = outputs.filter((f) => before.get(f) !== readFileSync(f, 'utf8'));
if (stale.length) {
  console.error(`Generated code was stale (now regenerated; commit it): ${stale.join(', ')}`);
  process.exit(1);
}
console.log(`Generated code is current (${outputs.length} file(s)).`);
