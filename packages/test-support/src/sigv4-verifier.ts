/**
 * An independent AWS Signature Version 4 verifier for test servers, written from the AWS General Reference
 * ("Signature Version 4 signing process": create a canonical request, create a string to sign, calculate the
 * signature) and the Amazon S3 API Reference ("Authenticating Requests: Using Query Parameters"). It shares no code
 * with the signer under test (aws4fetch), so a signature both agree on is one AWS would accept.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SigV4Request {
  method: string;
  /** Path and query exactly as received (Node's `request.url`). */
  target: string;
  /** Lower-case names, as Node's `request.headers`. */
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

export interface SigV4Expectation {
  /** Secret access key by access key id. */
  secrets: Record<string, string>;
  region: string;
  service: string;
  /** Milliseconds since the epoch. */
  now: number;
}

export type SigV4Result =
  | { ok: true; accessKeyId: string; signedHeaders: string[]; expiresAt?: number }
  | {
      ok: false;
      reason: 'missing' | 'malformed' | 'unknown_key' | 'wrong_scope' | 'expired' | 'mismatch';
      detail: string;
    };

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Header-signed requests must arrive within five minutes of their `X-Amz-Date` (SigV4 "Elements": the date). */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const MAX_PRESIGNED_EXPIRY_SECONDS = 604_800;

/** URI-encodes per SigV4: every byte but A–Z a–z 0–9 - _ . ~, upper-case hex. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

function header(headers: SigV4Request['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `YYYYMMDDTHHMMSSZ` to milliseconds. */
function parseAmzDate(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

interface Authorization {
  credential: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  expiresSeconds?: number;
}

function readAuthorization(request: SigV4Request, query: URLSearchParams): Authorization | string | undefined {
  const auth = header(request.headers, 'authorization');
  if (auth) {
    const match = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
    const amzDate = header(request.headers, 'x-amz-date');
    if (!match || !amzDate) return 'the Authorization header or X-Amz-Date is malformed';
    return { credential: match[1], signedHeaders: match[2].split(';'), signature: match[3], amzDate };
  }
  if (!query.has('X-Amz-Signature')) return undefined;
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) return 'X-Amz-Algorithm is not AWS4-HMAC-SHA256';
  const expires = Number(query.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_EXPIRY_SECONDS) {
    return `X-Amz-Expires ${query.get('X-Amz-Expires')} is outside 1–${MAX_PRESIGNED_EXPIRY_SECONDS}`;
  }
  return {
    credential: query.get('X-Amz-Credential') ?? '',
    signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';'),
    signature: query.get('X-Amz-Signature') ?? '',
    amzDate: query.get('X-Amz-Date') ?? '',
    expiresSeconds: expires,
  };
}

function canonicalRequest(request: SigV4Request, service: string, auth: Authorization, presigned: boolean): string {
  const [rawPath, rawQuery = ''] = request.target.split(/\?(.*)/s);
  // S3 signs its object key encoded once, slashes kept ("Signature Calculations for the Authorization Header":
  // CanonicalURI); the key is the decoded path, so a `%2F` sent is one of its slashes. Every other service signs the
  // path as sent, encoded once more.
  const segments =
    service === 's3' ? decodeURIComponent(rawPath).split('/').map(uriEncode) : rawPath.split('/').map(uriEncode);
  const query = [...new URLSearchParams(rawQuery)]
    .filter(([name]) => !(presigned && name === 'X-Amz-Signature'))
    .map(([name, value]) => [uriEncode(name), uriEncode(value)])
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headers = auth.signedHeaders
    .map((name) => `${name}:${(header(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const payloadHash =
    header(request.headers, 'x-amz-content-sha256') ??
    (presigned && service === 's3' ? 'UNSIGNED-PAYLOAD' : sha256Hex(request.body));
  return [
    request.method.toUpperCase(),
    segments.join('/'),
    query,
    headers,
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

/** Verifies a request signed in its `Authorization` header or in its query string. */
export function verifySigV4(request: SigV4Request, expected: SigV4Expectation): SigV4Result {
  const query = new URLSearchParams(request.target.split('?')[1] ?? '');
  const auth = readAuthorization(request, query);
  if (auth === undefined) return { ok: false, reason: 'missing', detail: 'no Authorization header or X-Amz-Signature' };
  if (typeof auth === 'string') return { ok: false, reason: 'malformed', detail: auth };
  const [accessKeyId, date, region, service, terminator, ...rest] = auth.credential.split('/');
  const secret = expected.secrets[accessKeyId];
  if (secret === undefined)
    return { ok: false, reason: 'unknown_key', detail: `access key ${accessKeyId} is not known` };
  const signedAt = parseAmzDate(auth.amzDate);
  if (signedAt === undefined || rest.length > 0)
    return { ok: false, reason: 'malformed', detail: `credential ${auth.credential}` };
  if (
    date !== auth.amzDate.slice(0, 8) ||
    region !== expected.region ||
    service !== expected.service ||
    terminator !== 'aws4_request'
  ) {
    return { ok: false, reason: 'wrong_scope', detail: `scope ${date}/${region}/${service}/${terminator}` };
  }
  if (!auth.signedHeaders.includes('host')) return { ok: false, reason: 'malformed', detail: 'host is not signed' };
  const presigned = auth.expiresSeconds !== undefined;
  const expiresAt = presigned ? signedAt + auth.expiresSeconds! * 1000 : undefined;
  const fresh = presigned
    ? expected.now >= signedAt - CLOCK_SKEW_MS && expected.now <= expiresAt!
    : Math.abs(expected.now - signedAt) <= CLOCK_SKEW_MS;
  if (!fresh) return { ok: false, reason: 'expired', detail: `signed at ${auth.amzDate}` };

  const canonical = canonicalRequest(request, service, auth, presigned);
  const stringToSign = [
    ALGORITHM,
    auth.amzDate,
    `${date}/${region}/${service}/aws4_request`,
    sha256Hex(canonical),
  ].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const signature = hmac(signingKey, stringToSign);
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== signature.length || !timingSafeEqual(given, signature)) {
    return { ok: false, reason: 'mismatch', detail: `canonical request:\n${canonical}` };
  }
  return { ok: true, accessKeyId, signedHeaders: auth.signedHeaders, expiresAt };
}
