import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClientTokenClaims, mintClientToken, readClientToken } from './client-token.ts';

const secret = 'token-signing-secret-0123456789abcdef';
const claims: ClientTokenClaims = {
  id: '0123456789abcdef',
  tenantId: 'acme',
  keyId: 'key_1',
  keyDigest: 'ab'.repeat(32),
  scopes: ['generate', 'read'],
  expiresAt: 1_800_000_900,
  maxCredits: 5,
  endUser: 'user-42',
};

const fromBase64url = (text: string) =>
  Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (character) => character.charCodeAt(0));
const toBase64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

describe('client tokens', () => {
  it('carry their claims, sealed, until they expire', async () => {
    const token = await mintClientToken(secret, claims);
    expect(token).toMatch(/^ct_[\w-]+$/);
    expect(await readClientToken(secret, token, 1_800_000_000)).toEqual({ ok: true, claims });
    expect(await readClientToken(secret, token, 1_800_000_900)).toEqual({ ok: false, reason: 'expired' });
  });

  it('show their holder nothing of the tenant, the key, its digest or the end user', async () => {
    const token = await mintClientToken(secret, claims);
    const readable = new TextDecoder('latin1').decode(fromBase64url(token.slice(3)));
    for (const hidden of [claims.tenantId, claims.keyId, claims.keyDigest, claims.endUser!, '"scopes"']) {
      expect(readable).not.toContain(hidden);
    }
    // Two tokens with the same claims look unrelated (a fresh IV each).
    expect(await mintClientToken(secret, claims)).not.toBe(token);
  });

  it('refuse a token sealed with another secret, or not a token at all', async () => {
    const other = await mintClientToken('another-secret-0123456789abcdefgh', claims);
    expect(await readClientToken(secret, other, 1)).toEqual({ ok: false, reason: 'forged' });
    const token = await mintClientToken(secret, claims);
    for (const bad of ['ct_', 'ct_AAAA', `${token}.x`, 'ct_!!.??', token.slice(3), `ct_${'A'.repeat(40)}`]) {
      expect((await readClientToken(secret, bad, 1)).ok).toBe(false);
    }
  });

  it('refuse any token with any byte changed', async () => {
    const token = await mintClientToken(secret, claims);
    const bytes = fromBase64url(token.slice(3));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (index, flip) => {
          const changed = bytes.slice();
          changed[index] ^= flip;
          expect(await readClientToken(secret, `ct_${toBase64url(changed)}`, 1)).toEqual({
            ok: false,
            reason: 'forged',
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
