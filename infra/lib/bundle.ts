// Bundles the server's Lambda entry (src/lambda.ts) with the esbuild in infra's node_modules, so
// synth needs neither Docker nor the network. The asset mirrors the repository's layout because
// src/schema.ts finds the SDL at ../schema/ from its own module URL: src/lambda.mjs + schema/*.graphql.
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The handler setting that matches the bundle's layout. */
export const LAMBDA_HANDLER = 'src/lambda.handler';
/** The stream reader's handler (src/live/lambda-reader.ts), in the same asset. */
export const STREAM_READER_HANDLER = 'src/live/lambda-reader.handler';
/** The WebSocket API's routes and the stream's delivery function (src/lambda-ws.ts), in the same asset. */
export const WS_HANDLER = 'src/lambda-ws.handler';
export const DELIVER_HANDLER = 'src/lambda-ws.deliver';
export const RESYNC_HANDLER = 'src/lambda-ws.resync';

export interface Bundle {
  dir: string;
  handler: string;
  streamReaderHandler: string;
  wsHandler: string;
  deliverHandler: string;
  resyncHandler: string;
  /** Size of the bundled JavaScript, for a sanity check on what got pulled in. */
  bytes: number;
  /** Every input file esbuild included in the HTTP entry, relative to the repository root. */
  inputs: string[];
  /** The same for the stream reader's entry. */
  streamReaderInputs: string[];
  /** The same for the WebSocket routes' and delivery entry. */
  wsInputs: string[];
}

/**
 * Writes the Lambda asset to outDir (emptied first, so no stale file ships). `entry` (relative to
 * the repository) lets the benchmark bundle another handler the same way, for a like-for-like cold start.
 */
export function bundleServer(outDir: string, entry = 'src/lambda.ts'): Bundle {
  rmSync(outDir, { recursive: true, force: true });
  const outfile = join(outDir, 'src', 'lambda.mjs');
  const readerFile = join(outDir, 'src', 'live', 'lambda-reader.mjs');
  const result = buildSync({
    // Two entries, one asset: the HTTP server and the stream reader share code and deploy together.
    entryPoints: {
      'src/lambda': join(REPO_ROOT, entry),
      'src/live/lambda-reader': join(REPO_ROOT, 'src', 'live', 'lambda-reader.ts'),
      'src/lambda-ws': join(REPO_ROOT, 'src', 'lambda-ws.ts'),
    },
    absWorkingDir: REPO_ROOT,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
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
    // graphql-js (and other packages) check NODE_ENV at run time; Lambda sets none, so without this
    // graphql ran in development mode (its instanceof checks across realms cost 3.5 % of the CPU
    // of a list page). Defined at build time, the checks fold away with minifySyntax.
    define: { 'process.env.NODE_ENV': '"production"' },
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
  const inputsOf = (file: string) => {
    const out = Object.entries(result.metafile.outputs).find(([name]) => join(REPO_ROOT, name) === file);
    if (!out) throw new Error(`esbuild wrote no ${file}`);
    return Object.keys(out[1].inputs);
  };
  return {
    dir: outDir,
    handler: LAMBDA_HANDLER,
    streamReaderHandler: STREAM_READER_HANDLER,
    wsHandler: WS_HANDLER,
    deliverHandler: DELIVER_HANDLER,
    resyncHandler: RESYNC_HANDLER,
    bytes: statSync(outfile).size,
    inputs: inputsOf(outfile),
    streamReaderInputs: inputsOf(readerFile),
    wsInputs: inputsOf(join(outDir, 'src', 'lambda-ws.mjs')),
  };
}
