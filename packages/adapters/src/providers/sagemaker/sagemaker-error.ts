import { ProviderError, type ProviderErrorCode, type ProviderErrorOptions } from '../../errors/provider-error.ts';
import { readWorkerError, workerErrorOptions } from '../worker-protocol/worker-error.ts';

/** A SageMaker API error; `awsErrorType` is SageMaker's own name for it (`ModelError`, `ThrottlingException`, …). */
export class SageMakerError extends ProviderError {
  readonly awsErrorType: string;

  constructor(options: ProviderErrorOptions & { awsErrorType: string }) {
    super({ ...options, details: { ...options.details, awsErrorType: options.awsErrorType } });
    this.awsErrorType = options.awsErrorType;
  }
}

/**
 * What each SageMaker error type means for a job. All but `ModelError` and the internal failures are answered before
 * the request reaches the container, so the job provably never started (SageMaker Runtime API Reference,
 * InvokeEndpoint and InvokeEndpointAsync, "Errors"; Common Errors).
 */
const ERROR_TYPES: Record<string, { code: ProviderErrorCode; isRetryable: boolean; neverStarted: boolean }> = {
  ValidationError: { code: 'provider_unavailable', isRetryable: false, neverStarted: true },
  ValidationException: { code: 'provider_unavailable', isRetryable: false, neverStarted: true },
  ModelNotReadyException: { code: 'provider_unavailable', isRetryable: true, neverStarted: true },
  ServiceUnavailable: { code: 'provider_unavailable', isRetryable: true, neverStarted: true },
  ThrottlingException: { code: 'provider_busy', isRetryable: true, neverStarted: true },
  InvalidSignatureException: { code: 'provider_unauthorized', isRetryable: false, neverStarted: true },
  UnrecognizedClientException: { code: 'provider_unauthorized', isRetryable: false, neverStarted: true },
  AccessDeniedException: { code: 'provider_unauthorized', isRetryable: false, neverStarted: true },
  InternalFailure: { code: 'provider_failed', isRetryable: true, neverStarted: false },
  InternalDependencyException: { code: 'provider_failed', isRetryable: true, neverStarted: false },
};

interface AwsErrorBody {
  __type?: string;
  message?: string;
  Message?: string;
  OriginalStatusCode?: number;
  OriginalMessage?: string;
}

/**
 * The error type of an AWS JSON error: the `X-Amzn-ErrorType` header (REST-JSON) or the body's `__type` (JSON 1.1),
 * each without its namespace or trailing URI (`ModelError:http://internal.amazon.com/...`, `com.amazonaws#X`).
 */
function errorType(response: Response, body: AwsErrorBody): string {
  const raw = response.headers.get('x-amzn-errortype') ?? body.__type ?? `HTTP${response.status}`;
  return raw.split(':')[0].split('#').at(-1) ?? raw;
}

/** Reads a SageMaker error answer into a `SageMakerError`. */
export async function sageMakerError(providerId: string, what: string, response: Response): Promise<SageMakerError> {
  const text = await response.text();
  let body: AwsErrorBody = {};
  try {
    body = JSON.parse(text) as AwsErrorBody;
  } catch {
    body = { message: text.slice(0, 200) };
  }
  const awsErrorType = errorType(response, body);
  const message = body.message ?? body.Message ?? '';
  const httpStatus = response.status;
  if (awsErrorType === 'ModelError') {
    // The container answered an error; what the worker said decides whether the job ever started.
    const originalStatus = body.OriginalStatusCode ?? 0;
    const worker = readWorkerError(body.OriginalMessage ?? '', originalStatus);
    const options = workerErrorOptions(providerId, worker, originalStatus, undefined);
    return new SageMakerError({
      ...options,
      message: `${what} at provider ${providerId} failed in the container (${originalStatus} ${worker.code}): ${worker.message}`,
      httpStatus,
      awsErrorType,
      details: { ...options.details, originalStatusCode: originalStatus },
    });
  }
  const meaning = ERROR_TYPES[awsErrorType] ?? {
    code: 'provider_failed',
    isRetryable: httpStatus >= 500,
    neverStarted: false,
  };
  return new SageMakerError({
    ...meaning,
    providerId,
    message: `${what} at provider ${providerId} failed: ${awsErrorType} (HTTP ${httpStatus}): ${message}`,
    httpStatus,
    awsErrorType,
  });
}
