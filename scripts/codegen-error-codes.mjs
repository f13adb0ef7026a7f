// graphql-codegen plugin: the server's error codes (the ErrorCode union of src/errors.ts) as a list
// the SDK owns, so the SDK imports nothing from src/ and a code added to the server reaches it with
// `npm run codegen` (and CI fails until it is regenerated).
import { readFileSync } from 'node:fs';

export const plugin = () => {
  const source = readFileSync('src/errors.ts', 'utf8');
  const union = /export type ErrorCode =([^;]*);/.exec(source)?.[1];
  const codes = [...(union ?? '').matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
  if (!codes.length) throw new Error('No `export type ErrorCode = ...;` union found in src/errors.ts.');
  return [
    "/** Every extensions.code the server gives its own errors (ErrorCode in the server's src/errors.ts). */",
    `export const SERVER_ERROR_CODES = [${codes.map((c) => `'${c}'`).join(', ')}] as const;`,
    '',
    'export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[number];',
    '',
  ].join('\n');
};
