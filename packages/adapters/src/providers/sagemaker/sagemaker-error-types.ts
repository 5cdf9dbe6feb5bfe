import type { ProviderErrorCode } from '../../errors/provider-error.ts';

/** What a SageMaker error type means for a job, apart from `isRetryable` (the SDK's classification decides that). */
export interface SageMakerErrorMeaning {
  code: ProviderErrorCode;
  /** True when AWS answers it before the request is queued or reaches a container. */
  neverStarted: boolean;
  /** What the operator should do, for the message. */
  advice: string;
}

const refused = (code: ProviderErrorCode, advice: string): SageMakerErrorMeaning => ({
  code,
  neverStarted: true,
  advice,
});
const unknownOutcome = (advice: string): SageMakerErrorMeaning => ({
  code: 'provider_failed',
  neverStarted: false,
  advice,
});

const REFRESH_CREDENTIALS =
  'refresh the provider’s AWS credentials (a new accessKeyId, secretAccessKey and sessionToken from STS); the same credentials will keep failing';
const CHECK_KEY =
  'check credentials.accessKeyId: AWS does not know it in this partition, or the sessionToken is not its own';
const CHECK_SIGNATURE = 'check credentials.secretAccessKey and region; the signature AWS computed differs';
const CHECK_CLOCK = 'check this host’s clock: the request’s date must be within 5 minutes of AWS’s';
export const MAY_HAVE_STARTED = 'the job may have started; look for its manifest before submitting it again';

/**
 * The documented error types of InvokeEndpoint, InvokeEndpointAsync and DescribeEndpoint (SageMaker Runtime API
 * Reference, each action's "Errors", and "Common Errors"), with the wire spellings of the common errors that AWS's
 * front end answers before a request reaches SageMaker (`IncompleteSignatureException`,
 * `MissingAuthenticationTokenException`, `InvalidSignatureException`). Authentication, validation, throttling and
 * unavailability are answered before SageMaker queues the request or invokes a container, so the job never started;
 * internal failures may come after, so the outcome is unknown. `ModelError` is read from the container's answer instead.
 */
export const SAGEMAKER_ERROR_TYPES: Record<string, SageMakerErrorMeaning> = {
  AccessDeniedException: refused(
    'provider_unauthorized',
    'grant the credentials’ IAM identity sagemaker:InvokeEndpoint, sagemaker:InvokeEndpointAsync and sagemaker:DescribeEndpoint on this endpoint',
  ),
  ExpiredTokenException: refused('provider_unauthorized', `the session token has expired: ${REFRESH_CREDENTIALS}`),
  IncompleteSignature: refused(
    'provider_unauthorized',
    'check that credentials.accessKeyId and secretAccessKey are set',
  ),
  IncompleteSignatureException: refused(
    'provider_unauthorized',
    'check that credentials.accessKeyId and secretAccessKey are set and that no proxy strips the Authorization header',
  ),
  InvalidClientTokenId: refused('provider_unauthorized', CHECK_KEY),
  InvalidSignatureException: refused('provider_unauthorized', CHECK_SIGNATURE),
  MissingAuthenticationToken: refused('provider_unauthorized', 'the request carried no signature; set credentials'),
  MissingAuthenticationTokenException: refused(
    'provider_unauthorized',
    'the request carried no signature, or runtimeUrl/apiUrl names no SageMaker operation; check credentials and the URLs',
  ),
  NotAuthorized: refused('provider_unauthorized', 'grant the credentials’ IAM identity the SageMaker permission'),
  OptInRequired: refused(
    'provider_unauthorized',
    'the account is not subscribed to SageMaker; enable it for this account',
  ),
  RequestExpired: refused('provider_unauthorized', 'check this host’s clock: the request’s date is 15 minutes off'),
  UnrecognizedClientException: refused('provider_unauthorized', CHECK_KEY),
  ValidationError: refused(
    'provider_unavailable',
    'check endpointName and region (the endpoint may not exist in this account) and the call options',
  ),
  ValidationException: refused('provider_unavailable', 'check endpointName and region'),
  UnknownOperationException: refused('provider_unavailable', 'runtimeUrl or apiUrl is not a SageMaker URL; check them'),
  MalformedHttpRequestException: refused('provider_failed', 'the request was damaged in transit; check any proxy'),
  RequestEntityTooLargeException: refused(
    'provider_failed',
    'the job is larger than SageMaker accepts in a request (6 MB real-time); use sagemaker-async',
  ),
  RequestTimeoutException: refused(
    'provider_unavailable',
    'SageMaker did not receive the whole request in time; retry',
  ),
  ModelNotReadyException: refused('provider_unavailable', 'the model is still loading; retry shortly'),
  ServiceUnavailable: refused('provider_unavailable', 'SageMaker is temporarily unavailable; retry later'),
  ThrottlingException: refused(
    'provider_busy',
    'SageMaker is throttling this account’s calls; retry with backoff or raise the quota',
  ),
  InternalFailure: unknownOutcome(`SageMaker failed internally; ${MAY_HAVE_STARTED}`),
  InternalDependencyException: unknownOutcome(
    `a SageMaker dependency failed; ${MAY_HAVE_STARTED}; contact AWS Support if it persists`,
  ),
  RequestAbortedException: unknownOutcome(`the request was aborted before SageMaker answered; ${MAY_HAVE_STARTED}`),
};

/** The meaning of an error type; an unknown one may have come after the job started. */
export function sageMakerErrorMeaning(awsErrorType: string, message: string): SageMakerErrorMeaning {
  if (awsErrorType === 'InvalidSignatureException' && message.includes('Signature expired')) {
    return refused('provider_unauthorized', CHECK_CLOCK);
  }
  return (
    SAGEMAKER_ERROR_TYPES[awsErrorType] ?? unknownOutcome(`an error this adapter does not know; ${MAY_HAVE_STARTED}`)
  );
}
