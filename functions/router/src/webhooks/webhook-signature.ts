/**
 * Webhook signing per the Standard Webhooks specification (standardwebhooks.com, "Signature scheme"): the signed content
 * is `{webhook-id}.{webhook-timestamp}.{body}`, signed with HMAC-SHA256 under the secret's bytes (the base64 after
 * `whsec_`), sent as `webhook-signature: v1,{base64 signature}`. `webhook-id` stays the same across retries of one
 * message, so receivers can deduplicate.
 */
const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
/** The spec's recommended tolerance for a receiver checking `webhook-timestamp`. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (character) => character.charCodeAt(0));
}

/** A new per-tenant signing secret: `whsec_` and 32 random bytes in base64. */
export function createWebhookSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

function secretBytes(secret: string): Uint8Array {
  if (!secret.startsWith(SECRET_PREFIX)) throw new TypeError('a webhook secret starts with "whsec_"');
  return fromBase64(secret.slice(SECRET_PREFIX.length));
}

export interface WebhookMessage {
  /** Unique per message, the same on every retry of it. */
  id: string;
  /** Unix seconds of this delivery attempt. */
  timestamp: number;
  body: string;
}

/**
 * The three headers of a Standard Webhooks delivery. With several secrets (a rotation's grace), `webhook-signature`
 * carries one `v1,` signature per secret, space-separated, in the order given; a receiver accepts any one that matches.
 */
export async function signWebhook(
  secrets: string | readonly string[],
  message: WebhookMessage,
): Promise<Record<string, string>> {
  const content = new TextEncoder().encode(`${message.id}.${message.timestamp}.${message.body}`);
  const signatures = await Promise.all(
    [secrets].flat().map(async (secret) => {
      const key = await crypto.subtle.importKey('raw', secretBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
      ]);
      return `v1,${toBase64(new Uint8Array(await crypto.subtle.sign('HMAC', key, content)))}`;
    }),
  );
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestamp),
    'webhook-signature': signatures.join(' '),
  };
}

/**
 * What a receiver does: recompute the signature over the raw body and compare it (in constant time, through
 * `crypto.subtle.verify`) with each `v1,` entry of the header; reject timestamps outside the tolerance.
 */
export async function verifyWebhook(
  secret: string,
  headers: Headers,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<boolean> {
  const id = headers.get('webhook-id');
  const timestamp = Number(headers.get('webhook-timestamp'));
  const signatures = headers.get('webhook-signature')?.split(' ') ?? [];
  if (!id || !Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > WEBHOOK_TOLERANCE_SECONDS) return false;
  const key = await crypto.subtle.importKey('raw', secretBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ]);
  const content = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  for (const entry of signatures) {
    const [version, signature] = entry.split(',');
    // An entry of another version, or one that is not base64, is no match; the others still count.
    if (version !== 'v1' || !signature || !BASE64.test(signature)) continue;
    if (await crypto.subtle.verify('HMAC', key, fromBase64(signature), content)) return true;
  }
  return false;
}
