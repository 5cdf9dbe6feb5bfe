/**
 * HMAC-SHA256 request signing between Stipple's parts (router → provider → gpu-worker, worker → progress callback).
 *
 * Scheme `v1`, for implementers in any language:
 * 1. `timestamp` = the current Unix time in whole seconds, as a decimal string.
 * 2. The signed string is four lines joined by `\n`, no trailing newline:
 *    `timestamp`, the HTTP method in upper case, the request path exactly as sent (including any query string),
 *    and the lower-case hex SHA-256 of the raw body bytes (of the UTF-8 encoding when the body is text; of zero
 *    bytes when there is no body).
 * 3. `signature` = lower-case hex HMAC-SHA256 (RFC 2104) of the signed string, keyed with the UTF-8 bytes of the
 *    shared secret.
 * 4. Send headers `x-stipple-timestamp: <timestamp>` and `x-stipple-signature: v1=<signature>`.
 *
 * A receiver rejects a request whose timestamp is more than 300 seconds from its own clock, in either direction
 * (replay window), and compares signatures in constant time (Web Crypto's `verify`).
 */

import { bytesToHex, hexToBytes } from './hex.ts';
import { CUSTOM_ATTRIBUTES_HEADER, parseSignatureAttributes } from './signature-attributes.ts';

export const TIMESTAMP_HEADER = 'x-stipple-timestamp';
export const SIGNATURE_HEADER = 'x-stipple-signature';
/** How far a request's timestamp may be from the receiver's clock, in seconds. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
const SIGNATURE_VERSION = 'v1=';

/** A type alias rather than an interface so it is assignable to a plain header record. */
export type SignatureHeaders = {
  [TIMESTAMP_HEADER]: string;
  [SIGNATURE_HEADER]: string;
};

export interface SignRequestOptions {
  secret: string;
  method: string;
  /** Path and query exactly as sent, e.g. `/v1/jobs?wait=1`. */
  path: string;
  body: string | Uint8Array;
  /** Unix time in seconds. */
  timestamp: number;
}

export interface VerifyRequestOptions extends Omit<SignRequestOptions, 'timestamp' | 'body'> {
  /** The raw body; or `bodySha256`, its lower-case hex SHA-256, for a receiver that hashed it as it streamed in. */
  body?: string | Uint8Array;
  bodySha256?: string;
  /** Request headers: a Fetch `Headers` or Node's lower-case header record. */
  headers: Headers | Record<string, string | string[] | undefined>;
  /** Clock in milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
  toleranceSeconds?: number;
  /**
   * Unix seconds until which a request signed in the past stays acceptable, when later than the tolerance allows:
   * SageMaker asynchronous inference may deliver a request long after it was signed. Pass it only from a signed
   * source (the job's own `deadline`, inside the signed body), never from an unsigned header.
   */
  validUntilSeconds?: number;
}

export type VerifyRequestResult =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'mismatch' };

const encoder = new TextEncoder();

async function sha256Hex(body: string | Uint8Array): Promise<string> {
  const bodyBytes = typeof body === 'string' ? encoder.encode(body) : new Uint8Array(body);
  return bytesToHex(await crypto.subtle.digest('SHA-256', bodyBytes));
}

function stringToSign(method: string, path: string, bodyHash: string, timestamp: string) {
  return encoder.encode(`${timestamp}\n${method.toUpperCase()}\n${path}\n${bodyHash}`);
}

function importKey(secret: string, usage: 'sign' | 'verify') {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

/** Signs a request; returns the two headers to send with it. */
export async function signRequest(options: SignRequestOptions): Promise<SignatureHeaders> {
  const timestamp = String(Math.floor(options.timestamp));
  const key = await importKey(options.secret, 'sign');
  const data = stringToSign(options.method, options.path, await sha256Hex(options.body), timestamp);
  const signature = bytesToHex(await crypto.subtle.sign('HMAC', key, data));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `${SIGNATURE_VERSION}${signature}` };
}

function readHeader(headers: VerifyRequestOptions['headers'], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(entry) ? entry[0] : entry;
}

/** The signature headers, or the same pair from SageMaker's custom attributes (the only header it forwards). */
function readSignature(headers: VerifyRequestOptions['headers']): { timestamp?: string; signature?: string } {
  const timestamp = readHeader(headers, TIMESTAMP_HEADER);
  const signature = readHeader(headers, SIGNATURE_HEADER);
  if (timestamp || signature) return { timestamp, signature };
  const attributes = parseSignatureAttributes(readHeader(headers, CUSTOM_ATTRIBUTES_HEADER));
  return { timestamp: attributes[TIMESTAMP_HEADER], signature: attributes[SIGNATURE_HEADER] };
}

/** A request's signature headers, when present and well formed; otherwise why not. Reads nothing but the headers. */
export function readSignatureHeaders(
  headers: VerifyRequestOptions['headers'],
): { ok: true; timestamp: string; signatureHex: string } | { ok: false; reason: 'missing' | 'malformed' } {
  const { timestamp, signature } = readSignature(headers);
  if (!timestamp || !signature) return { ok: false, reason: 'missing' };
  const signatureHex = signature.slice(SIGNATURE_VERSION.length);
  const wellFormed =
    /^\d{1,15}$/.test(timestamp) && signature.startsWith(SIGNATURE_VERSION) && /^(?:[0-9a-f]{2})+$/.test(signatureHex);
  return wellFormed ? { ok: true, timestamp, signatureHex } : { ok: false, reason: 'malformed' };
}

/** Checks a request's signature headers against its method, path (with its query) and body. Never throws on bad input. */
export async function verifyRequest(options: VerifyRequestOptions): Promise<VerifyRequestResult> {
  const read = readSignatureHeaders(options.headers);
  if (!read.ok) return read;
  const { timestamp, signatureHex } = read;

  const nowSeconds = (options.now ?? Date.now)() / 1000;
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  const signedAt = Number(timestamp);
  const fresh = Math.abs(nowSeconds - signedAt) <= tolerance;
  const stillValid = signedAt <= nowSeconds && nowSeconds <= (options.validUntilSeconds ?? Number.NEGATIVE_INFINITY);
  if (!fresh && !stillValid) return { ok: false, reason: 'expired' };

  // Web Crypto's HMAC verify compares in constant time and returns false for a signature of another length.
  const key = await importKey(options.secret, 'verify');
  const bodyHash = options.bodySha256 ?? (await sha256Hex(options.body ?? ''));
  const data = stringToSign(options.method, options.path, bodyHash, timestamp);
  const matches = await crypto.subtle.verify('HMAC', key, hexToBytes(signatureHex), data);
  return matches ? { ok: true } : { ok: false, reason: 'mismatch' };
}
