import type { ApiScope } from '../tenancy/api-scopes.ts';

/**
 * Client tokens: what a customer's backend hands to its mobile or browser app instead of a secret key. Short-lived
 * (≤ 1 h), scoped to a subset of the minting key's `generate`/`read`, optionally capped in credits and bound to an end
 * user; billed to the tenant of the key that minted them, and dead as soon as that key is revoked.
 *
 * Format: `ct_` + base64url(IV ‖ AES-256-GCM(JSON claims)), 12 random IV bytes, keyed with HKDF-SHA256 of
 * `TOKEN_SIGNING_SECRET` (RFC 5869; info `CLIENT_TOKEN_KEY_INFO`). The token is opaque: whoever holds it (the app, a
 * proxy's log) reads nothing of the tenant, the key or its digest; what the app may know came back with it when it was
 * minted. GCM's tag authenticates as well as hides, so a changed byte is refused as forged. Stateless to check; the
 * cap is enforced in the tenant's account.
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
/** A client token's `end_user`: the tenant's own id for its app's user, 1–128 of A–Z a–z 0–9 _ . @ : -. */
export const END_USER_PATTERN = /^[\w.@:-]{1,128}$/;
/** The longest a client token may live, seconds. */
export const MAX_CLIENT_TOKEN_TTL_SECONDS = 3600;

/** HKDF `info`: binds the derived key to this one use of the secret (and to this token format). */
const CLIENT_TOKEN_KEY_INFO = 'stipple client token v2 aes-256-gcm';
/** AES-GCM's recommended IV length (NIST SP 800-38D §8.2), bytes. */
const IV_BYTES = 12;
/** GCM's full-length tag, bytes. */
const TAG_BYTES = 16;

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const padded = text.replaceAll('-', '+').replaceAll('_', '/');
  return Uint8Array.from(atob(padded), (character) => character.charCodeAt(0));
}

async function tokenKey(secret: string, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info: encoder.encode(CLIENT_TOKEN_KEY_INFO) },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    [usage],
  );
}

export async function mintClientToken(secret: string, claims: ClientTokenClaims): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv },
      await tokenKey(secret, 'encrypt'),
      encoder.encode(JSON.stringify(claims)),
    ),
  );
  const bytes = new Uint8Array(IV_BYTES + sealed.length);
  bytes.set(iv);
  bytes.set(sealed, IV_BYTES);
  return `${CLIENT_TOKEN_PREFIX}${base64url(bytes)}`;
}

/** The claims of a genuine, unexpired token; otherwise why not. */
export async function readClientToken(
  secret: string,
  token: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<{ ok: true; claims: ClientTokenClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' }> {
  const body = token.slice(CLIENT_TOKEN_PREFIX.length);
  if (!token.startsWith(CLIENT_TOKEN_PREFIX) || !/^[\w-]+$/.test(body)) return { ok: false, reason: 'malformed' };
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64url(body);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (bytes.length <= IV_BYTES + TAG_BYTES) return { ok: false, reason: 'malformed' };
  let claims: ClientTokenClaims;
  try {
    const opened = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES) },
      await tokenKey(secret, 'decrypt'),
      bytes.subarray(IV_BYTES),
    );
    claims = JSON.parse(new TextDecoder().decode(opened)) as ClientTokenClaims;
  } catch {
    // A failed tag check: the token was altered, or sealed with another secret.
    return { ok: false, reason: 'forged' };
  }
  if (!(claims.expiresAt > nowSeconds)) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
