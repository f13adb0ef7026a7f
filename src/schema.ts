// The SDL, one file per domain under schema/. This module sits directly under src/, like the
// entries (main.ts, lambda.ts), because the Lambda bundle is src/lambda.mjs and finds ../schema/
// from its own module URL: a deeper module would point elsewhere once bundled.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCHEMA_DIR = fileURLToPath(new URL('../schema/', import.meta.url));

/** Every schema/*.graphql file, joined: one SDL per domain. */
export function loadTypeDefs(): string {
  return readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(SCHEMA_DIR, f), 'utf8'))
    .join('\n');
}
