// Bundles the server's Lambda entry (src/lambda.ts) with the esbuild in infra's node_modules, so
// synth needs neither Docker nor the network. The asset mirrors the repository's layout because
// server.ts finds the SDL at ../schema/ from its own module URL: src/lambda.mjs + schema/*.graphql.
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The handler setting that matches the bundle's layout. */
export const LAMBDA_HANDLER = 'src/lambda.handler';

export interface Bundle {
  dir: string;
  handler: string;
  /** Size of the bundled JavaScript, for a sanity check on what got pulled in. */
  bytes: number;
  /** Every input file esbuild included, relative to the repository root. */
  inputs: string[];
}

/**
 * Writes the Lambda asset to outDir (emptied first, so no stale file ships). `entry` (relative to
 * the repository) lets the benchmark bundle another handler the same way, for a like-for-like cold start.
 */
export function bundleServer(outDir: string, entry = 'src/lambda.ts'): Bundle {
  rmSync(outDir, { recursive: true, force: true });
  const outfile = join(outDir, 'src', 'lambda.mjs');
  const result = buildSync({
    entryPoints: [join(REPO_ROOT, entry)],
    absWorkingDir: REPO_ROOT,
    outfile,
    bundle: true,
    platform: 'node',
    // The oldest Node the project supports (package.json engines); Lambda runs it on nodejs24.x.
    target: 'node20',
    format: 'esm',
    // Everything ships, the AWS SDK included: the runtime's copy may differ from the version
    // lib-dynamodb was tested with, and one bundle starts faster than node_modules on disk.
    // A cold start parses the whole file, so it carries as little as it can (bench/RESULTS.md,
    // "Lambda cold start"): the ES module builds of packages that ship both (graphql, the SDK), so
    // esbuild can drop what is never imported; whitespace and syntax minified but identifiers kept,
    // so stack traces in CloudWatch still name the functions; and no Apollo usage-reporting protobuf.
    mainFields: ['module', 'main'],
    minifyWhitespace: true,
    minifySyntax: true,
    alias: { '@apollo/usage-reporting-protobuf': join(REPO_ROOT, 'infra', 'lib', 'no-usage-reporting.cjs') },
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    // CommonJS dependencies call require() for Node built-ins, which an ES module lacks.
    banner: {
      js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);",
    },
  });
  const schemaSrc = join(REPO_ROOT, 'schema');
  const schemaOut = join(outDir, 'schema');
  mkdirSync(schemaOut, { recursive: true });
  for (const f of readdirSync(schemaSrc)) if (f.endsWith('.graphql')) copyFileSync(join(schemaSrc, f), join(schemaOut, f));
  return { dir: outDir, handler: LAMBDA_HANDLER, bytes: statSync(outfile).size, inputs: Object.keys(result.metafile.inputs) };
}
