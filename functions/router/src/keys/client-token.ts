import type { ApiScope } from '../tenancy/api-scopes.ts';

/**
 * Client tokens: what a customer's backend hands to its mobile or browser app instead of a secret key. Short-lived
 * (≤ 1 h), scoped to `generate`/`read`, optionally capped in credits and bound to an end user; billed to the tenant of
 * the key that minted them, and dead as soon as that key is revoked. Format: `ct_` + base64url(JSON claims) + `.` +
 * base64url(HMAC-SHA256(TOKEN_SIGNING_SECRET, claims)). Stateless to check; the cap is enforced in the tenant's account.
 */
export interface ClientTokenClaims {
  /** Token id, 64 random bits in hex: reservations made with the token carry it, for the credit cap. */
  id: string;
  tenantId: string;
  /** The minting key's id and digest (the directory checks the key is still active on every use). */
  keyId: string;
  keyDigest: string;
  scopes: ApiScope[];
  /** Unix seconds. */
  expiresAt: number;
  maxCredits?: number;
  endUser?: string;
}

export const CLIENT_TOKEN_PREFIX = 'ct_';
/** The longest a client token may live, seconds. */
export const MAX_CLIENT_TOKEN_TTL_SECONDS = 3600;

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  const padded = text.replaceAll('-', '+').replaceAll('_', '/');
  return Uint8Array.from(atob(padded), (character) => character.charCodeAt(0));
}

function hmacKey(secret: string, usage: 'sign' | 'verify') {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

export async function mintClientToken(secret: string, claims: ClientTokenClaims): Promise<string> {
  const body = base64url(encoder.encode(JSON.stringify(claims)));
  const signature = new Uint8Array(
    await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), encoder.encode(body)),
  );
  return `${CLIENT_TOKEN_PREFIX}${body}.${base64url(signature)}`;
}

/** The claims of a genuine, unexpired token; otherwise why not. */
export async function readClientToken(
  secret: string,
  token: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<{ ok: true; claims: ClientTokenClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' }> {
  const [body, signature, extra] = token.slice(CLIENT_TOKEN_PREFIX.length).split('.');
  if (!token.startsWith(CLIENT_TOKEN_PREFIX) || !body || !signature || extra !== undefined) {
    return { ok: false, reason: 'malformed' };
  }
  let signatureBytes: Uint8Array;
  let claims: ClientTokenClaims;
  try {
    signatureBytes = fromBase64url(signature);
    const valid = await crypto.subtle.verify(
      'HMAC',
      await hmacKey(secret, 'verify'),
      signatureBytes,
      encoder.encode(body),
    );
    if (!valid) return { ok: false, reason: 'forged' };
    claims = JSON.parse(new TextDecoder().decode(fromBase64url(body))) as ClientTokenClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!(claims.expiresAt > nowSeconds)) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
