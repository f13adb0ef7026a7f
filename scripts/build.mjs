// `npm run build`: compiles src/ with tsc into dist/src (the production server runs that, not
// TypeScript through tsx), then copies beside it what the modules find from their own URL: the SDL
// (../schema), the demo data (../demo) and DynamoDB Local's watchdog, so dist/ mirrors the
// repository's layout as the Lambda bundle does. dist/graphiql (scripts/ensure-graphiql.mjs) is kept.
//   node scripts/build.mjs [outDir]   (dist by default; the build test writes to a temporary one)
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist');
for (const d of ['src', 'schema', 'demo']) rmSync(join(dist, d), { recursive: true, force: true });
const tsc = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.build.json'), '--outDir', dist], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
cpSync(join(root, 'schema'), join(dist, 'schema'), { recursive: true });
cpSync(join(root, 'demo'), join(dist, 'demo'), { recursive: true });
cpSync(join(root, 'src', 'ops', 'watchdog.cjs'), join(dist, 'src', 'ops', 'watchdog.cjs'));
console.log(`built ${join(dist, 'src')} (node ${join(dist, 'src', 'main.js')})`);
