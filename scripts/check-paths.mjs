// Every repository path or file name that a comment or a doc names must exist, so a file that is
// moved or renamed cannot leave a reader looking for it. Part of `npm run lint`.
//
// - Comments: the // and /* */ comments of the code under src/, test/, bench/, scripts/, infra/,
//   sdk/ and examples/. A path from the repository root (`src/data/keys.ts`) must exist; a bare
//   file name (`check-cycles.mjs`) must exist beside the file, in a folder above it, or as a path from the
//   folder of the last path the same comment named (`src/data/dynamo/` … `db.ts`), or be a module
//   the file imports.
// - Docs: README.md and docs/*.md. A path must exist; a bare file name must exist somewhere in the
//   repository (the docs name files in their folder's table row or sentence).
// - Both: a partial path (`data/dynamo/db.ts`) must end some file's path. Build outputs named on
//   purpose (the Lambda bundle, CDK's output) are listed in GENERATED; globs and placeholders
//   (`*`, `<id>`, `…`) and the AWS labs' own Python scripts are not checked.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const CODE_DIRS = ['src', 'test', 'bench', 'scripts', 'infra', 'sdk', 'examples'];
const CODE_EXT = /\.(ts|tsx|mts|mjs|cjs|js)$/;
// Generated or installed: never written by hand, never checked.
const SKIP = new Set(['node_modules', '__generated__', 'build', 'cdk.out', 'dist', 'coverage', '.data', 'quick']);
const TOP = ['src', 'test', 'bench', 'scripts', 'infra', 'sdk', 'examples', 'docs', 'schema', 'graphiql', 'demo', '.ci'];
const EXT = 'ts|tsx|mjs|cjs|js|md|graphql|json|yml|yaml|sh|html|css|svg';
// What a build or a run writes, so it exists only after one: infra's bundle and CDK output, the
// server's, the SDK package's and GraphiQL's builds (dist/), the benchmark's quick-run results,
// and the names inside the Lambda bundles (src/lambda.mjs; handlers such as src/lambda.handler).
const GENERATED = [
  /^infra\/(build|cdk\.out|node_modules)(\/|$)/,
  /^(sdk\/)?dist(\/|$)/,
  /^bench\/quick(\/|$)/,
  /^src\/lambda(-ws)?\.(mjs|handler|deliver|resync)$/,
];
const PATH = new RegExp(`(?<![\\w./-])(?:${TOP.map((t) => t.replace('.', '\\.')).join('|')})/[\\w.\\-/\\[\\]*<>{}…$]*`, 'g');
const PARTIAL = new RegExp(`(?<![\\w./-])[\\w.-]+/[\\w.\\-/]*\\.(?:${EXT})(?![\\w-])`, 'g');
const NAME = new RegExp(`(?<![\\w./-])\\w[\\w.-]*\\.(?:${EXT})(?![\\w/-])`, 'g');
// Words that look like file names and are not: products, and names the docs use as examples.
const NOT_FILES = new Set(['Node.js', 'node.js', 'Next.js', 'Vue.js', 'Express.js']);
// Files a script writes into a folder of its caller's choosing (examples/relay/compile.ts).
const WRITTEN_ELSEWHERE = new Set(['schema.graphql']);

function walk(dir, out = []) {
  for (const entry of readdirSync(dir)) {
    if (SKIP.has(entry) || entry.startsWith('.')) continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const allFiles = walk(root);
const basenames = new Set(allFiles.map((f) => basename(f)));
const relPaths = allFiles.map((f) => relative(root, f));
// A comment may name a module the way imports do: a `.js` name for its `.ts` source.
const variants = (p) => [p, p.replace(/\.js$/, '.ts'), p.replace(/\.js$/, '.tsx')];
const exists = (p) => GENERATED.some((g) => g.test(p)) || variants(p.replace(/\/$/, '')).some((v) => existsSync(join(root, v)));
/** A partial path: relative to `from` when it starts with ./ or ../, else the end of some file's path. */
const partialExists = (partial, from) =>
  /^\.\.?\//.test(partial)
    ? exists(join(from, partial))
    : GENERATED.some((g) => g.test(partial)) || variants(partial).some((v) => relPaths.some((f) => f.endsWith(`/${v}`)));

/** The basenames of the modules a file imports, as their sources are named (.js specifiers are .ts files). */
function importedNames(source) {
  const names = new Set();
  for (const m of source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
    const b = basename(m[1]);
    names.add(b).add(b.replace(/\.js$/, '.ts')).add(b.replace(/\.js$/, '.tsx'));
  }
  return names;
}

/** The comments of a source file, each with its line, skipping string and template literals. */
function comments(source) {
  const out = [];
  let i = 0;
  let line = 1;
  while (i < source.length) {
    const c = source[i];
    if (c === '\n') line++;
    if (c === '"' || c === "'" || c === '`') {
      const q = c;
      for (i++; i < source.length && source[i] !== q; i++) {
        if (source[i] === '\\') i++;
        else if (source[i] === '\n') {
          line++;
          if (q !== '`') break;
        }
      }
      i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      out.push({ text: source.slice(i + 2, end < 0 ? undefined : end), line });
      i = end < 0 ? source.length : end;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const text = source.slice(i + 2, end < 0 ? undefined : end);
      out.push({ text, line });
      line += text.split('\n').length - 1;
      i = end < 0 ? source.length : end + 2;
      continue;
    }
    i++;
  }
  return out;
}

/** Paths and bare names in a piece of prose, URLs, globs and placeholders left out. */
function mentions(text) {
  const prose = text.replace(/\S*:\/\/\S*/g, ' ');
  const found = [];
  const inPath = (at) => found.some((f) => f.path && at >= f.at && at < f.at + f.path.length);
  for (const m of prose.matchAll(PATH)) found.push({ path: m[0].replace(/[.,:;)\]]+$/, ''), at: m.index });
  for (const m of prose.matchAll(PARTIAL)) if (!inPath(m.index)) found.push({ partial: m[0], at: m.index });
  for (const m of prose.matchAll(NAME))
    if (!inPath(m.index) && !NOT_FILES.has(m[0]) && !WRITTEN_ELSEWHERE.has(m[0])) found.push({ name: m[0], at: m.index });
  return found.filter((f) => !/[*<>{}[\]]|\.\.\.|…|\$|\.py$/.test(f.path ?? f.partial ?? f.name)).sort((a, b) => a.at - b.at);
}

const problems = [];

for (const file of allFiles.filter((f) => CODE_DIRS.includes(relative(root, f).split('/')[0]) && CODE_EXT.test(f))) {
  const rel = relative(root, file);
  const source = readFileSync(file, 'utf8');
  const imported = importedNames(source);
  for (const { text, line } of comments(source)) {
    let folder = null;
    for (const m of mentions(text)) {
      if (m.partial) {
        if (!partialExists(m.partial, dirname(rel))) problems.push(`${rel}:${line}: names ${m.partial}, which no file's path ends with`);
        continue;
      }
      if (m.path) {
        if (!exists(m.path)) problems.push(`${rel}:${line}: names ${m.path}, which does not exist`);
        folder = m.path.endsWith('/') || !/\.\w+$/.test(m.path) ? m.path.replace(/\/$/, '') : dirname(m.path);
        continue;
      }
      const near = [];
      for (let d = dirname(rel); ; d = dirname(d)) {
        near.push(join(d, m.name));
        if (d === '.' || d === '') break;
      }
      if (folder) near.push(join(folder, m.name));
      if (!near.some(exists) && !imported.has(m.name))
        problems.push(`${rel}:${line}: names ${m.name}, found neither beside it nor above it`);
    }
  }
}

const docs = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
for (const rel of docs) {
  readFileSync(join(root, rel), 'utf8')
    .split('\n')
    .forEach((text, i) => {
      for (const m of mentions(text)) {
        if (m.partial && !partialExists(m.partial, '.'))
          problems.push(`${rel}:${i + 1}: names ${m.partial}, which no file's path ends with`);
        if (m.path && !exists(m.path)) problems.push(`${rel}:${i + 1}: names ${m.path}, which does not exist`);
        if (m.name && !basenames.has(m.name)) problems.push(`${rel}:${i + 1}: names ${m.name}, which no file in the repository is called`);
      }
    });
}

if (problems.length) {
  console.error(`${problems.length} path(s) named in comments or docs do not exist:\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('Every path named in comments and docs exists.');
