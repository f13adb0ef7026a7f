// Compiles the example with Relay's own compiler (the binary inside the npm package relay-compiler),
// against the schema printed from schema/ (the compiler reads one SDL file). Everything it writes
// goes to a folder of its own, never into the repository:
//
//   npx tsx examples/relay/compile.ts [outDir]      (default: a fresh temporary folder)
//
// outDir gets schema.graphql, relay.config.json (this folder's, with absolute paths) and
// __generated__/ with one artifact per operation and fragment.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, printSchema } from 'graphql';
import { loadTypeDefs } from '../../src/schema.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

export interface Compiled {
  /** Where the artifacts are: <Name>.graphql.ts for each operation and fragment. */
  artifacts: string;
  /** What the compiler printed. */
  log: string;
}

export function compileRelayExample(outDir = mkdtempSync(join(tmpdir(), 'relay-example-'))): Compiled {
  const binary = createRequire(import.meta.url)('relay-compiler') as string | null;
  if (!binary) throw new Error(`relay-compiler ships no binary for ${process.platform} ${process.arch}.`);
  const schema = join(outDir, 'schema.graphql');
  const artifacts = join(outDir, '__generated__');
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(schema, printSchema(buildSchema(loadTypeDefs())));
  const config = JSON.parse(readFileSync(join(HERE, 'relay.config.json'), 'utf8')) as Record<string, unknown>;
  const configFile = join(outDir, 'relay.config.json');
  writeFileSync(configFile, JSON.stringify({ ...config, src: resolve(HERE, 'src'), schema, artifactDirectory: artifacts }, null, 2));
  // Relay's compiler fails (non-zero exit, the reason on stderr) on anything it refuses.
  const log = execFileSync(binary, [configFile], { cwd: outDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { artifacts, log };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { artifacts, log } = compileRelayExample(process.argv[2] ? resolve(process.argv[2]) : undefined);
  process.stdout.write(`${log}Artifacts in ${artifacts}\n`);
}
