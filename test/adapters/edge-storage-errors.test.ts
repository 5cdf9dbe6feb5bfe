import { EdgeStorage } from '@stipple/adapters';
import type { StorageErrorCode } from '@stipple/jobs';
import { describe, expect, it } from 'vitest';

interface Case {
  operation: 'GET' | 'PUT';
  status: number;
  /** The XML error document as S3 sends it; `undefined` for an answer without a body (a HEAD's). */
  s3Code?: string;
  s3Message?: string;
  code: StorageErrorCode;
  neverStarted: boolean;
  isRetryable: boolean;
  advice: RegExp;
}

/** S3's error answer (Amazon S3 API Reference, "Error responses", "REST error responses"), as it goes on the wire. */
function s3Answer({ status, s3Code, s3Message }: Case): Response {
  const headers = { 'x-amz-request-id': '4442587FB7D0A2F9', 'x-amz-id-2': 'vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKl' };
  if (s3Code === undefined) return new Response(null, { status, headers });
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${s3Code}</Code><Message>${s3Message}</Message><RequestId>4442587FB7D0A2F9</RequestId>` +
    '<HostId>vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKl</HostId></Error>';
  return new Response(body, { status, headers: { ...headers, 'content-type': 'application/xml' } });
}

const denied = { code: 'storage_denied', neverStarted: true, isRetryable: false } as const;

/**
 * The documented S3 errors of GetObject and PutObject (Amazon S3 API Reference, "List of error codes"), each with the
 * AWS SDK's retry verdict and whether S3 provably did nothing.
 */
const CASES: Record<string, Case> = {
  AccessDenied: {
    operation: 'GET',
    status: 403,
    s3Code: 'AccessDenied',
    s3Message: 'Access Denied',
    ...denied,
    advice: /grant the credentials s3:GetObject/,
  },
  ExpiredToken: {
    operation: 'PUT',
    status: 400,
    s3Code: 'ExpiredToken',
    s3Message: 'The provided token has expired.',
    ...denied,
    advice: /refresh the storage credentials/,
  },
  InvalidAccessKeyId: {
    operation: 'GET',
    status: 403,
    s3Code: 'InvalidAccessKeyId',
    s3Message: 'The AWS Access Key Id you provided does not exist in our records.',
    ...denied,
    advice: /check credentials\.accessKeyId/,
  },
  SignatureDoesNotMatch: {
    operation: 'PUT',
    status: 403,
    s3Code: 'SignatureDoesNotMatch',
    s3Message:
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    ...denied,
    advice: /check credentials\.secretAccessKey/,
  },
  RequestTimeTooSkewed: {
    operation: 'GET',
    status: 403,
    s3Code: 'RequestTimeTooSkewed',
    s3Message: "The difference between the request time and the server's time is too large.",
    ...denied,
    advice: /clock/,
  },
  'a 403 without a body (a HEAD answer)': {
    operation: 'GET',
    status: 403,
    ...denied,
    advice: /check the storage credentials/,
  },
  SlowDown: {
    operation: 'PUT',
    status: 503,
    s3Code: 'SlowDown',
    s3Message: 'Please reduce your request rate.',
    code: 'storage_failed',
    neverStarted: true,
    isRetryable: true,
    advice: /retry with backoff/,
  },
  ServiceUnavailable: {
    operation: 'PUT',
    status: 503,
    s3Code: 'ServiceUnavailable',
    s3Message: 'Please reduce your request rate.',
    code: 'storage_failed',
    neverStarted: true,
    isRetryable: true,
    advice: /retry later/,
  },
  InternalError: {
    operation: 'PUT',
    status: 500,
    s3Code: 'InternalError',
    s3Message: 'We encountered an internal error. Please try again.',
    code: 'storage_failed',
    neverStarted: false,
    isRetryable: true,
    advice: /a write may have happened/,
  },
  RequestTimeout: {
    operation: 'PUT',
    status: 400,
    s3Code: 'RequestTimeout',
    s3Message: 'Your socket connection to the server was not read from or written to within the timeout period.',
    code: 'storage_failed',
    neverStarted: true,
    isRetryable: true,
    advice: /retry/,
  },
  NoSuchBucket: {
    operation: 'GET',
    status: 404,
    s3Code: 'NoSuchBucket',
    s3Message: 'The specified bucket does not exist',
    code: 'storage_failed',
    neverStarted: true,
    isRetryable: false,
    advice: /create the bucket/,
  },
  PermanentRedirect: {
    operation: 'GET',
    status: 301,
    s3Code: 'PermanentRedirect',
    s3Message: 'The bucket you are attempting to access must be addressed using the specified endpoint.',
    code: 'storage_failed',
    neverStarted: true,
    isRetryable: false,
    advice: /set region/,
  },
  EntityTooLarge: {
    operation: 'PUT',
    status: 400,
    s3Code: 'EntityTooLarge',
    s3Message: 'Your proposed upload exceeds the maximum allowed object size.',
    code: 'storage_failed',
    neverStarted: true,
    isRetryable: false,
    advice: /5 GB/,
  },
  NotImplemented: {
    operation: 'PUT',
    status: 501,
    s3Code: 'NotImplemented',
    s3Message: 'A header you provided implies functionality that is not implemented.',
    code: 'storage_failed',
    neverStarted: true,
    isRetryable: false,
    advice: /does not implement/,
  },
  'a 429 from an S3-compatible store': {
    operation: 'PUT',
    status: 429,
    s3Code: 'TooManyRequests',
    s3Message: 'Reduce your request rate.',
    code: 'storage_failed',
    neverStarted: true,
    isRetryable: true,
    advice: /an error this adapter does not know/,
  },
};

describe('EdgeStorage errors', () => {
  for (const [name, expected] of Object.entries(CASES)) {
    it(`classify ${name} (${expected.operation}, HTTP ${expected.status})`, async () => {
      const storage = new EdgeStorage({
        endpoint: 'https://s3.example.com',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        fetch: async () => s3Answer(expected),
      });
      const location = { bucket: 'results', key: 'errors/0.json' };
      const call =
        expected.operation === 'GET'
          ? storage.getText(location)
          : storage.putObject(location, '{}', 'application/json');
      const error = await call.catch((caught: unknown) => caught);
      const { code, neverStarted, isRetryable } = expected;
      expect(error).toMatchObject({ code, neverStarted, isRetryable, details: { httpStatus: expected.status } });
      const named = expected.s3Code ?? `HTTP${expected.status}`;
      expect((error as Error).message).toContain(`${expected.operation} s3://results/errors/0.json`);
      expect((error as Error).message).toContain(`${named} (HTTP ${expected.status})`);
      expect((error as Error).message).toMatch(expected.advice);
    });
  }
});
