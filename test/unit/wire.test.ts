// The hot reads' own (un)marshalling (src/data/dynamo/wire.ts) gives exactly what lib-dynamodb's
// util-dynamodb gives, for every attribute type, so switching the reads to the low-level client
// changes no item any resolver, cursor or read set sees.
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { fromWire, toWire } from '../../src/data/dynamo/wire.js';

const item = {
  PK: 'USER#a',
  SK: '#METADATA#a',
  empty: '',
  count: 42,
  negative: -7,
  ratio: 0.125,
  big: 2 ** 53 + 2,
  flag: true,
  off: false,
  nothing: null,
  map: { heart: 1, nested: { s: 'x', l: [1, 'two', { three: 3 }] } },
  list: ['a', 1, false, null],
  strings: new Set(['x', 'y']),
  numbers: new Set([1, 2.5]),
  bytes: new Uint8Array([1, 2, 3]),
  byteSet: new Set([new Uint8Array([4]), new Uint8Array([5])]),
};

describe('wire (un)marshalling', () => {
  it('reads every attribute type as util-dynamodb does', () => {
    const av = marshall({ ...item, big: BigInt(2 ** 53) + 2n });
    expect(fromWire(av)).toEqual(unmarshall(av));
    expect(typeof fromWire(av).big).toBe('bigint');
  });

  it('refuses a number util-dynamodb refuses', () => {
    expect(() => fromWire({ n: { N: '1e300' } })).toThrow();
    expect(() => unmarshall({ n: { N: '1e300' } })).toThrow();
  });

  it('writes keys and expression values as the document client does (undefined dropped, empty strings kept)', () => {
    const native = { PK: 'USER#a', SK: '', n: 3, gone: undefined, s: new Set(['a']) };
    expect(toWire(native)).toEqual(marshall(native, { removeUndefinedValues: true, convertEmptyValues: false }));
  });
});
