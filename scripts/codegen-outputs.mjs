// The files codegen.yml generates, read from its `generates:` keys.
import { readFileSync } from 'node:fs';

export function load() {
  const yml = readFileSync('codegen.yml', 'utf8');
  return [...yml.matchAll(/^ {2}([^\s#][^:]*\.(?:ts|graphql|json)):\s*$/gm)].map((m) => m[1].trim());
}
