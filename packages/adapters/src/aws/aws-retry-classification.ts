/**
 * How the AWS SDK for JavaScript v3 sorts a failed call before deciding to retry it (`@smithy/core`, retry
 * "service-error-classification" and `retryMiddleware`'s `getRetryErrorType`): throttling and transient errors are
 * retried, server and client errors are not. The lists are the SDK's own. The SDK also retries its
 * `CLOCK_SKEW_ERROR_CODES` (`RequestTimeTooSkewed`, `SignatureDoesNotMatch`, …) once it has corrected its clock from
 * the answer's `Date`; this adapter signs with the injected clock and corrects nothing, so they are client errors here.
 */
export type AwsRetryKind = 'throttling' | 'transient' | 'server' | 'client';

const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUSES = new Set([500, 502, 503, 504]);

/** The SDK's verdict on an error answer: its code, HTTP status and message. */
export function awsRetryKind(code: string, httpStatus: number, message: string): AwsRetryKind {
  if (httpStatus === 429 || THROTTLING_CODES.has(code)) return 'throttling';
  // A signature that expired in flight is re-signed with a fresh date on the retry.
  if (code === 'InvalidSignatureException' && message.includes('Signature expired')) return 'transient';
  if (TRANSIENT_CODES.has(code) || TRANSIENT_STATUSES.has(httpStatus)) return 'transient';
  if (httpStatus >= 500 && httpStatus <= 599) return 'server';
  return 'client';
}

/** Whether the SDK's standard retry strategy would retry the call: throttling and transient errors only. */
export function isRetryableAwsError(code: string, httpStatus: number, message: string): boolean {
  const kind = awsRetryKind(code, httpStatus, message);
  return kind === 'throttling' || kind === 'transient';
}
