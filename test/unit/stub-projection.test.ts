// The bench stub's ProjectionExpression (bench/stub-projection.ts) answers as DynamoDB does, so a
// server that projects is measured against the bytes DynamoDB would send it.
import { describe, expect, it } from 'vitest';
import { projectedAttributes, projectedJson, Validation } from '../../bench/stub-projection.js';

const stored = () => {
  const av = { PK: { S: 'USER#a' }, SK: { S: '#METADATA#a' }, name: { S: 'A' }, followers: { N: '3' } };
  return { av, json: JSON.stringify(av) };
};

describe('the bench stub projection', () => {
  it('returns only the projected attributes, names resolved through placeholders', () => {
    const attrs = projectedAttributes({ ProjectionExpression: '#p0, SK, #p1', ExpressionAttributeNames: { '#p0': 'PK', '#p1': 'name' } });
    expect(attrs).toEqual(['PK', 'SK', 'name']);
    expect(JSON.parse(projectedJson(stored(), attrs))).toEqual({ PK: { S: 'USER#a' }, SK: { S: '#METADATA#a' }, name: { S: 'A' } });
  });

  it('leaves out projected attributes the item lacks, and returns whole items without a projection', () => {
    expect(JSON.parse(projectedJson(stored(), ['PK', 'missing']))).toEqual({ PK: { S: 'USER#a' } });
    const s = stored();
    expect(projectedJson(s, projectedAttributes({}))).toBe(s.json);
  });

  it('refuses undefined and unused placeholders, as DynamoDB does', () => {
    expect(() => projectedAttributes({ ProjectionExpression: '#p0' })).toThrow(Validation);
    expect(() => projectedAttributes({ ProjectionExpression: 'PK', ExpressionAttributeNames: { '#x': 'name' } })).toThrow(/unused/);
    // A placeholder used by the key condition alone counts as used.
    expect(projectedAttributes({ KeyConditionExpression: '#k = :v', ExpressionAttributeNames: { '#k': 'PK' } })).toBeUndefined();
  });

  it('refuses nested paths rather than answer them wrongly', () => {
    expect(() => projectedAttributes({ ProjectionExpression: 'a.b' })).toThrow(/top-level/);
  });
});
