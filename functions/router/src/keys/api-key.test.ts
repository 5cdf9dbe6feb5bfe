import { describe, expect, it } from 'vitest';
import { apiKeyFormatProblem, apiKeyHint, apiKeyMode, createApiKey, digestApiKey } from './api-key.ts';

describe('createApiKey', () => {
  it('makes a prefixed 256-bit key whose digest is its SHA-256', async () => {
    const { key, digest, hint } = await createApiKey('live');
    expect(key).toMatch(/^sk_live_[0-9A-Za-z]{43}$/);
    expect(digest).toBe(await digestApiKey(key));
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(hint).toBe(`${key.slice(0, 12)}…`);
    expect(apiKeyMode(key)).toBe('live');
    expect(apiKeyMode((await createApiKey('test')).key)).toBe('test');
  });

  it('never repeats and spreads over the whole alphabet', async () => {
    const keys = await Promise.all(Array.from({ length: 200 }, () => createApiKey('test')));
    expect(new Set(keys.map(({ key }) => key)).size).toBe(200);
    const characters = new Set(keys.flatMap(({ key }) => [...key.slice(8)]));
    expect(characters.size).toBe(62);
  });

  it('digests like SHA-256 does', async () => {
    // FIPS 180-2 test vector "abc".
    expect(await digestApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('apiKeyMode', () => {
  it('refuses anything not shaped like a secret key', () => {
    for (const candidate of [
      '',
      'sk_live_short',
      `sk_prod_${'a'.repeat(43)}`,
      `sk_live_${'a'.repeat(42)}!`,
      `pk_live_${'a'.repeat(43)}`,
    ]) {
      expect(apiKeyMode(candidate)).toBeUndefined();
    }
    expect(apiKeyHint(`sk_test_${'x'.repeat(43)}`)).toBe('sk_test_xxxx…');
  });
});

describe('apiKeyFormatProblem', () => {
  it('accepts what createApiKey makes and names the problem of anything else, showing the hint at most', async () => {
    const { key } = await createApiKey('test');
    expect(apiKeyFormatProblem(key)).toBeUndefined();
    expect(apiKeyFormatProblem(`sk_live_${'0'.repeat(43)}`)).toBeUndefined();
    expect(apiKeyFormatProblem('pk_test_abc')).toBe('key "pk_test_…" does not start with sk_live_ or sk_test_');
    expect(apiKeyFormatProblem(key.slice(0, 30))).toBe(
      `key ${key.slice(0, 12)}… has 22 characters after sk_test_; use exactly 43 of 0–9 A–Z a–z`,
    );
    const withSpace = `${key.slice(0, 10)} ${key.slice(11)}`;
    expect(apiKeyFormatProblem(withSpace)).toBe(
      `key ${withSpace.slice(0, 12)}… has " " at position 11; use only 0–9 A–Z a–z after sk_test_`,
    );
  });
});
