import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStoredToken } from '../src/token.ts';

/** The rule as balena-settings-storage states it: trimmed, empty is none, JSON other than a string is malformed. */
function byTheRule(raw: string | undefined) {
  const value = raw?.trim();
  if (!value) return { malformed: false };
  let parsed: unknown = value;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = value;
  }
  return typeof parsed === 'string' && parsed !== ''
    ? { token: parsed, malformed: false }
    : { malformed: true };
}

describe('a stored token is read as balena-settings-storage reads it', () => {
  it.each([
    [
      'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MX0.c2ln',
      { token: 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MX0.c2ln', malformed: false },
    ],
    ['  apikey123\n', { token: 'apikey123', malformed: false }],
    ['"quoted-token"', { token: 'quoted-token', malformed: false }],
    ['""', { malformed: true }],
    ['42', { malformed: true }],
    ['-1.5e3', { malformed: true }],
    ['0123', { token: '0123', malformed: false }],
    ['true', { malformed: true }],
    ['null', { malformed: true }],
    ['nullable-key', { token: 'nullable-key', malformed: false }],
    ['{"token":"x"}', { malformed: true }],
    ['[1]', { malformed: true }],
    ['{not json', { token: '{not json', malformed: false }],
    ['', { malformed: false }],
    [undefined, { malformed: false }],
  ])('%j', (raw, expected) => {
    expect(parseStoredToken(raw)).toEqual(expected);
  });

  it('agrees with JSON.parse on any text, without parsing what cannot be JSON', () => {
    const jsonish = fc.oneof(
      fc.string(),
      fc.json(),
      fc.double().map(String),
      fc.integer().map(String),
      fc.constantFrom('true', 'false', 'null', 'truex', '1e', '-', '01', '1.', ' "a" '),
    );
    fc.assert(
      fc.property(jsonish, (raw) => {
        expect(parseStoredToken(raw)).toEqual(byTheRule(raw));
      }),
      { numRuns: 5000 },
    );
  });
});
