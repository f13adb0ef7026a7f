// The GraphQL a newcomer copies from the docs must run: every example in docs/*.md and the README
// (code blocks tagged graphql, and inline spans that are whole operations) validates against the
// schema the server serves.
import { readFileSync, readdirSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadTypeDefs } from '../../src/schema.js';

const schema = buildSchema(loadTypeDefs());
const root = new URL('../../', import.meta.url);
const docs = [
  'README.md',
  ...readdirSync(new URL('docs/', root))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Fenced ```graphql blocks, and inline spans that open with an operation keyword and carry a selection set. */
function graphqlExamples(markdown: string): string[] {
  const fenced = [...markdown.matchAll(/^```graphql\s*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const inline = [...prose.matchAll(/`((?:query|mutation|subscription)\b[^`]*\{[^`]*)`/g)].map((m) => m[1]!);
  return [...fenced, ...inline];
}

const examples = docs.flatMap((file) => graphqlExamples(readFileSync(new URL(file, root), 'utf8')).map((source) => ({ file, source })));

describe('GraphQL examples in the docs', () => {
  it('finds the examples (the extraction itself works)', () => {
    expect(examples.map((e) => e.file)).toContain('docs/architecture.md');
    expect(graphqlExamples('a `mutation { ping }` b\n```graphql\nquery { ping }\n```\n`query Named` c')).toEqual([
      'query { ping }\n',
      'mutation { ping }',
    ]);
  });

  it.each(examples)('$file: $source', ({ source }) => {
    const errors = validate(schema, parse(source)).map((e) => e.message);
    expect(errors).toEqual([]);
  });

  it('a wrong example fails validation (what the old joinGame example did)', () => {
    const errors = validate(schema, parse('mutation { joinGame(gameId: "1") { gameId username } }'));
    expect(errors.map((e) => e.message)).toContainEqual(expect.stringMatching(/^Cannot query field "gameId" on type "GameParticipation"/));
  });
});
