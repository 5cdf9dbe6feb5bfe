import type { StorageErrorCode } from '@stipple/jobs';

/** What an S3 error code means for a GetObject, HeadObject or PutObject, apart from `isRetryable` (the SDK's verdict). */
export interface S3ErrorMeaning {
  code: Extract<StorageErrorCode, 'storage_denied' | 'storage_failed'>;
  /** True when S3 refused the request, so nothing was read or written; false when a write may have happened. */
  neverStarted: boolean;
  /** What the operator should do, for the message. */
  advice: string;
}

const denied = (advice: string): S3ErrorMeaning => ({ code: 'storage_denied', neverStarted: true, advice });
const refused = (advice: string): S3ErrorMeaning => ({ code: 'storage_failed', neverStarted: true, advice });

const REFRESH_CREDENTIALS =
  'refresh the storage credentials (a new accessKeyId, secretAccessKey and sessionToken); the same credentials will keep failing';

/**
 * The error codes S3 documents for the object calls the edge makes (Amazon S3 API Reference, "Error responses", "List
 * of error codes"). Every 4xx and 503 is a refusal: S3 writes an object only when the whole PUT succeeds. A 500
 * `InternalError` may come after the object was stored, so its outcome is unknown.
 */
export const S3_ERROR_CODES: Record<string, S3ErrorMeaning> = {
  AccessDenied: denied('grant the credentials s3:GetObject and s3:PutObject on the bucket (IAM and bucket policy)'),
  AccountProblem: denied('the AWS account has a problem that stops the call; contact AWS Support'),
  AllAccessDisabled: denied('all access to this bucket has been disabled; contact AWS Support'),
  AuthorizationHeaderMalformed: denied('set region to the bucket’s region (the message names it)'),
  ExpiredToken: denied(`the session token has expired: ${REFRESH_CREDENTIALS}`),
  InvalidAccessKeyId: denied('check credentials.accessKeyId: the store does not know it'),
  InvalidToken: denied(`the session token is malformed or invalid: ${REFRESH_CREDENTIALS}`),
  RequestTimeTooSkewed: denied('check this host’s clock: it is more than 15 minutes from the store’s'),
  SignatureDoesNotMatch: denied(
    'check credentials.secretAccessKey and region; the signature the store computed differs',
  ),
  TokenRefreshRequired: denied(`the session token must be refreshed: ${REFRESH_CREDENTIALS}`),
  BadDigest: refused('the body was damaged in transit; retry'),
  EntityTooLarge: refused('the object is larger than a single PUT may be (5 GB)'),
  IncompleteBody: refused('the store received less than Content-Length; retry'),
  InvalidArgument: refused('the request has an argument S3 does not accept (the message names it)'),
  InvalidBucketName: refused('check the bucket name'),
  InvalidObjectState: refused('the object is archived; restore it before reading'),
  InvalidRequest: refused('S3 refused the request (the message says why)'),
  KeyTooLongError: refused('use a key of at most 1024 bytes'),
  MethodNotAllowed: refused('the store does not allow this method on this resource'),
  MissingContentLength: refused('the request had no Content-Length'),
  NoSuchBucket: refused('create the bucket or fix its name'),
  NoSuchKey: refused('the object does not exist'),
  NotFound: refused('the object does not exist'),
  NotImplemented: refused('the store does not implement a header this request used'),
  PermanentRedirect: refused('the bucket is in another region; set region (or endpoint) to the bucket’s'),
  PreconditionFailed: refused('a condition of the request did not hold'),
  Redirect: refused('the bucket is in another region; set region to the bucket’s'),
  RequestTimeout: refused('the store did not receive the body in time; retry'),
  ServiceUnavailable: refused('the store is temporarily unavailable; retry later'),
  SlowDown: refused('the store asks for fewer requests; retry with backoff'),
  TemporaryRedirect: refused('the bucket is being moved between regions; retry, or set region to the bucket’s'),
  InternalError: {
    code: 'storage_failed',
    neverStarted: false,
    advice: 'the store failed internally; a write may have happened: read the object back before writing it again',
  },
};

/** The meaning of a code; an unknown one is judged by its status (denied for 401/403, outcome unknown otherwise). */
export function s3ErrorMeaning(s3Code: string, httpStatus: number): S3ErrorMeaning {
  const known = S3_ERROR_CODES[s3Code];
  if (known) return known;
  if (httpStatus === 401 || httpStatus === 403) return denied('check the storage credentials and their permissions');
  return {
    code: 'storage_failed',
    neverStarted: httpStatus >= 400 && httpStatus < 500,
    advice: 'an error this adapter does not know',
  };
}
