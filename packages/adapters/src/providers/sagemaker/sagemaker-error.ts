import { type AwsJsonProtocol, readAwsJsonError } from '../../aws/aws-error-code.ts';
import { isRetryableAwsError } from '../../aws/aws-retry-classification.ts';
import { ProviderError, type ProviderErrorOptions } from '../../errors/provider-error.ts';
import { retryAfterMs } from '../../transport/retry-after.ts';
import { readWorkerError, workerErrorOptions } from '../worker-protocol/worker-error.ts';
import { MAY_HAVE_STARTED, sageMakerErrorMeaning } from './sagemaker-error-types.ts';

/** A SageMaker API error; `awsErrorType` is SageMaker's own name for it (`ModelError`, `ThrottlingException`, …). */
export class SageMakerError extends ProviderError {
  readonly awsErrorType: string;

  constructor(options: ProviderErrorOptions & { awsErrorType: string }) {
    super({ ...options, details: { ...options.details, awsErrorType: options.awsErrorType } });
    this.awsErrorType = options.awsErrorType;
  }
}

/** What the error is about: `InvokeEndpoint stipple-realtime`, the provider, and the clock for `Retry-After`. */
export interface SageMakerCall {
  providerId: string;
  what: string;
  protocol: AwsJsonProtocol;
  nowMs: number;
}

/**
 * InvokeEndpoint's `ModelError` (424): the container answered an error, or none in time. SageMaker passes the
 * container's status and body on (`OriginalStatusCode`, `OriginalMessage`); a refusal in the worker's envelope proves the
 * job never started. Anything else is the SDK's client error: not retried, and the job may have run.
 */
function modelError(call: SageMakerCall, body: Record<string, unknown>, httpStatus: number): SageMakerError {
  const { providerId, what } = call;
  const originalStatus = typeof body.OriginalStatusCode === 'number' ? body.OriginalStatusCode : 0;
  const original = typeof body.OriginalMessage === 'string' ? body.OriginalMessage : '';
  const worker = readWorkerError(original, originalStatus);
  const options = workerErrorOptions(providerId, worker, originalStatus, undefined);
  const isWorkerAnswer = !worker.code.startsWith('http_');
  const logs = typeof body.LogStreamArn === 'string' ? `; its log is ${body.LogStreamArn}` : '';
  const advice = options.neverStarted ? 'the worker refused the job before starting it' : MAY_HAVE_STARTED;
  return new SageMakerError({
    ...options,
    retryable: isWorkerAnswer && options.retryable,
    message: `${what} at provider ${providerId} failed: ModelError (HTTP ${httpStatus}): the container answered ${originalStatus} ${worker.code}: ${worker.message.replace(/\.$/, '')}; ${advice}${logs}`,
    httpStatus,
    awsErrorType: 'ModelError',
    details: { ...options.details, originalStatusCode: originalStatus },
  });
}

/** Reads a SageMaker error answer into a `SageMakerError` whose message names the error type and what to do. */
export async function sageMakerError(call: SageMakerCall, response: Response): Promise<SageMakerError> {
  const { code: awsErrorType, message, body } = await readAwsJsonError(response, call.protocol);
  const httpStatus = response.status;
  if (awsErrorType === 'ModelError') return modelError(call, body, httpStatus);
  const meaning = sageMakerErrorMeaning(awsErrorType, message);
  const said = message ? `: ${message.replace(/\.$/, '')}` : '';
  return new SageMakerError({
    providerId: call.providerId,
    code: meaning.code,
    message: `${call.what} at provider ${call.providerId} failed: ${awsErrorType} (HTTP ${httpStatus})${said}; ${meaning.advice}`,
    retryable: isRetryableAwsError(awsErrorType, httpStatus, message),
    neverStarted: meaning.neverStarted,
    retryAfterMs: retryAfterMs(response.headers.get('retry-after'), call.nowMs),
    httpStatus,
    awsErrorType,
  });
}
