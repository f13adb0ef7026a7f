// Builds the GraphiQL playground into dist/graphiql unless the build there is newer than every
// file it is made from (graphiql/ and package-lock.json), so `npm start` stays fast after the
// first run and a fresh clone builds it once. Prints one line; exits non-zero when the build fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const output = join(root, 'dist', 'graphiql', 'index.html');
const sources = [join(root, 'graphiql'), join(root, 'package-lock.json')];
const vite = join(root, 'node_modules', '.bin', 'vite');

function newestSource(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs };
  let newest = { path, mtimeMs: 0 };
  for (const entry of readdirSync(path)) {
    const found = newestSource(join(path, entry));
    if (found.mtimeMs > newest.mtimeMs) newest = found;
  }
  return newest;
}

function staleReason() {
  if (!existsSync(output)) return 'not built yet';
  const built = statSync(output).mtimeMs;
  const newest = sources
    .filter(existsSync)
    .map(newestSource)
    .reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
  return newest.mtimeMs > built ? `${relative(root, newest.path)} changed` : null;
}

const reason = staleReason();
if (!reason) {
  console.log('GraphiQL: dist/graphiql is up to date.');
  process.exit(0);
}
if (!existsSync(vite)) {
  console.error(`GraphiQL: cannot build (${reason}): ${relative(root, vite)} is missing; run "npm ci" first.`);
  process.exit(1);
}
const started = Date.now();
// vite's own output is kept for a failure: a successful build is one line, like an up-to-date one.
const build = spawnSync(vite, ['build', '--config', join('graphiql', 'vite.config.ts')], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
  const why = build.error ? build.error.message : build.signal ? `killed by ${build.signal}` : `exit code ${build.status}`;
  console.error(`GraphiQL: the build failed (${why}); the playground at /graphql is unavailable until it succeeds.`);
  process.exit(1);
}
console.log(`GraphiQL: built dist/graphiql in ${((Date.now() - started) / 1000).toFixed(1)}s (${reason}).`);
