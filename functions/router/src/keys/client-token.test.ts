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

describe('client tokens', () => {
  it('carry their claims, signed, until they expire', async () => {
    const token = await mintClientToken(secret, claims);
    expect(token).toMatch(/^ct_[\w-]+\.[\w-]{43}$/);
    expect(await readClientToken(secret, token, 1_800_000_000)).toEqual({ ok: true, claims });
    expect(await readClientToken(secret, token, 1_800_000_900)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuse a token altered, signed with another secret, or not a token at all', async () => {
    const token = await mintClientToken(secret, claims);
    const [body, signature] = token.slice(3).split('.');
    const richer = btoa(JSON.stringify({ ...claims, maxCredits: 5000 })).replace(/=+$/, '');
    expect(await readClientToken(secret, `ct_${richer}.${signature}`, 1)).toEqual({ ok: false, reason: 'forged' });
    const other = await mintClientToken('another-secret-0123456789abcdefgh', claims);
    expect(await readClientToken(secret, other, 1)).toEqual({ ok: false, reason: 'forged' });
    for (const bad of ['ct_', `ct_${body}`, `ct_${body}.${signature}.x`, 'ct_!!.??']) {
      expect((await readClientToken(secret, bad, 1)).ok).toBe(false);
    }
  });
});
