import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import * as v from '../../src/graphql/validation.js';

const refused = (fn: () => unknown) => {
  try {
    fn();
    return false;
  } catch (err) {
    return err instanceof AppError && err.code === 'BAD_USER_INPUT';
  }
};

describe('edge validation', () => {
  it.each([
    ['a direction mark', 'a\u200Eb'],
    ['an Arabic letter mark', 'a\u061Cb'],
    ['a line separator', 'a\u2028b'],
    ['a byte order mark', '\uFEFFab'],
    ['a right-to-left override', 'a\u202Eb'],
    ['a lone surrogate', 'a\uD800b'],
  ])('refuses text with %s', (_name, value) => {
    expect(refused(() => v.text(value, 'name', 100))).toBe(true);
  });

  it('keeps emoji sequences joined by zero-width joiners', () => {
    expect(v.text('family 👨‍👩‍👧', 'name', 100)).toBe('family 👨‍👩‍👧');
  });

  it.each(['2019-02-30T10:00:00', '2019-04-16T24:00:00', '2019-04-16T00:41:18#x', '2019-04-16'])('refuses the timestamp %s', (ts) => {
    expect(refused(() => v.timestamp(ts))).toBe(true);
  });

  it.each(['2019-04-16T00:41:18', '2026-11-21T05:45:07.123', '2026-11-21T05:45:07Z'])('accepts the timestamp %s', (ts) => {
    expect(v.timestamp(ts)).toBe(ts);
  });

  it.each([
    ['https://photos.example.com/a.jpg', 'https://photos.example.com/a.jpg'],
    ['HTTPS://Photos.Example.COM:443/x/../a.jpg', 'https://photos.example.com/a.jpg'],
    ['https://x.example.com/a"<script>.jpg', 'https://x.example.com/a%22%3Cscript%3E.jpg'],
    ['https://x.example.com\\a\\b.jpg', 'https://x.example.com/a/b.jpg'],
    ['s3://bucket/key/"<b>.jpg', 's3://bucket/key/%22%3Cb%3E.jpg'],
    ['https://x.example.com/a`b.jpg', 'https://x.example.com/a%60b.jpg'],
  ])('stores the photo location %s in its canonical form %s', (sent, stored) => {
    expect(v.location(sent)).toBe(stored);
  });

  it.each([
    ['a backslash an s3 URL keeps', 's3://bucket/a\\b.jpg'],
    ['a single quote a path keeps', "https://x.example.com/it's.jpg"],
    ['a javascript: URL', 'javascript:alert(1)'],
  ])('refuses a photo location with %s', (_name, value) => {
    expect(refused(() => v.location(value))).toBe(true);
  });
});
