import { bytesToHex } from '@stipple/jobs';
/**
 * Secret API keys: `sk_live_` or `sk_test_` followed by 43 base62 characters (256 random bits), so a leaked key is
 * recognisable in logs and secret scanners. Only the SHA-256 digest is stored; the key itself is shown once.
 */
export const API_KEY_MODES = ['live', 'test'] as const;
export type ApiKeyMode = (typeof API_KEY_MODES)[number];

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_BYTES = 32;
/** ⌈256 / log2(62)⌉: enough base62 digits for every 32-byte value. */
const KEY_DIGITS = 43;
const KEY_PATTERN = /^sk_(live|test)_[0-9A-Za-z]{43}$/;

/** Big-endian base62 of the bytes, left-padded to `KEY_DIGITS`. */
function toBase62(bytes: Uint8Array): string {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let digits = '';
  while (value > 0n) {
    digits = BASE62[Number(value % 62n)] + digits;
    value /= 62n;
  }
  return digits.padStart(KEY_DIGITS, '0');
}

export interface NewApiKey {
  /** The secret: give it to the customer once, never store it. */
  key: string;
  /** What is stored and looked up: lowercase hex SHA-256 of the key. */
  digest: string;
  /** A safe reminder for listings, e.g. `sk_live_4fZq…`: the prefix and the first 4 secret characters. */
  hint: string;
}

export async function digestApiKey(key: string): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
  return bytesToHex(hash);
}

export function apiKeyHint(key: string): string {
  return `${key.slice(0, 'sk_live_'.length + 4)}…`;
}

export async function createApiKey(mode: ApiKeyMode): Promise<NewApiKey> {
  const key = `sk_${mode}_${toBase62(crypto.getRandomValues(new Uint8Array(KEY_BYTES)))}`;
  return { key, digest: await digestApiKey(key), hint: apiKeyHint(key) };
}

/**
 * What is wrong with a key an operator brings (the local stack's `DEV_API_KEY`), or undefined when it has the shape
 * `createApiKey` gives. Messages show the key's hint at most, never the whole secret.
 */
export function apiKeyFormatProblem(candidate: string): string | undefined {
  const prefix = /^sk_(live|test)_/.exec(candidate)?.[0];
  if (!prefix) return `key "${candidate.slice(0, 8)}…" does not start with sk_live_ or sk_test_`;
  const secret = candidate.slice(prefix.length);
  const stranger = /[^0-9A-Za-z]/.exec(secret);
  if (stranger) {
    return `key ${apiKeyHint(candidate)} has ${JSON.stringify(stranger[0])} at position ${prefix.length + stranger.index + 1}; use only 0–9 A–Z a–z after ${prefix}`;
  }
  if (secret.length !== KEY_DIGITS) {
    return `key ${apiKeyHint(candidate)} has ${secret.length} characters after ${prefix}; use exactly ${KEY_DIGITS} of 0–9 A–Z a–z`;
  }
  return undefined;
}

/** A caller-made key, already checked with `apiKeyFormatProblem`, as `createApiKey` would have returned it. */
export async function importApiKey(key: string): Promise<NewApiKey & { mode: ApiKeyMode }> {
  const mode = apiKeyMode(key);
  if (!mode) throw new Error(apiKeyFormatProblem(key));
  return { key, mode, digest: await digestApiKey(key), hint: apiKeyHint(key) };
}

/** The key's mode when it has the shape of a Stipple secret key, else undefined (then it is not worth a lookup). */
export function apiKeyMode(candidate: string): ApiKeyMode | undefined {
  return KEY_PATTERN.exec(candidate)?.[1] as ApiKeyMode | undefined;
}
