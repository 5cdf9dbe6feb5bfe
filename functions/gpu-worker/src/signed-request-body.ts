import { createHash } from 'node:crypto';
import { readSignatureHeaders } from '@stipple/jobs';

/** A request body read under the worker's rules, or the answer that refuses it. */
export type SignedRequestBody =
  | {
      ok: true;
      text: string;
      sha256: string /** The signature's timestamp, Unix seconds (checked by the caller). */;
      timestamp: string;
    }
  | { ok: false; status: 401 | 413; code: 'unauthorized' | 'request_too_large'; message: string };

/**
 * Reads the body of a request that must be signed, in this order, so an unauthenticated caller costs the worker next to
 * nothing: (1) the signature headers must be present and well formed, else 401 before a byte of the body is read;
 * (2) a declared `Content-Length` over `maxBytes` is refused (413) unread; (3) the body is read as it streams in,
 * hashed on the way (SHA-256, what the signature covers), and refused (413) the moment it passes `maxBytes`, so no
 * chunked body can grow the worker's memory either. The signature itself is checked by the caller, against `sha256`.
 */
export async function readSignedRequestBody(request: Request, maxBytes: number): Promise<SignedRequestBody> {
  const headers = readSignatureHeaders(request.headers);
  if (!headers.ok) {
    return {
      ok: false,
      status: 401,
      code: 'unauthorized',
      message: `request signature is ${headers.reason}; sign it with the worker secret`,
    };
  }
  const tooLarge = (bytes: string): SignedRequestBody => ({
    ok: false,
    status: 413,
    code: 'request_too_large',
    message: `the request body is ${bytes} bytes; the most this worker reads is ${maxBytes} (MAX_REQUEST_BODY_BYTES)`,
  });
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) return tooLarge(String(declared));
  const hash = createHash('sha256');
  const chunks: Uint8Array[] = [];
  let length = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > maxBytes) {
        await reader.cancel();
        return tooLarge(`over ${maxBytes}`);
      }
      hash.update(value);
      chunks.push(value);
    }
  }
  return {
    ok: true,
    text: Buffer.concat(chunks).toString('utf8'),
    sha256: hash.digest('hex'),
    timestamp: headers.timestamp,
  };
}
